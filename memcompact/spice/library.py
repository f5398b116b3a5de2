"""Find the shared ngspice library (``libngspice.so``) that PySpice loads."""

from __future__ import annotations

import ctypes.util
import glob
import os
import sys

from memcompact.errors import ToolchainError

#: Environment variable naming the library explicitly (takes precedence).
ENV_VAR = "MEMCOMPACT_NGSPICE_LIB"

_COMMON = (
    "/usr/lib/*/libngspice.so", "/usr/lib/libngspice.so", "/usr/lib64/libngspice.so",
    "/usr/local/lib/libngspice.so", "/usr/local/lib/*/libngspice.so",
    "/opt/homebrew/lib/libngspice.dylib", "/usr/local/lib/libngspice.dylib",
)

INSTALL_HINT = (
    "install ngspice >= 42 with OSDI and its shared library (Debian 12: `make test` or "
    "scripts/setup.sh does it from bookworm-backports: ngspice libngspice0 libngspice0-dev), "
    f"or set {ENV_VAR}=/path/to/libngspice.so"
)


def find_libngspice():
    """Return the path (or loader name) of the shared ngspice library.

    Looks, in order, at ``$MEMCOMPACT_NGSPICE_LIB``, PySpice's own
    ``$NGSPICE_LIBRARY_PATH``, the dynamic loader's cache
    (:func:`ctypes.util.find_library`) and common install folders.

    Returns
    -------
    str
        A path, or a name the dynamic loader resolves (e.g. ``libngspice.so.0``).

    Raises
    ------
    ToolchainError
        The variable names a missing file, or no library was found.
    """
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        if not os.path.exists(explicit):
            raise ToolchainError(f"{ENV_VAR}={explicit}: no such file")
        return explicit
    pyspice = os.environ.get("NGSPICE_LIBRARY_PATH")
    if pyspice and os.path.exists(pyspice):
        return pyspice
    found = ctypes.util.find_library("ngspice")
    if found:
        return found
    for pattern in _COMMON:
        hits = sorted(glob.glob(pattern))
        if hits:
            return hits[0]
    raise ToolchainError(f"shared ngspice library (libngspice) not found on {sys.platform}: {INSTALL_HINT}")
