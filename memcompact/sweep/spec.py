"""Sweep specs: which study, which parameter ranges, which seeds (JSON or TOML).

A spec is a small file (docs/studies.md)::

    {
      "study": "vt_map",
      "parameters": {"voltage_V": {"linspace": [2.4, 4.3, 20]},
                     "devices_per_task": 1000},
      "seeds": 10,
      "output": "vt_map.parquet",
      "quick": {"parameters": {"voltage_V": [3.0, 3.5]}, "seeds": 2}
    }

Every parameter is one of the study's declared :class:`Param` entries; a
scalar fixes it, a list or a ``linspace``/``logspace`` range sweeps it, and an
unnamed one takes its default. ``seeds`` is a count (seeds 0..N-1), a list,
or ``{"start": S, "count": N}``. ``quick`` holds overrides for ``--quick``.
Everything is checked before any task runs or any file is written; a
problem raises :class:`~memcompact.errors.InputError` naming the key.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from memcompact.errors import InputError, ParameterError

#: Keys a spec may have at its top level.
SPEC_KEYS = ("study", "parameters", "seeds", "output", "quick", "description")
#: Keys of the ``quick`` block.
QUICK_KEYS = ("parameters", "seeds")
#: Folder of the bundled specs (``memcompact sweep vt_map`` finds ``vt_map.json`` there).
BUNDLED_DIR = Path(__file__).resolve().parent.parent / "studies" / "specs"


@dataclass(frozen=True)
class Param:
    """One parameter a study accepts.

    Attributes
    ----------
    kind : {"float", "int", "str"}
    default : float, int or str
    unit : str
        Unit in the spelling of the docs (``V``, ``Ohm``, ``1``).
    meaning : str
    minimum, maximum : float, optional
        Bounds (inclusive unless ``exclusive_minimum``).
    exclusive_minimum : bool
        The value must be strictly above ``minimum``.
    choices : tuple of str, optional
        Allowed values of a ``str`` parameter.
    """

    kind: str
    default: object
    unit: str
    meaning: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple = ()

    def check(self, name, value):
        """The value converted to the parameter's kind; :class:`ParameterError` when it is not allowed."""
        if self.kind == "str":
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                allowed = f"; choose from {', '.join(self.choices)}" if self.choices else ""
                raise ParameterError(name, f"must be a string{allowed}, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ParameterError(name, f"must be a number, got {value!r}")
        if self.kind == "int":
            if float(value) != int(value):
                raise ParameterError(name, f"must be a whole number, got {value!r}")
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise ParameterError(name, f"must be finite, got {value!r}")
        if self.minimum is not None:
            low_bad = value <= self.minimum if self.exclusive_minimum else value < self.minimum
            if low_bad:
                word = "above" if self.exclusive_minimum else "at least"
                raise ParameterError(name, f"must be {word} {self.minimum:g}{self._unit()}, got {value!r}")
        if self.maximum is not None and value > self.maximum:
            raise ParameterError(name, f"must be at most {self.maximum:g}{self._unit()}, got {value!r}")
        return value

    def _unit(self):
        return "" if self.unit in ("", "1") else f" {self.unit}"


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep spec.

    Attributes
    ----------
    study : str
        Registered study name (:data:`memcompact.studies.STUDIES`).
    axes : dict
        Parameter name -> tuple of values; a fixed parameter has one value.
        Every parameter of the study is present (defaults filled in).
    seeds : tuple of int
    output : str or None
        Parquet file named by the spec (the command line's ``-o`` wins).
    source : dict
        The spec as read (stored in the Parquet metadata).
    """

    study: str
    axes: dict
    seeds: tuple
    output: str | None = None
    source: dict = field(default_factory=dict)

    @property
    def swept(self):
        """Names of the parameters with more than one value."""
        return tuple(k for k, v in self.axes.items() if len(v) > 1)

    @property
    def n_tasks(self):
        """Number of tasks: points x seeds."""
        return math.prod(len(v) for v in self.axes.values()) * len(self.seeds)


def _range_values(name, entry):
    """Values of one ``parameters`` entry: scalar, list, ``{"linspace"|"logspace": [a, b, n]}``."""
    if isinstance(entry, dict):
        if len(entry) != 1 or next(iter(entry)) not in ("linspace", "logspace", "values"):
            raise ParameterError(name, f"a range is {{\"linspace\": [start, stop, count]}}, "
                                       f"{{\"logspace\": [start, stop, count]}} or {{\"values\": [...]}}, got {entry!r}")
        kind, arg = next(iter(entry.items()))
        if kind == "values":
            return _range_values(name, arg)
        if not (isinstance(arg, (list, tuple)) and len(arg) == 3):
            raise ParameterError(name, f"{kind} needs [start, stop, count], got {arg!r}")
        start, stop, count = arg
        for label, v in (("start", start), ("stop", stop)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ParameterError(name, f"{kind} {label} must be a finite number, got {v!r}")
        if isinstance(count, bool) or not isinstance(count, int):
            raise ParameterError(name, f"{kind} count must be a whole number, got {count!r}")
        if count < 1:
            raise ParameterError(name, f"empty range: {kind} count must be at least 1, got {count}")
        if kind == "logspace":
            if start <= 0 or stop <= 0:
                raise ParameterError(name, f"logspace start and stop must be positive, got {start!r}, {stop!r}")
            values = np.logspace(math.log10(start), math.log10(stop), count)
            values[0], values[-1] = start, stop          # no round-off at the ends
        else:
            values = np.linspace(start, stop, count)
        return [float(v) for v in values]
    if isinstance(entry, (list, tuple)):
        if len(entry) == 0:
            raise ParameterError(name, "empty range: the list of values is empty")
        return list(entry)
    return [entry]


def _seeds(value, where="seeds"):
    if isinstance(value, dict):
        if set(value) != {"start", "count"}:
            raise InputError(f"{where}: a seed range is {{\"start\": S, \"count\": N}}, got {value!r}")
        start, count = value["start"], value["count"]
        if any(isinstance(v, bool) or not isinstance(v, int) for v in (start, count)) or start < 0:
            raise InputError(f"{where}: start must be a whole number >= 0 and count a whole number, got {value!r}")
        if count < 1:
            raise InputError(f"{where}: empty range: count must be at least 1, got {count}")
        return tuple(range(start, start + count))
    if isinstance(value, bool):
        raise InputError(f"{where}: must be a count, a list of seeds or {{\"start\", \"count\"}}, got {value!r}")
    if isinstance(value, int):
        if value < 1:
            raise InputError(f"{where}: empty range: the seed count must be at least 1, got {value}")
        return tuple(range(value))
    if isinstance(value, (list, tuple)):
        if not value:
            raise InputError(f"{where}: empty range: the list of seeds is empty")
        if any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in value):
            raise InputError(f"{where}: seeds must be whole numbers >= 0, got {list(value)!r}")
        if len(set(value)) != len(value):
            raise InputError(f"{where}: seeds repeat in {list(value)!r}")
        return tuple(int(s) for s in value)
    raise InputError(f"{where}: must be a count, a list of seeds or {{\"start\", \"count\"}}, got {value!r}")


def parse_spec(data, quick=False):
    """Check a spec given as a dictionary; return a :class:`SweepSpec`.

    Parameters
    ----------
    data : dict
        The spec (as read from JSON or TOML).
    quick : bool
        Apply the spec's ``quick`` overrides (parameters and seeds).

    Raises
    ------
    InputError
        Unknown key, unknown study or parameter, empty range, value out of
        bounds (the message names it).
    """
    from memcompact.studies import STUDIES, study_module

    if not isinstance(data, dict):
        raise InputError("a sweep spec must be a table (JSON object) with at least 'study'")
    unknown = sorted(set(data) - set(SPEC_KEYS))
    if unknown:
        raise InputError(f"unknown spec key {unknown[0]!r}; allowed: {', '.join(SPEC_KEYS)}")
    if "study" not in data:
        raise InputError(f"the spec names no study; choose from {', '.join(STUDIES)}")
    study = data["study"]
    if study not in STUDIES:
        raise InputError(f"unknown study {study!r}; choose from {', '.join(STUDIES)}")
    table = study_module(study).PARAMETERS
    parameters = dict(data.get("parameters") or {})
    seeds = data.get("seeds", 1)
    if quick and "quick" in data:
        block = data["quick"]
        if not isinstance(block, dict) or set(block) - set(QUICK_KEYS):
            raise InputError(f"quick: must be a table with keys among {', '.join(QUICK_KEYS)}")
        parameters.update(block.get("parameters") or {})
        seeds = block.get("seeds", seeds)
    elif "quick" in data and not isinstance(data["quick"], dict):
        raise InputError(f"quick: must be a table with keys among {', '.join(QUICK_KEYS)}")
    for name in parameters:
        if name not in table:
            raise ParameterError(name, f"unknown to study {study!r}; allowed: {', '.join(table)}")
    axes = {}
    for name, param in table.items():
        values = _range_values(name, parameters[name]) if name in parameters else [param.default]
        checked = [param.check(name, v) for v in values]
        if len(set(checked)) != len(checked):
            raise ParameterError(name, f"values repeat in {checked!r}")
        axes[name] = tuple(checked)
    output = data.get("output")
    if output is not None and (not isinstance(output, str) or not output.strip()):
        raise InputError(f"output: must be a file name, got {output!r}")
    spec = SweepSpec(study=study, axes=axes, seeds=_seeds(seeds), output=output, source=dict(data))
    check = getattr(study_module(study), "check_spec", None)
    if check is not None:
        check(spec)
    return spec


def read_spec_file(path):
    """The spec dictionary from a ``.json`` or ``.toml`` file, or from a bundled spec's name."""
    p = Path(path)
    if not p.exists():
        bundled = BUNDLED_DIR / f"{path}.json"
        if "/" not in str(path) and bundled.exists():
            p = bundled
        else:
            names = ", ".join(sorted(f.stem for f in BUNDLED_DIR.glob("*.json")))
            raise InputError(f"spec {path}: no such file, nor a bundled spec ({names})")
    if p.is_dir():
        raise InputError(f"spec {p}: is a folder, not a JSON or TOML file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"spec {p}: cannot read it ({exc.__class__.__name__})") from None
    try:
        if p.suffix.lower() == ".toml":
            return tomllib.loads(text)
        return json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        msg = str(exc).splitlines()[0]
        raise InputError(f"spec {p}: not valid {'TOML' if p.suffix.lower() == '.toml' else 'JSON'}: {msg}") from None


def load_spec(path, quick=False):
    """Read and check a spec file (JSON or TOML) or a bundled spec's name; return a :class:`SweepSpec`."""
    data = read_spec_file(path)
    try:
        return parse_spec(data, quick=quick)
    except InputError as exc:
        raise InputError(f"spec {path}: {exc}") from None
