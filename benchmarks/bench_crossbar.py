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

``--scale`` runs the Python solver alone at large sizes instead, each size in its own process
(so its peak RSS, from ``resource.getrusage``, is its own): the same cycle at ``--cycle-sizes``
(default 64 128 256 512) with the line-preconditioned conjugate gradients, against the same cycle
solved with SuperLU (``method="direct"``) up to ``--direct-up-to`` (default 128); and a VMM with IR
drop (DC, states frozen: a checkerboard of formed cells, random row voltages up to 0.2 V) at
``--vmm-sizes`` (default 256 512 1024), against SuperLU up to ``--direct-up-to-vmm`` (default 512)
and against the ideal product. Wall and CPU time, peak RSS, conjugate-gradient iterations:

    .venv/bin/python benchmarks/bench_crossbar.py --scale [--cycle-sizes ...] [--vmm-sizes ...]

A benchmark, not a test: numbers depend on the machine (2 shared cores here).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
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


def _usage():
    """Wall [s], CPU [s] and peak RSS [MB] of this process so far."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def child_cycle(n, method):
    """One cycle at N x N with ``method``: timings, read currents of row 0, solver counters."""
    spec = CrossbarSpec(n, n)
    phases = cycle(spec)
    cpu0, _ = _usage()
    start = time.perf_counter()
    res = simulate_phases(spec, phases, method=method)
    wall = time.perf_counter() - start
    cpu, rss = _usage()
    return {"wall_s": wall, "cpu_s": cpu - cpu0, "rss_MB": rss, "read_A": res.column_currents_A[-1].tolist(),
            "cg_iterations": res.info["cg_iterations"], "fallback": res.info["fallback"],
            "thevenin_gap": res.info["thevenin_gap"]}


def vmm_spec(n, seed=0):
    """N x N 1R array, checkerboard of formed cells (the CLI's `--task vmm`), and its random inputs [V]."""
    from memcompact.commands.crossbar import _formed_states

    spec = CrossbarSpec(n, n)
    checker = np.add.outer(np.arange(n), np.arange(n)) % 2 == 0
    spec = spec.with_states(_formed_states(spec, checker))
    return spec, np.random.default_rng(seed).uniform(0.0, 0.2, n)


def child_vmm(n, method):
    """One VMM with IR drop at N x N: timings, column currents, error against the ideal product."""
    from memcompact.crossbar.solver import ideal_vmm, solve_dc

    spec, row_V = vmm_spec(n)
    g = spec.conductance_S()
    cpu0, _ = _usage()
    start = time.perf_counter()
    dc = solve_dc(spec, row_V, conductance_S=g, method=method)
    wall = time.perf_counter() - start
    cpu, rss = _usage()
    ideal = ideal_vmm(g, row_V)
    return {"wall_s": wall, "cpu_s": cpu - cpu0, "rss_MB": rss, "currents_A": dc.column_currents_A.tolist(),
            "iterations": dc.iterations, "ideal_error": float(np.max(np.abs(dc.column_currents_A / ideal - 1)))}


def run_child(task, n, method):
    """Run one measurement in a fresh interpreter (its own peak RSS); returns its JSON record."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", task, str(n), method],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main_scale(args):
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.1f} (2 cores)", flush=True)
    print()
    print("Program/read cycle (one V/2 write pulse, one read; fresh cells; full compact model):")
    print()
    print("| array | cells | wall [s] | CPU [s] | peak RSS [MB] | CG iterations | largest Thevenin bound gap "
          "| direct (SuperLU) wall [s] | max read diff vs direct [decades] |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in args.cycle_sizes:
        it = run_child("cycle", n, "iterative")
        if n <= args.direct_up_to:
            di = run_child("cycle", n, "direct")
            diff = float(np.max(np.abs(np.log10(np.abs(it["read_A"])) - np.log10(np.abs(di["read_A"])))))
            direct = f"{di['wall_s']:.2f} | {diff:.1e}"
        else:
            direct = "- | -"
        print(f"| {n}x{n} | {n * n:,} | {it['wall_s']:.2f} | {it['cpu_s']:.2f} | {it['rss_MB']:.0f} | "
              f"{it['cg_iterations']} | {it['thevenin_gap']:.2g} | {direct} |", flush=True)
    print()
    print("VMM with IR drop (DC, states frozen, checkerboard of formed cells, random inputs <= 0.2 V):")
    print()
    print("| array | cells | wall [s] | CPU [s] | peak RSS [MB] | CG iterations | direct (SuperLU) wall [s] "
          "| max relative diff vs direct | max relative error vs ideal |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in args.vmm_sizes:
        it = run_child("vmm", n, "iterative")
        if n <= args.direct_up_to_vmm:
            di = run_child("vmm", n, "direct")
            diff = float(np.max(np.abs(np.array(it["currents_A"]) / np.array(di["currents_A"]) - 1)))
            direct = f"{di['wall_s']:.2f} | {diff:.1e}"
        else:
            direct = "- | -"
        print(f"| {n}x{n} | {n * n:,} | {it['wall_s']:.2f} | {it['cpu_s']:.2f} | {it['rss_MB']:.0f} | "
              f"{it['iterations']} | {direct} | {it['ideal_error']:.3g} |", flush=True)
    print()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        task, n, method = argv[1], int(argv[2]), argv[3]
        record = (child_cycle if task == "cycle" else child_vmm)(n, method)
        print(json.dumps(record))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="the Python solver alone at large sizes (see above)")
    parser.add_argument("--cycle-sizes", type=int, nargs="+", default=[64, 128, 256, 512])
    parser.add_argument("--vmm-sizes", type=int, nargs="+", default=[256, 512, 1024])
    parser.add_argument("--direct-up-to", type=int, default=128,
                        help="--scale: run the cycle with SuperLU too up to this size")
    parser.add_argument("--direct-up-to-vmm", type=int, default=512,
                        help="--scale: run the VMM with SuperLU too up to this size")
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--repeat-python", type=int, default=3, help="Python runs per size (best time kept)")
    parser.add_argument("--skip-ngspice-above", type=int, default=10**9,
                        help="run only the Python solver above this size")
    parser.add_argument("--no-acct", action="store_true",
                        help="skip the ngspice -b runs with .options acct (iteration counts)")
    args = parser.parse_args(argv)
    if args.scale:
        return main_scale(args)
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
