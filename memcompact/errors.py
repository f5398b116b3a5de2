"""Typed exceptions of memcompact.

Every error caused by what a user gave (a file, a card, an argument) derives
from :class:`InputError`; the command line turns it into a one-line message and
exit status 2.  Toolchain problems (no ngspice, no OSDI, no Verilog-A compiler)
raise :class:`ToolchainError`.
"""

from __future__ import annotations


class MemcompactError(Exception):
    """Base class of all memcompact errors."""


class InputError(MemcompactError, ValueError):
    """Bad input from the user: the CLI exits with status 2."""


class DataFileError(InputError):
    """A malformed I-t data file.

    Parameters
    ----------
    path : str
        The file.
    line : int or None
        1-based line number of the problem, None when it concerns the whole file.
    problem : str
        What is wrong, in a few words.
    """

    def __init__(self, path, line, problem):
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class CardError(InputError):
    """A malformed model card (JSON)."""

    def __init__(self, path, problem):
        self.path = str(path) if path is not None else "<card>"
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ParameterError(InputError):
    """A parameter that is unknown, missing or outside its bounds.

    Parameters
    ----------
    name : str
        The parameter's name.
    problem : str
        What is wrong with it.
    """

    def __init__(self, name, problem):
        self.name = name
        self.problem = problem
        super().__init__(f"parameter '{name}': {problem}")


class ToolchainError(MemcompactError, RuntimeError):
    """ngspice, its OSDI support or the Verilog-A compiler is missing or failed."""
