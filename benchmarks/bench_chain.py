"""Benchmark of the cluster-chain simulator: run time of the default run and its growth.

Run: ``.venv/bin/python benchmarks/bench_chain.py``. Prints a table of wall
time [s], time steps and formation time for the default Ag run (3 V, 40 nm,
300 s, seed 1), for durations 100/300/1000 s and thicknesses 20/40/50 nm
(each the median of three repeats).
"""

from __future__ import annotations

import statistics
import time

from memcompact.chain import preset, simulate_chain


def timed(duration_s=300.0, thickness_m=40e-9, voltage_V=3.0, seed=1, repeats=3):
    """Median wall time [s], steps and formation time [s] of one configuration."""
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = simulate_chain(preset("Ag", thickness_m=thickness_m), voltage_V, duration_s, seed=seed)
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls), result.n_steps, result.events["t_form_s"]


def main():
    rows = [("default (3 V, 40 nm, 300 s)", dict())]
    rows += [(f"duration {d:g} s", dict(duration_s=d)) for d in (100.0, 300.0, 1000.0)]
    # the field is kept at 0.75 MV/cm: V scales with the thickness
    rows += [(f"thickness {L * 1e9:g} nm ({0.75e8 * L:.2g} V)", dict(thickness_m=L, voltage_V=0.75e8 * L))
             for L in (20e-9, 40e-9, 50e-9)]
    print(f"{'configuration':<32} {'wall [s]':>9} {'steps':>7} {'t_form [s]':>11}")
    for label, kw in rows:
        wall, steps, t_form = timed(**kw)
        tf = "-" if t_form is None else f"{t_form:.4g}"
        print(f"{label:<32} {wall:>9.2f} {steps:>7d} {tf:>11}")


if __name__ == "__main__":
    main()
