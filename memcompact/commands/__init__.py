"""CLI subcommands, one module each (see :mod:`memcompact.cli`)."""
