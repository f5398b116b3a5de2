"""Waveform fits: a 10-period triangle of 16,000 points, a short sweep, a pulse train.

Run: ``.venv/bin/python benchmarks/bench_fit_waveform.py [--rows triangle,sweep,pulses] [--max-nfev 30]``

The data come from the model-agnostic switch of tests/fit/waveform_shapes.py
(numpy only: self-accelerating SET and RESET with exponential voltage
dependence, a non-ohmic OFF branch, 500 Ohm in the loop, 3 % multiplicative
and 2 pA additive noise), never from the compact model:

1. ``triangle``: 10 periods of 0 -> 2.5 -> -1.5 -> 0 V at 1 s, 1,600 points
   each (16,000 points; goal: < 60 s on 2 cores); ``triangle-fixed``: the
   same with the lateral growth held off (``radius_growth_m`` and
   ``radius_ecm_growth_m`` = 0: the generator's filament does not thicken);
2. ``sweep``: one period of the same triangle, 400 points;
3. ``pulses``: a pulse train (reads at 0.2 V, a 1.75 V / 10 ms SET pulse, a
   -1.1 V / 10 ms RESET pulse, 0.2 ms samples).

Every fit starts from the automatic waveform starts (memcompact.fit.mixed)
with the default fitted set and ``--max-nfev`` residual evaluations.
Columns: wall and CPU time [s] (the machine is shared: wall time counts other
people's processes, CPU time does not), residual evaluations, stimulus
corners, asinh RMS [decades], the mean SET and RESET voltages (sweeps) or
times (pulses) of generator truth and fitted model, how many of the data's
switching events the model matches, and whether the goal is
met on wall and on CPU time. With ``--figures DIR`` the sweep and pulse fits
are drawn to DIR/fit_sweep.png and DIR/fit_pulse.png (docs/fitting.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memcompact.fit import fit_it  # noqa: E402
from memcompact.io import ITCurve  # noqa: E402
from tests.fit.waveform_shapes import pulse_drive, switch_device, triangle_drive  # noqa: E402

GOAL_S = {"triangle": 60.0, "triangle-fixed": 60.0}
#: Rows whose fit holds the lateral growth off.
NO_LATERAL_GROWTH = {"radius_growth_m": 0.0, "radius_ecm_growth_m": 0.0}


def _case(name):
    if name.startswith("triangle"):
        t, v = triangle_drive(2.5, -1.5, 1.0, cycles=10, points_per_period=1600)
    elif name == "sweep":
        t, v = triangle_drive(2.5, -1.5, 1.0, cycles=1, points_per_period=400)
    else:
        t, v = pulse_drive([(1.75, 0.01), (-1.1, 0.01)])
    i, truth = switch_device(t, v, seed=1)
    return ITCurve(t, i, v, metadata={"series_resistance_ohm": "500"}, source=f"{name}.csv"), truth


def _mean(events, kind, key):
    vals = [e[key] for e in events if e["kind"] == kind and e[key] is not None]
    return float(np.mean(vals)) if vals else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", default="triangle,sweep,pulses")
    ap.add_argument("--max-nfev", type=int, default=30)
    ap.add_argument("--figures", metavar="DIR", help="write fit_sweep.png and fit_pulse.png here")
    ap.add_argument("--verbose", action="store_true", help="fitted values and the optimizer's message on stderr")
    args = ap.parse_args()
    print(f"# bench_fit_waveform, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
          f"max_nfev {args.max_nfev}")
    print("| case | samples | corners | wall [s] | CPU [s] | nfev | asinh RMS [dec] | SET truth / model | "
          "RESET truth / model | switches matched | goal |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.rows.split(","):
        curve, truth = _case(name)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        fix = NO_LATERAL_GROWTH if name.endswith("-fixed") else ()
        result = fit_it([curve], max_nfev=args.max_nfev, fix=fix)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        rec = result.card["curves"][0]
        sw = rec["switching"]["events"]
        key, unit = ("time_s", "s") if name == "pulses" else ("voltage_V", "V")
        mkey = "model_" + key
        cells = []
        for kind in ("set", "reset"):
            t_true = _mean(truth, kind, key)
            t_model = _mean(sw, kind, mkey)
            cells.append(f"{t_true:.4g} / {t_model:.4g} {unit}")
        goal = GOAL_S.get(name)
        met = "" if goal is None else (f"< {goal:g} s: wall {'met' if wall < goal else 'NOT met'}, "
                                        f"CPU {'met' if cpu < goal else 'NOT met'}")
        missed = rec["switching"]["missed"]
        print(f"| {name} | {rec['samples']} | {rec['stimulus_corners']} | {wall:.1f} | {cpu:.1f} | "
              f"{result.card['fit']['nfev']} | {rec['rms_asinh']:.3f} | {cells[0]} | {cells[1]} | "
              f"{len(sw) - missed}/{len(sw)} | {met} |", flush=True)
        if args.verbose:
            print(result.card["fit"]["message"], {k: f"{v:.4g}" for k, v in result.params.items()
                                                  if k in result.vary}, file=sys.stderr)
        if args.figures and name in ("sweep", "pulses"):
            result.plot(Path(args.figures) / ("fit_sweep.png" if name == "sweep" else "fit_pulse.png"))


if __name__ == "__main__":
    main()
