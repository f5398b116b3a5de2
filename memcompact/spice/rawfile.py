"""Read ngspice raw files (binary or ASCII), as written by ``ngspice -b -r FILE``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from memcompact.errors import ToolchainError
from memcompact.spice.result import SpiceResult, analysis_of, normalise_raw_name


def _header(lines):
    head = {}
    names = []
    in_vars = False
    for line in lines:
        if in_vars:
            parts = line.split()
            if len(parts) >= 2 and parts[0].isdigit():
                names.append(parts[1])
                continue
            in_vars = False
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "variables":
            in_vars = True
            if value.strip():  # single-line form "Variables: 0 time time"
                parts = value.split()
                names.append(parts[1])
        else:
            head[key] = value.strip()
    return head, names


def read_raw(path):
    """Read every plot of an ngspice raw file.

    Parameters
    ----------
    path : str or os.PathLike
        The raw file (binary, ngspice's default, or ASCII).

    Returns
    -------
    list of SpiceResult
        One per plot (analysis), in file order; vector names normalised to
        the shared-mode convention (``v(a)`` -> ``a``, ``i(v1)`` -> ``v1#branch``).

    Raises
    ------
    ToolchainError
        The file is truncated or not a raw file.
    """
    data = Path(path).read_bytes()
    pos = 0
    plots = []
    while pos < len(data):
        if not data[pos:].strip():
            break
        ends = [(data.find(marker, pos), marker) for marker in (b"Binary:\n", b"Values:\n")]
        ends = [(k, m) for k, m in ends if k >= 0]
        if not ends:
            raise ToolchainError(f"{path}: not an ngspice raw file (no 'Binary:' or 'Values:' section)")
        start, marker = min(ends)
        head, names = _header(data[pos:start].decode("utf-8", "replace").splitlines())
        try:
            n_vars = int(head["no. variables"])
            n_points = int(head["no. points"])
        except (KeyError, ValueError):
            raise ToolchainError(f"{path}: raw file header lacks 'No. Variables'/'No. Points'") from None
        if len(names) != n_vars:
            raise ToolchainError(f"{path}: raw file lists {len(names)} variables, header says {n_vars}")
        is_complex = "complex" in head.get("flags", "").lower()
        pos = start + len(marker)
        if marker == b"Binary:\n":
            width = 16 if is_complex else 8
            size = n_points * n_vars * width
            if pos + size > len(data):
                raise ToolchainError(f"{path}: raw file truncated")
            flat = np.frombuffer(data[pos:pos + size], dtype="<f8")
            pos += size
            if is_complex:
                flat = flat[0::2] + 1j * flat[1::2]
            table = flat.reshape(n_points, n_vars)
        else:
            table, pos = _ascii_values(data, pos, n_points, n_vars, is_complex, path)
        vectors = {normalise_raw_name(n): np.array(table[:, k]) for k, n in enumerate(names)}
        plotname = head.get("plotname", "")
        plots.append(SpiceResult(analysis_of(plotname), plotname, vectors))
    return plots


def _ascii_values(data, pos, n_points, n_vars, is_complex, path):
    dtype = complex if is_complex else float
    table = np.empty((n_points, n_vars), dtype=dtype)
    tokens = []
    needed = n_points * (n_vars + 1)
    while len(tokens) < needed:
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        if pos >= len(data):
            raise ToolchainError(f"{path}: raw file truncated")
        tokens.extend(data[pos:end].split())
        pos = end + 1
    try:
        for p in range(n_points):
            row = tokens[p * (n_vars + 1) + 1:(p + 1) * (n_vars + 1)]
            for k, tok in enumerate(row):
                if is_complex:
                    re_, im = tok.split(b",")
                    table[p, k] = complex(float(re_), float(im))
                else:
                    table[p, k] = float(tok)
    except ValueError:
        raise ToolchainError(f"{path}: malformed value in ASCII raw file") from None
    return table, pos
