"""Atomic output: write to a temporary file beside the target, then rename.

A run that fails half-way leaves the target untouched (or absent): no
half-written CSV, card or figure.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path, suffix=None):
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    Parameters
    ----------
    path : str or os.PathLike
        Final destination. Its folder is created if missing.
    suffix : str, optional
        Suffix of the temporary file (defaults to the target's, so that tools
        that pick a format from the extension, such as matplotlib, still work).

    Notes
    -----
    If the body raises, the temporary file is removed and the exception
    propagates; ``path`` is not touched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix if suffix is not None else path.suffix,
        dir=path.parent,
    )
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp creates the file 0600; a result file gets the usual mode (0666 less the umask)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file.
    text : str
        Content.
    encoding : str
        Text encoding.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)


def atomic_write_bytes(path, data):
    """Write ``data`` (bytes) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_savefig(fig, path, **kwargs):
    """Save a matplotlib figure atomically (format from the extension of ``path``)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=Path(path).suffix.lstrip(".") or "png", **kwargs)
