"""Crossbar program-and-read cycle: ngspice (Verilog-A cells vs plain resistors) and the Python solver.

One cycle on an N x N 1R array (fresh cells, 1 Ohm per wire segment, 100 Ohm
drivers, virtual-ground columns): one V/2 write pulse on row 0 (4.5 V, 5 ms,
every other cell of the row selected), then one read pulse on row 0 (0.2 V,
10 us), in one ``uic`` transient (reltol 1e-4, Gear, KLU). The floor is the same
netlist with every cell a plain resistor (no states). The Python solver runs
the same phases (memcompact.crossbar.solver.simulate_phases; best of
--repeat-python runs, ngspice once). Prints wall times, ratios, and the
largest read-current difference in decades. Then (unless --no-acct) the same
two netlists once more with ``ngspice -b`` and ``.options acct`` (not timed):
Newton iterations, accepted / rejected time points, and ngspice's own
matrix load (device evaluation) and LU factor times, per iteration.

    .venv/bin/python benchmarks/bench_crossbar.py [--sizes 8 16 32 64] [--skip-ngspice-above N] [--no-acct]

A benchmark, not a test: numbers depend on the machine (2 shared cores here).
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np

from memcompact.crossbar.netlist import CrossbarSpec, phase_starts_s, run_transient_ngspice, transient_netlist
from memcompact.crossbar.operations import program_phases, read_phases
from memcompact.crossbar.solver import simulate_phases


def cycle(spec):
    pattern = np.zeros(spec.shape, dtype=bool)
    pattern[0, ::2] = True
    return program_phases(spec, pattern, "V/2")[:1] + read_phases(spec)[:1]


def read_ngspice(spec, phases, backend):
    start = time.perf_counter()
    t, cur, _ = run_transient_ngspice(spec.with_backend(backend), phases)
    wall = time.perf_counter() - start
    starts, _ = phase_starts_s(phases)
    sample = starts[-1] + phases[-1].sample_time_s()
    return wall, np.array([np.interp(sample, t, c) for c in cur]), t.size


ACCT_FIELDS = {"iterations": "Transient iterations", "accepted": "Accepted timepoints",
               "rejected": "Rejected timepoints", "load_s": "Transient load time",
               "factor_s": "Transient factor time", "solve_s": "Transient solve time"}


def acct_ngspice(spec, phases, backend):
    """ngspice's own statistics (``.options acct``, ``ngspice -b``) of the same transient netlist."""
    from memcompact.crossbar.cellmodel import cell_osdi
    from memcompact.spice import run_batch

    text = transient_netlist(spec.with_backend(backend), phases).replace(".options klu", ".options acct klu", 1)
    log = run_batch(text, osdi=[cell_osdi()] if backend == "verilog-a" else []).log
    out = {}
    for key, label in ACCT_FIELDS.items():
        match = re.search(rf"^{label}\s*=\s*(\S+)", log, re.MULTILINE)
        out[key] = float(match.group(1)) if match else float("nan")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--repeat-python", type=int, default=3, help="Python runs per size (best time kept)")
    parser.add_argument("--skip-ngspice-above", type=int, default=10**9,
                        help="run only the Python solver above this size")
    parser.add_argument("--no-acct", action="store_true",
                        help="skip the ngspice -b runs with .options acct (iteration counts)")
    args = parser.parse_args(argv)
    from memcompact.crossbar.cellmodel import cell_osdi
    cell_osdi()  # compile once, outside the timings
    rows, acct = [], []
    for n in args.sizes:
        spec = CrossbarSpec(n, n)
        phases = cycle(spec)
        t_py = float("inf")
        for _ in range(args.repeat_python):  # best of a few: the machine is shared
            start = time.perf_counter()
            py = simulate_phases(spec, phases)
            t_py = min(t_py, time.perf_counter() - start)
        i_py = py.column_currents_A[-1]
        if n <= args.skip_ngspice_above:
            t_va, i_va, pts = read_ngspice(spec, phases, "verilog-a")
            t_r, _, pts_r = read_ngspice(spec, phases, "resistor")
            dec = float(np.max(np.abs(np.log10(np.abs(i_py)) - np.log10(np.abs(i_va)))))
        else:
            t_va = t_r = dec = float("nan")
            pts = pts_r = 0
        rows.append((n, t_va, t_r, t_py, pts, pts_r, dec))
        print(f"{n}x{n}: verilog-a {t_va:.2f} s ({pts} points), resistors {t_r:.2f} s ({pts_r} points), "
              f"python {t_py:.2f} s, max read difference {dec:.2g} decades", flush=True)
        if n <= args.skip_ngspice_above and not args.no_acct:
            acct.append((n, acct_ngspice(spec, phases, "verilog-a"), acct_ngspice(spec, phases, "resistor")))
    print()
    print("| array | ngspice Verilog-A [s] | ngspice resistors [s] | VA / floor | Python solver [s] "
          "| ngspice VA / Python | max read diff [decades] |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n, t_va, t_r, t_py, _, _, dec in rows:
        print(f"| {n}x{n} | {t_va:.2f} | {t_r:.2f} | {t_va / t_r:.1f}x | {t_py:.2f} | {t_va / t_py:.1f}x | {dec:.2g} |")
    if acct:
        print()
        print("ngspice -b with .options acct (Verilog-A / resistors):")
        print()
        print("| array | Newton iterations | accepted points | rejected points | load per iteration [ms] "
              "| factor per iteration [ms] |")
        print("| --- | --- | --- | --- | --- | --- |")
        for n, va, r in acct:
            def per(d, key):
                return 1e3 * d[key] / d["iterations"]
            print(f"| {n}x{n} | {va['iterations']:.0f} / {r['iterations']:.0f} | {va['accepted']:.0f} / "
                  f"{r['accepted']:.0f} | {va['rejected']:.0f} / {r['rejected']:.0f} | {per(va, 'load_s'):.2f} / "
                  f"{per(r, 'load_s'):.2f} | {per(va, 'factor_s'):.2f} / {per(r, 'factor_s'):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
