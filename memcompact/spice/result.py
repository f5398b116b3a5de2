"""What a SPICE run returns: named numpy vectors of one analysis, or an error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from memcompact.errors import ToolchainError

#: Scale (independent variable) vector names, by analysis.
_SCALES = ("time", "frequency")


class SimulationError(ToolchainError):
    """ngspice refused the netlist, or an analysis failed (e.g. no convergence).

    The message carries ngspice's own error lines.
    """


@dataclass
class SpiceResult:
    """The vectors of one analysis (one ngspice *plot*).

    Vector names follow ngspice's shared-mode convention in both back-ends:
    node voltages by node name (``'out'``), branch currents as
    ``'<source>#branch'`` (``'v1#branch'``), the DC sweep variable as
    ``'v-sweep'`` (or ``'i-sweep'``, ``'temp-sweep'``, ...), ``'time'`` and
    ``'frequency'``. Names are lower case, as ngspice reports them.

    Attributes
    ----------
    analysis : str
        ``'op'``, ``'dc'``, ``'tran'``, ``'ac'``, ... (the plot's type).
    name : str
        ngspice's plot name (``'dc1'``) or raw-file plot title.
    vectors : dict of str to numpy.ndarray
        Node voltages [V], branch currents [A], sweep/time [s]/frequency [Hz];
        complex for AC.
    log : str
        ngspice's output for the run (for diagnostics).
    """

    analysis: str
    name: str
    vectors: dict = field(default_factory=dict)
    log: str = ""

    def __contains__(self, key):
        return key.lower() in self.vectors

    def __getitem__(self, key):
        try:
            return self.vectors[key.lower()]
        except KeyError:
            raise KeyError(f"no vector {key!r} in {self.name}; have {sorted(self.vectors)}") from None

    def v(self, node):
        """Voltage of ``node`` against ground [V].

        Parameters
        ----------
        node : str
            Node name, with or without ``v( )``.
        """
        m = re.fullmatch(r"v\((.+)\)", node.strip().lower())
        return self[m.group(1) if m else node.strip()]

    def i(self, source):
        """Current through a voltage source or inductor [A] (SPICE sign: into ``+`` terminal).

        Parameters
        ----------
        source : str
            Device name (``'V1'``), or ``'i(V1)'`` or ``'v1#branch'``.
        """
        key = source.strip().lower()
        m = re.fullmatch(r"i\((.+)\)", key)
        if m:
            key = m.group(1)
        if not key.endswith("#branch"):
            key += "#branch"
        return self[key]

    @property
    def scale(self):
        """The independent variable: time [s], frequency [Hz] or the DC sweep; None for .op."""
        for name in _SCALES:
            if name in self.vectors:
                return self.vectors[name]
        for name, values in self.vectors.items():
            if name.endswith("-sweep"):
                return values
        return None


#: ngspice message lines that mean failure (matched case-insensitively).
_ERROR_LINE = re.compile(
    r"error|abort|singular|timestep too small|not parsed|unable to find|no such command|"
    r"couldn't be loaded|could not be loaded|unknown (model|device|subckt)|no convergence",
    re.IGNORECASE,
)


def error_lines(lines, limit=20):
    """ngspice's failure messages among ``lines``, each with the line after it.

    Lines starting with ``Warning`` or ``Note`` are not failures (ngspice
    reports recovered problems that way); the line after an error often
    names the culprit (``Unable to find definition of model m``).
    """
    def bad(line):
        text = line.strip()
        return bool(_ERROR_LINE.search(text)) and not text.lower().startswith(("warning", "note"))

    keep = []
    for k, line in enumerate(lines):
        if bad(line) or (k > 0 and bad(lines[k - 1]) and line.strip()):
            keep.append(line.rstrip())
    return keep[:limit]


def analysis_of(plot_name):
    """Analysis type from an ngspice plot name (``'dc3'`` -> ``'dc'``) or raw title."""
    title = plot_name.strip().lower()
    by_title = {
        "operating point": "op", "dc transfer characteristic": "dc",
        "transient analysis": "tran", "ac analysis": "ac", "noise spectral density curves": "noise",
        "transfer function": "tf", "sensitivity analysis": "sens",
    }
    if title in by_title:
        return by_title[title]
    return re.sub(r"\d+$", "", title)


def normalise_raw_name(name):
    """Map raw-file names to shared-mode names: ``v(a)`` -> ``a``, ``i(v1)`` -> ``v1#branch``."""
    name = name.strip().lower()
    m = re.fullmatch(r"v\((.+)\)", name)
    if m:
        return m.group(1)
    m = re.fullmatch(r"i\((.+)\)", name)
    if m:
        return m.group(1) + "#branch"
    return name


def as_array(values):
    """Copy into a float (or complex) numpy array."""
    arr = np.array(values)
    return arr if np.iscomplexobj(arr) else arr.astype(float)
