"""Compact-model speed: many devices at once vs a per-device scipy loop.

Run: ``.venv/bin/python benchmarks/bench_model.py [--devices 10000] [--loop-devices 20]``

Prints a table:

1. N devices with spread parameters (seeded, DEFAULT_SPREAD), 300 s constant
   3 V stress through 1 kOhm, abrupt formation resolved: wall time of
   :func:`memcompact.model.integrate` (goal: 10,000 devices < 10 s on 2 cores).
2. The same first ``--loop-devices`` devices with a per-device loop over
   ``scipy.integrate.solve_ivp`` (Radau and LSODA), tolerances matched so
   both agree with a tight reference to the same accuracy; the per-device
   cost ratio (goal >= 50x).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.integrate import solve_ivp

from memcompact.model import compiled, constant, default_params, integrate
from memcompact.model.solver import ATOL
from memcompact.model.variability import sample_devices

SERIES_OHM = 1000.0
DURATION_S = 300.0
VOLTAGE_V = 3.0


def scipy_device(params, method, rtol, t_eval):
    """One device with solve_ivp; returns log10|I| at t_eval."""
    stim = constant(VOLTAGE_V, DURATION_S)

    def f(t, y):
        v = stim.voltage(t) / (1.0 + compiled.conductance(tuple(y), params) * SERIES_OHM)
        d, _, _ = compiled.rhs(v, tuple(y), params)
        return np.array(d, dtype=float)

    y0 = np.array(compiled.initial_state(params), dtype=float)
    sol = solve_ivp(f, (0, DURATION_S), y0, method=method, rtol=rtol, atol=ATOL, t_eval=t_eval)
    y = sol.y
    v = stim.voltage(t_eval) / (1.0 + compiled.conductance(tuple(y), params) * SERIES_OHM)
    _, i, _ = compiled.rhs(v, tuple(y), params)
    return np.log10(np.abs(i)), sol.nfev


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=10000)
    ap.add_argument("--loop-devices", type=int, default=20)
    args = ap.parse_args(argv)

    nominal = default_params()
    devices = sample_devices(nominal, args.devices, seed=1)
    t_eval = np.linspace(0, DURATION_S, 601)
    stim = constant(VOLTAGE_V, DURATION_S)

    t0 = time.perf_counter()
    sol = integrate(devices, stim, t_eval=t_eval, series_resistance_ohm=SERIES_OHM, rtol=1e-3)
    t_vec = time.perf_counter() - t0
    formed = np.mean(np.abs(sol.current_A[:, -1]) > 1e-9)

    n_loop = min(args.loop_devices, args.devices)
    sub = {k: (v[:n_loop] if np.ndim(v) == 1 else v) for k, v in devices.items()}
    ref = integrate(sub, stim, t_eval=t_eval, series_resistance_ohm=SERIES_OHM, rtol=1e-6)
    log_ref = np.log10(np.abs(ref.current_A))
    t0 = time.perf_counter()
    small = integrate(sub, stim, t_eval=t_eval, series_resistance_ohm=SERIES_OHM, rtol=1e-3)
    t_small = time.perf_counter() - t0
    err_vec = np.sqrt(np.mean((np.log10(np.abs(small.current_A)) - log_ref) ** 2))

    rows = [("memcompact ROS2, vectorised", args.devices, t_vec, t_vec / args.devices, float("nan")),
            ("memcompact ROS2, vectorised", n_loop, t_small, t_small / n_loop, err_vec)]
    for method, rtol in (("Radau", 1e-4), ("LSODA", 1e-4)):
        t0 = time.perf_counter()
        errs = []
        for k in range(n_loop):
            pk = {name: (v[k] if np.ndim(v) == 1 else v) for name, v in sub.items()}
            log_i, _ = scipy_device(pk, method, rtol, t_eval)
            errs.append(np.mean((log_i - log_ref[k]) ** 2))
        t_loop = time.perf_counter() - t0
        rows.append((f"scipy solve_ivp {method} loop", n_loop, t_loop, t_loop / n_loop, np.sqrt(np.mean(errs))))

    print(f"Compact model, {VOLTAGE_V} V for {DURATION_S:g} s through {SERIES_OHM:g} Ohm, spread devices "
          f"(formed by the end: {100 * formed:.0f} %)")
    print(f"{'solver':34s} {'devices':>8s} {'wall [s]':>9s} {'per device [ms]':>16s} {'RMS err [dec]':>14s}")
    for name, n, wall, per, err in rows:
        print(f"{name:34s} {n:8d} {wall:9.2f} {1e3 * per:16.3f} {err:14.3f}")
    per_vec = t_vec / args.devices
    for name, n, wall, per, err in rows[2:]:
        print(f"speed-up of the vectorised solver over {name}: {per / per_vec:.0f}x per device")


if __name__ == "__main__":
    main()
