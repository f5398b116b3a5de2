"""Convergence survey at scale: 1,000 random devices, with ``uic`` and from the operating point.

The survey of tests/export/test_convergence.py (parameters drawn across the table,
seed 0; a +-V sweep then 20 +-V pulses with 1 ns edges; 1 kOhm; ngspice default options),
run on more devices. Prints the failures per mode, run wall times, how far the
operating-point runs lie from the uic runs, and the total wall time.

    .venv/bin/python benchmarks/bench_convergence.py [--devices 1000] [--workers 2]

A benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import sys

from memcompact.export.convergence import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if not any(a.startswith("--devices") for a in args):
        args = ["--devices", "1000", *args]
    raise SystemExit(main(args))
