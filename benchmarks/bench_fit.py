"""Fitting speed: one long I-t curve, and a 4-curve global fit.

Run: ``.venv/bin/python benchmarks/bench_fit.py [--repeat 1]``

The data are synthetic (tests/fit/conftest.py's device: the compact model with
known parameters, 1 kOhm series resistance, 5 % multiplicative noise plus a
20 fA additive floor), so every row also says whether the known parameters
came back within 10 %:

1. one curve at 2.95 V, 600 s, 3,000 points (goal: < 5 s on 2 cores);
2. a global fit of 4 curves at 2.85, 2.95, 3.05, 3.15 V, 600 s, 601 points
   each (goal: < 30 s on 2 cores);
3. the same sizes on model-agnostic shapes (tests/fit/curve_shapes.py,
   0.04-decade noise, 2e-13 A floor): one 3,000-point formation curve, one
   3,000-point formation + ECM jump curve (the issue's), and 4 formation
   curves at the four voltages (no known parameters: ``max rel err`` nan).

Both start from automatic starting values, with the default set of fitted
parameters (memcompact.fit.default_vary) and the default budget. Columns:
wall and CPU time [s], residual evaluations (nfev), solver calls (residuals
plus Jacobians, each ONE vectorised integrate call), worst log-current RMS
[decades] and the largest relative error of a fitted parameter. The goal is checked on wall time and on CPU time: the
machine is shared, and wall time also counts other people's processes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memcompact.fit import fit_it  # noqa: E402
from memcompact.model import constant, integrate, preset_params  # noqa: E402

TRUE = dict(nucleation_barrier_eV=1.44, nucleation_voltage_fraction=0.2, growth_activation_eV=1.45,
            tunnel_resistance_ohm=8e4, leakage_conductance_S=2e-13, reservoir_m3=1e-15)


def make_curves(voltages_V, duration_s, n_samples, seed=0):
    from memcompact.io import ITCurve

    true = preset_params("ag_sio2")
    true.update(TRUE)
    t = np.linspace(0.0, duration_s, n_samples)
    sol = integrate(true, constant(1.0, duration_s), t_eval=t, n_devices=len(voltages_V),
                    voltage_scale=np.asarray(voltages_V, dtype=float), series_resistance_ohm=1000.0)
    rng = np.random.default_rng(seed)
    return true, [ITCurve(t, sol.current_A[k] * (1 + 0.05 * rng.standard_normal(t.size))
                          + 2e-14 * rng.standard_normal(t.size), v, metadata={"series_resistance_ohm": "1000"})
                  for k, v in enumerate(voltages_V)]


def run_case(label, voltages_V, duration_s, n_samples, goal_s):
    true, curves = make_curves(voltages_V, duration_s, n_samples)
    # warm-up: the model code is generated once per process
    integrate(true, constant(3.0, 1.0), t_eval=np.linspace(0, 1, 3))
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_it(curves)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    worst = max(abs(result.params[n] / true[n] - 1) for n in result.vary)
    mres = result.minimizer_result
    njev = int(getattr(mres, "njev", 0) or 0)
    return dict(case=label, points=sum(c.time_s.size for c in curves), wall=wall, cpu=cpu, nfev=mres.nfev,
                calls=mres.nfev + njev, rms=max(result.rms_decades), err=worst, goal=goal_s,
                ok="yes" if wall < goal_s else "NO", ok_cpu="yes" if cpu < goal_s else "NO")


def shape_curves(voltages_V, n_samples, kind, seed=1):
    """Model-agnostic curves (tests/fit/curve_shapes.py): 0.04-decade noise, 2e-13 A floor, 600 s.

    ``kind`` ``formation``: formation only, its delay falling tenfold per
    0.25 V (300 s at 2.85 V); ``ecm``: the issue's curve at 3 V, 6 decades at
    60 s then an ECM jump to 1.5 mA at 180 s (300 s record).
    """
    from memcompact.io import ITCurve
    from tests.fit.curve_shapes import Shape, Step, make_curve

    curves = []
    for k, v in enumerate(voltages_V):
        if kind == "formation":
            t_form = 300.0 * 10 ** (-(v - 2.85) / 0.25)
            shape = Shape(f"formation_{v:g}V", v, 600.0, n_samples, -12.0, (Step("form", t_form, -6.0, 0.6),))
        else:
            shape = Shape("formation_ecm", v, 300.0, n_samples, -12.0,
                          (Step("form", 60.0, -6.0, 0.6), Step("ecm", 180.0, np.log10(1.5e-3), 0.5)))
        t, measured, _ = make_curve(shape, 0.04, seed + k)
        curves.append(ITCurve(t, measured, v, source=shape.name))
    return curves


def run_shape_case(label, voltages_V, n_samples, kind, goal_s):
    curves = shape_curves(voltages_V, n_samples, kind)
    integrate(preset_params("ag_sio2"), constant(3.0, 1.0), t_eval=np.linspace(0, 1, 3))
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_it(curves)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    mres = result.minimizer_result
    njev = int(getattr(mres, "njev", 0) or 0)
    return dict(case=label, points=sum(c.time_s.size for c in curves), wall=wall, cpu=cpu, nfev=mres.nfev,
                calls=mres.nfev + njev, rms=max(result.rms_decades), err=float("nan"), goal=goal_s,
                ok="yes" if wall < goal_s else "NO", ok_cpu="yes" if cpu < goal_s else "NO")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (the fastest is printed)")
    args = parser.parse_args(argv)
    cases = [("1 curve, 3000 points", [2.95], 600.0, 3000, 5.0),
             ("4 curves global, 601 points each", [2.85, 2.95, 3.05, 3.15], 600.0, 601, 30.0)]
    print(f"memcompact fit benchmark ({os.cpu_count()} CPUs visible)")
    head = (f"{'case':38s} {'points':>6s} {'wall s':>7s} {'cpu s':>7s} {'nfev':>5s} {'calls':>5s} "
            f"{'RMS dec':>7s} {'max rel err':>11s} {'goal s':>6s} {'met (wall)':>10s} {'met (cpu)':>9s}")
    print(head)
    print("-" * len(head))
    shape_cases = [("shape: formation, 3000 points", [3.0], 3000, "formation", 5.0),
                   ("shape: formation + ECM, 3000 points", [3.0], 3000, "ecm", 5.0),
                   ("shapes: 4 curves global, 601 each", [2.85, 2.95, 3.05, 3.15], 601, "formation", 30.0)]
    jobs = [(lambda c=c: run_case(*c)) for c in cases] + [(lambda c=c: run_shape_case(*c)) for c in shape_cases]
    for job in jobs:
        rows = [job() for _ in range(max(args.repeat, 1))]
        r = min(rows, key=lambda row: row["wall"])
        print(f"{r['case']:38s} {r['points']:6d} {r['wall']:7.2f} {r['cpu']:7.2f} {r['nfev']:5d} {r['calls']:5d} "
              f"{r['rms']:7.3f} {r['err']:11.3f} {r['goal']:6.0f} {r['ok']:>10s} {r['ok_cpu']:>9s}")


if __name__ == "__main__":
    main()
