"""Run a netlist with the ``ngspice -b`` binary (batch mode), as users do by hand."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from memcompact.errors import ToolchainError
from memcompact.spice.library import INSTALL_HINT
from memcompact.spice.rawfile import read_raw
from memcompact.spice.result import SimulationError, error_lines

def find_ngspice():
    """Path of the ``ngspice`` executable on PATH.

    Raises
    ------
    ToolchainError
        Not found.
    """
    path = shutil.which("ngspice")
    if path is None:
        raise ToolchainError(f"ngspice executable not found on PATH: {INSTALL_HINT}")
    return path


def ngspice_binary_version(ngspice=None):
    """Major version of the ``ngspice`` executable (e.g. 46)."""
    ngspice = ngspice or find_ngspice()
    proc = subprocess.run([ngspice, "--version"], capture_output=True, text=True, timeout=60)
    m = re.search(r"ngspice-(\d+)", proc.stdout + proc.stderr)
    if m is None:
        raise ToolchainError(f"cannot read the version of {ngspice}: {proc.stdout.strip()[:200]}")
    return int(m.group(1))


def measured_values(log):
    """``{name: value}`` of the ``.meas`` results that ``ngspice -b`` prints (``name = value`` lines)."""
    values = {}
    for match in re.finditer(r"^([a-z_][a-z0-9_]*)\s+=\s+(\S+)", log, re.MULTILINE):
        try:
            values[match.group(1)] = float(match.group(2))
        except ValueError:
            pass
    return values


def with_osdi_control(netlist, osdi_names):
    """Insert a ``.control`` block with ``pre_osdi`` lines before ``.end``.

    ``pre_osdi`` loads the OSDI libraries before ngspice parses the circuit,
    which is what a batch run needs for ``N`` devices.
    """
    block = [".control"] + [f"pre_osdi {name}" for name in osdi_names] + [".endc"]
    lines = netlist.rstrip().splitlines()
    for k in range(len(lines) - 1, -1, -1):
        stripped = lines[k].strip().lower()
        if stripped == ".end" or stripped.startswith(".end "):
            return "\n".join(lines[:k] + block + lines[k:]) + "\n"
        if stripped and not stripped.startswith("*"):
            break
    return "\n".join(lines + block + [".end"]) + "\n"


def run_batch_all(netlist, osdi=(), cwd=None, timeout_s=600.0, ngspice=None, keep_dir=None):
    """Run a netlist with ``ngspice -b -r <raw>``; return every analysis.

    Parameters
    ----------
    netlist : str
        SPICE netlist text with dot analyses (first line: title).
    osdi : sequence of path, optional
        OSDI files; loaded with ``pre_osdi`` in an added ``.control`` block.
    cwd : path, optional
        Working folder for ngspice (relative ``.include`` paths); default: current.
    timeout_s : float
        Wall-time limit [s].
    ngspice : str, optional
        The executable; default :func:`find_ngspice`.
    keep_dir : path, optional
        If given, the netlist, raw file and log are written there and kept;
        otherwise a temporary folder is used and removed.

    Returns
    -------
    list of SpiceResult
        One per analysis, in file order (``.log`` holds ngspice's output).

    Raises
    ------
    SimulationError
        ngspice exited non-zero, reported an error, or wrote no data.
    ToolchainError
        ngspice missing, timed out, or an OSDI file is missing.
    """
    ngspice = ngspice or find_ngspice()
    with tempfile.TemporaryDirectory(prefix="memcompact-ngspice-") as tmp:
        work = Path(keep_dir) if keep_dir is not None else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        names = []
        for k, path in enumerate(osdi):
            path = Path(path)
            if not path.is_file():
                raise ToolchainError(f"OSDI file not found: {path}")
            copy = work / f"model{k}.osdi"  # no blanks: ngspice cannot quote them
            shutil.copyfile(path, copy)
            names.append(str(copy.resolve()))
        text = with_osdi_control(netlist, names) if names else netlist.rstrip() + "\n"
        if not names and not re.search(r"^\s*\.end\s*$", text, re.IGNORECASE | re.MULTILINE):
            text += ".end\n"
        cir = work / "circuit.cir"
        raw = work / "circuit.raw"
        cir.write_text(text)
        if raw.exists():
            raw.unlink()
        env = dict(os.environ)
        env.pop("SPICE_ASCIIRAWFILE", None)  # binary raw: exact doubles
        try:
            proc = subprocess.run([ngspice, "-b", "-r", str(raw.resolve()), str(cir.resolve())],
                                  capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout_s,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ToolchainError(f"ngspice -b took more than {timeout_s:g} s") from None
        log = proc.stdout + proc.stderr
        if keep_dir is not None:
            (work / "circuit.log").write_text(log)
        bad = error_lines(proc.stderr.splitlines())  # ngspice -b reports errors on stderr
        if proc.returncode != 0 or bad:
            lines = bad or [line for line in proc.stderr.splitlines() if line.strip()][-20:]
            raise SimulationError(f"ngspice -b failed (exit {proc.returncode}):\n" + "\n".join(lines))
        if not raw.is_file() or raw.stat().st_size == 0:
            raise SimulationError("ngspice -b wrote no data (no .op/.dc/.tran/.ac line?)")
        results = read_raw(raw)
    if not results:
        raise SimulationError("ngspice -b wrote no analysis")
    for result in results:
        result.log = log
    return results


def run_batch(netlist, osdi=(), cwd=None, timeout_s=600.0, ngspice=None, keep_dir=None):
    """Run a netlist with ``ngspice -b``; return its last analysis.

    Same parameters as :func:`run_batch_all`.

    Returns
    -------
    SpiceResult
        Node voltages [V] via ``.v(node)``, branch currents [A] via ``.i(source)``.
    """
    return run_batch_all(netlist, osdi=osdi, cwd=cwd, timeout_s=timeout_s, ngspice=ngspice,
                         keep_dir=keep_dir)[-1]
