"""Current-vs-time (I-t) data files: the CSV contract of DESIGN section 5.

Format::

    # device: Ag/SiO2/W          <- optional metadata, '# key: value'
    # voltage_V: 3.0             <- a constant voltage may be given here
    time_s,current_A[,voltage_V]
    0.0,1.2e-12[,3.0]
    ...

Lines starting with ``#`` are comments. The reader refuses bad input loudly
(:class:`~memcompact.errors.DataFileError` naming the file, the line and the
problem) rather than mending it.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from memcompact.errors import DataFileError
from memcompact.io.atomic import atomic_write_text

REQUIRED_COLUMNS = ("time_s", "current_A")
OPTIONAL_COLUMNS = ("voltage_V",)
MIN_ROWS = 10
#: ``# key: value`` lines holding the measurement loop's series resistance [Ohm] (checked: finite, >= 0).
SERIES_RESISTANCE_KEYS = ("series_resistance_ohm", "series_resistance_Ohm")
#: ``# key: value`` lines holding the current compliance [A] (checked: finite, >= 0).
COMPLIANCE_KEYS = ("compliance_A",)


@dataclass
class ITCurve:
    """One measured or simulated current-vs-time curve.

    Attributes
    ----------
    time_s : numpy.ndarray
        Sample times [s], strictly increasing, non-negative.
    current_A : numpy.ndarray
        Current [A] (may be negative near the noise floor).
    voltage_V : numpy.ndarray
        Applied voltage at each sample [V] (constant curves repeat the value).
    metadata : dict
        ``# key: value`` comment pairs (values as strings).
    source : str or None
        File the curve came from.
    lines : dict
        Where things are in the file: ``"header"`` and each metadata key ->
        1-based line number, ``"rows"`` -> array of the data rows' line
        numbers (empty for a curve not read from a file).
    """

    time_s: np.ndarray
    current_A: np.ndarray
    voltage_V: np.ndarray
    metadata: dict = field(default_factory=dict)
    source: str | None = None
    lines: dict = field(default_factory=dict)

    def __post_init__(self):
        self.time_s = np.asarray(self.time_s, dtype=float)
        self.current_A = np.asarray(self.current_A, dtype=float)
        v = np.asarray(self.voltage_V, dtype=float)
        self.voltage_V = np.broadcast_to(v, self.time_s.shape).copy()
        if self.current_A.shape != self.time_s.shape:
            raise ValueError("time_s and current_A must have the same length")

    @property
    def is_constant_voltage(self):
        """True when the voltage is the same at every sample."""
        return bool(np.all(self.voltage_V == self.voltage_V[0]))

    def where(self, sample=None, key=None):
        """``FILE:LINE`` (or ``FILE``) of a data sample (index) or a metadata key, for one-line messages."""
        name = self.source or "<curve>"
        line = None
        if key is not None:
            line = self.lines.get(key)
        elif sample is not None and len(self.lines.get("rows", ())) > sample:
            line = int(self.lines["rows"][sample])
        return f"{name}:{line}" if line is not None else name

    def __len__(self):
        return self.time_s.size


def _parse_float(text, path, lineno, column):
    try:
        value = float(text)
    except ValueError:
        raise DataFileError(path, lineno, f"column '{column}': not a number: {text.strip()!r}") from None
    if not math.isfinite(value):
        raise DataFileError(path, lineno, f"column '{column}': value is {text.strip()} (must be finite)")
    return value


def _metadata_nonnegative(path, metadata, meta_lines, keys, what):
    """Check that a ``# key: value`` line holding ``what`` is a finite number >= 0 (DataFileError naming its line)."""
    for key in keys:
        if key in metadata:
            text = metadata[key]
            try:
                value = float(text)
            except ValueError:
                raise DataFileError(path, meta_lines[key], f"'# {key}:' ({what}) is not a number: {text!r}") from None
            if not math.isfinite(value) or value < 0:
                raise DataFileError(path, meta_lines[key],
                                    f"'# {key}:' ({what}) must be a finite number >= 0, got {text!r}")


def read_it_csv(path):
    """Read and validate an I-t CSV file.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.

    Returns
    -------
    ITCurve

    Raises
    ------
    DataFileError
        Empty or binary file, missing column, non-numeric cell, NaN or inf,
        negative time, time not strictly increasing, fewer than 10 rows, no
        voltage known (neither a ``voltage_V`` column nor ``# voltage_V:``), an
        empty ``voltage_V`` cell, or a series resistance
        (``# series_resistance_ohm:``) or compliance (``# compliance_A:``)
        that is negative or not a finite number.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(path, None, "file not found") from None
    except IsADirectoryError:
        raise DataFileError(path, None, "is a directory, not a CSV file") from None
    if not raw.strip():
        raise DataFileError(path, None, "file is empty")
    if b"\x00" in raw[:8192]:
        raise DataFileError(path, None, "binary file (contains NUL bytes), expected CSV text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFileError(path, line, "not UTF-8 text (binary file?)") from None

    metadata = {}
    meta_lines = {}
    header = None
    rows = []  # (lineno, cells)
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            body = stripped[1:].strip()
            if ":" in body:
                key, value = body.split(":", 1)
                if key.strip():
                    metadata[key.strip()] = value.strip()
                    meta_lines[key.strip()] = lineno
            continue
        cells = next(csv.reader(io.StringIO(stripped)))
        cells = [c.strip() for c in cells]
        if header is None:
            header = (lineno, cells)
            continue
        rows.append((lineno, cells))

    if header is None:
        raise DataFileError(path, None, "no header row (expected 'time_s,current_A[,voltage_V]')")
    hline, names = header
    for name in REQUIRED_COLUMNS:
        if name not in names:
            raise DataFileError(path, hline, f"missing column '{name}' (header is {','.join(names)!r})")
    if len(set(names)) != len(names):
        raise DataFileError(path, hline, "duplicate column names in header")
    index = {name: names.index(name) for name in names}

    if len(rows) < MIN_ROWS:
        raise DataFileError(path, None, f"only {len(rows)} data rows, at least {MIN_ROWS} needed")
    _metadata_nonnegative(path, metadata, meta_lines, SERIES_RESISTANCE_KEYS, "series resistance [Ohm]")
    _metadata_nonnegative(path, metadata, meta_lines, COMPLIANCE_KEYS, "current compliance [A]")

    has_v = "voltage_V" in index
    constant_v = None
    if not has_v:
        if "voltage_V" not in metadata:
            raise DataFileError(
                path, hline, "no voltage known: add a 'voltage_V' column or a '# voltage_V: <value>' line"
            )
        vline = meta_lines["voltage_V"]
        try:
            constant_v = float(metadata["voltage_V"])
        except ValueError:
            raise DataFileError(path, vline, f"'# voltage_V:' is not a number: {metadata['voltage_V']!r}") from None
        if not math.isfinite(constant_v):
            raise DataFileError(path, vline, "'# voltage_V:' must be finite")

    n = len(rows)
    t = np.empty(n)
    i = np.empty(n)
    v = np.empty(n)
    for k, (lineno, cells) in enumerate(rows):
        if len(cells) != len(names):
            raise DataFileError(path, lineno, f"expected {len(names)} cells, found {len(cells)}")
        t[k] = _parse_float(cells[index["time_s"]], path, lineno, "time_s")
        i[k] = _parse_float(cells[index["current_A"]], path, lineno, "current_A")
        if has_v and not cells[index["voltage_V"]]:
            raise DataFileError(path, lineno, "column 'voltage_V': missing voltage (empty cell)")
        v[k] = _parse_float(cells[index["voltage_V"]], path, lineno, "voltage_V") if has_v else constant_v
        if t[k] < 0:
            raise DataFileError(path, lineno, f"negative time {float(t[k])!r} s")
        if k > 0 and not t[k] > t[k - 1]:
            raise DataFileError(
                path, lineno, f"time not strictly increasing ({float(t[k])!r} s after {float(t[k - 1])!r} s)"
            )
    lines = dict(meta_lines, header=hline, rows=np.array([lineno for lineno, _ in rows], dtype=int))
    return ITCurve(time_s=t, current_A=i, voltage_V=v, metadata=metadata, source=str(path), lines=lines)


def format_it_csv(curve):
    """Render an :class:`ITCurve` as CSV text (metadata as ``# key: value``)."""
    out = io.StringIO()
    for key, value in curve.metadata.items():
        key_text, value_text = str(key), str(value)
        if (not key_text.strip() or ":" in key_text or len(f"{key_text}x".splitlines()) > 1
                or len(f"{value_text}x".splitlines()) > 1):
            raise ValueError(f"metadata {key!r} cannot be written as a '# key: value' line")
        out.write(f"# {key}: {value}\n")
    out.write("time_s,current_A,voltage_V\n")
    for t, i, v in zip(curve.time_s, curve.current_A, curve.voltage_V):
        out.write(f"{float(t)!r},{float(i)!r},{float(v)!r}\n")
    return out.getvalue()


def write_it_csv(path, curve):
    """Write an I-t curve to ``path`` atomically (values round-trip exactly).

    Parameters
    ----------
    path : str or os.PathLike
        Destination CSV.
    curve : ITCurve
        The data; ``metadata`` is written as ``# key: value`` comments.
    """
    if not (np.all(np.isfinite(curve.time_s)) and np.all(np.isfinite(curve.current_A))
            and np.all(np.isfinite(curve.voltage_V))):
        raise ValueError("refusing to write non-finite values to an I-t CSV")
    atomic_write_text(path, format_it_csv(curve))
