"""Run netlists in ngspice's shared library through PySpice.

PySpice's :class:`NgSpiceShared` is a per-process singleton (one ngspice
instance, one global state). This module owns it: a lock serialises runs, and
every run leaves ngspice clean (circuit removed, plots destroyed), so many runs
in one process do not see each other. OSDI libraries stay loaded for the
life of the process (ngspice cannot unload them); loading the same file again
is a no-op.

Notes
-----
PySpice 1.5 does not know ngspice versions above 34 by name and logs
"Unsupported Ngspice version 46"; the version is fully usable through the
calls made here, so that logger is silenced. ngspice's own messages are kept
and shown in errors instead.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np

from memcompact.errors import ToolchainError
from memcompact.spice.library import INSTALL_HINT, find_libngspice
from memcompact.spice.result import SimulationError, SpiceResult, analysis_of, error_lines

_LOCK = threading.RLock()
_NGSPICE = None
_LOADED_OSDI = {}  # resolved source path -> path given to ngspice
_OSDI_TMP = None   # folder for copies of OSDI files whose path has blanks

def _quiet_pyspice():
    logging.getLogger("PySpice.Spice.NgSpice.Shared").setLevel(logging.CRITICAL)


def ngspice_shared():
    """Start (once per process) and return PySpice's shared ngspice.

    Returns
    -------
    PySpice.Spice.NgSpice.Shared.NgSpiceShared

    Raises
    ------
    ToolchainError
        PySpice is missing, or libngspice cannot be found or loaded.
    """
    global _NGSPICE
    with _LOCK:
        if _NGSPICE is not None:
            return _NGSPICE
        _quiet_pyspice()
        try:
            from PySpice.Spice.NgSpice.Shared import NgSpiceShared
        except ImportError as exc:
            raise ToolchainError(f"PySpice is not installed ({exc}): pip install PySpice") from None
        library = find_libngspice()
        # PySpice formats LIBRARY_PATH with the instance id: escape braces.
        NgSpiceShared.LIBRARY_PATH = library.replace("{", "{{").replace("}", "}}")
        try:
            _NGSPICE = NgSpiceShared.new_instance()
        except OSError as exc:
            raise ToolchainError(
                f"cannot load the ngspice library {library}: {exc}; {INSTALL_HINT}"
            ) from None
        return _NGSPICE


def ngspice_version():
    """Major version of the shared ngspice library (e.g. 46)."""
    return ngspice_shared().ngspice_version


def _command(ng, command):
    """Run an ngspice command; return (stdout lines, stderr lines), raising nothing."""
    from PySpice.Spice.NgSpice.Shared import NgSpiceCommandError

    try:
        ng.exec_command(command)
    except NgSpiceCommandError:
        pass  # PySpice flags any stderr text; the caller judges the lines
    return list(ng._stdout), list(ng._stderr)


def has_osdi():
    """True when the shared ngspice has the ``osdi`` command (OSDI support)."""
    with _LOCK:
        _, err = _command(ngspice_shared(), "osdi")
    return not any("no such command" in line for line in err)


def load_osdi(osdi_path):
    """Load a compiled Verilog-A model (OSDI) into the shared ngspice.

    Must be called before the circuit using it is loaded;
    :func:`run_netlist` does it for you.

    Parameters
    ----------
    osdi_path : str or os.PathLike
        The ``.osdi`` file (from :func:`~memcompact.spice.vacompile.compile_va`).

    Raises
    ------
    ToolchainError
        ngspice has no OSDI support, or could not load the file.

    Notes
    -----
    A file is loaded once per process: recompiling a model into the *same*
    path and loading it again keeps the first version. Compile changed
    models to new file names.
    """
    global _OSDI_TMP
    path = Path(osdi_path).resolve()
    with _LOCK:
        if str(path) in _LOADED_OSDI:
            return
        if not path.is_file():
            raise ToolchainError(f"OSDI file not found: {path}")
        ng = ngspice_shared()
        given = str(path)
        if re.search(r"\s", given):  # ngspice's command line cannot quote blanks
            if _OSDI_TMP is None:
                _OSDI_TMP = tempfile.mkdtemp(prefix="memcompact-osdi-")
            safe_name = re.sub(r"\s", "_", path.name)
            given = os.path.join(_OSDI_TMP, f"{len(_LOADED_OSDI)}_{safe_name}")
            shutil.copyfile(path, given)
        out, err = _command(ng, f"osdi {given}")
        if any("no such command" in line for line in err):
            raise ToolchainError(
                f"ngspice {ng.ngspice_version} has no OSDI support (no 'osdi' command): "
                f"Verilog-A models need ngspice >= 42 built with OSDI; {INSTALL_HINT}"
            )
        bad = error_lines(err)
        if bad:
            raise ToolchainError(f"ngspice could not load {path}:\n" + "\n".join(bad))
        _LOADED_OSDI[str(path)] = given


def _stdout_errors(lines):
    """Errors ngspice printed on stdout: only lines that start with 'error'."""
    return error_lines([line for line in lines if line.strip().lower().startswith("error")])


def _ensure_end(netlist):
    lines = netlist.rstrip().splitlines()
    last = lines[-1].strip().lower() if lines else ""
    if not (last == ".end" or last.startswith(".end ")):
        lines.append(".end")
    return "\n".join(lines) + "\n"


def _vectors(ng, plot):
    """Copy every vector of ``plot`` into numpy arrays."""
    from PySpice.Spice.NgSpice.Shared import ffi

    lib = ng._ngspice_shared
    names = ng._convert_string_array(lib.ngSpice_AllVecs(plot.encode("utf8")))
    vectors = {}
    for name in names:
        info = lib.ngGet_Vec_Info(f"{plot}.{name}".encode("utf8"))
        n = info.v_length
        if info.v_compdata == ffi.NULL:
            data = np.frombuffer(ffi.buffer(info.v_realdata, n * 8), dtype=np.float64).copy()
        else:
            pairs = np.frombuffer(ffi.buffer(info.v_compdata, n * 16), dtype=np.float64)
            data = pairs[0::2] + 1j * pairs[1::2]
        vectors[name.lower()] = data
    return vectors


def _clean(ng):
    _command(ng, "remcirc")
    _command(ng, "destroy all")


def run_netlist_all(netlist, osdi=()):
    """Run a netlist in shared ngspice; return every analysis it ran.

    Parameters
    ----------
    netlist : str
        SPICE netlist text; the first line is the title. Dot analyses
        (``.op``, ``.dc``, ``.tran``, ``.ac`` ...) are run; ``.end`` is added
        if missing. Verilog-A devices are ``N<name> <nodes> <model>`` with
        ``.model <model> <va_module> ...``.
    osdi : sequence of path, optional
        OSDI files to load first (see :func:`load_osdi`).

    Returns
    -------
    list of SpiceResult
        One per analysis, in the order ngspice ran them.

    Raises
    ------
    SimulationError
        The netlist was refused or an analysis failed (ngspice's messages
        included); also when no analysis produced data.
    ToolchainError
        ngspice or OSDI support is missing, or an OSDI file failed to load.
    """
    text = _ensure_end(netlist)
    with _LOCK:
        ng = ngspice_shared()
        for path in osdi:
            load_osdi(path)
        _clean(ng)
        before = set(ng.plot_names)
        try:
            from PySpice.Spice.NgSpice.Shared import NgSpiceCircuitError

            ng.clear_output()
            try:
                ng.load_circuit(text)
            except NgSpiceCircuitError:
                pass  # judged below from ngspice's lines
            out, err = list(ng._stdout), list(ng._stderr)
            bad = error_lines(err) + _stdout_errors(out)
            if bad:
                raise SimulationError("ngspice refused the netlist:\n" + "\n".join(bad))
            run_out, run_err = _command(ng, "run")
            log = "\n".join(out + err + run_out + run_err)
            bad = error_lines(run_err) + _stdout_errors(run_out)
            if bad:
                raise SimulationError("ngspice run failed:\n" + "\n".join(bad))
            new = [p for p in reversed(ng.plot_names) if p not in before and p != "const"]
            if not new:
                raise SimulationError("ngspice ran no analysis (no .op/.dc/.tran/.ac line?)")
            return [SpiceResult(analysis_of(p), p, _vectors(ng, p), log) for p in new]
        finally:
            _clean(ng)


def run_netlist(netlist, osdi=()):
    """Run a netlist in shared ngspice; return its last analysis.

    Parameters
    ----------
    netlist : str
        SPICE netlist text (see :func:`run_netlist_all`).
    osdi : sequence of path, optional
        OSDI files to load first.

    Returns
    -------
    SpiceResult
        Node voltages [V] via ``.v(node)``, branch currents [A] via
        ``.i(source)``, the sweep/time via ``.scale``.

    Examples
    --------
    >>> r = run_netlist("* divider\\nV1 a 0 1\\nR1 a b 1k\\nR2 b 0 1k\\n.op\\n")  # doctest: +SKIP
    >>> float(r.v("b")[0])  # doctest: +SKIP
    0.5
    """
    return run_netlist_all(netlist, osdi=osdi)[-1]
