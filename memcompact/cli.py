"""The ``memcompact`` command line.

Each subcommand lives in its own module under :mod:`memcompact.commands` and
provides ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
Bad input (any :class:`~memcompact.errors.InputError`) ends with a one-line
reason on stderr and exit status 2; toolchain errors with status 3.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from memcompact import __version__
from memcompact.errors import InputError, ToolchainError

#: Order in which ``--help`` lists the subcommands, by pipeline stage. Every
#: module under :mod:`memcompact.commands` is a subcommand; one not named here
#: is listed after these, alphabetically, so adding a command means adding
#: only its module.
COMMAND_ORDER = ("check", "chain", "card", "simulate", "condense", "fit", "export",
                 "crossbar", "study", "sweep", "demo")


def _command_modules():
    import memcompact.commands as pkg
    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))
    rank = {n: i for i, n in enumerate(COMMAND_ORDER)}
    names.sort(key=lambda n: (rank.get(n, len(rank)), n))
    return tuple(f"memcompact.commands.{n}" for n in names)


#: Subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES = _command_modules()


class _Parser(argparse.ArgumentParser):
    """argparse parser whose usage errors exit with status 2 and one line."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser():
    """Build the argument parser with every registered subcommand."""
    parser = _Parser(
        prog="memcompact",
        description=(
            "Memristor compact model from the electrochemical dynamics of metal "
            "nanoclusters in dielectrics. Units: SI throughout (s, A, V, m, K)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"memcompact {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for modname in COMMAND_MODULES:
        module = importlib.import_module(modname)
        p = sub.add_parser(module.NAME, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP),
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return int(args._run(args) or 0)
    except InputError as exc:
        print(f"memcompact {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ToolchainError as exc:
        print(f"memcompact {args.command}: toolchain error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(f"memcompact {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
