"""Compact-model speed: many devices at once vs a per-device scipy loop.

Run: ``.venv/bin/python benchmarks/bench_model.py [--sizes 100 1000 10000] [--loop-devices 20]``

Stress: devices with spread parameters (seeded, DEFAULT_SPREAD), 300 s at a
constant 3 V through 1 kOhm, 601 output times; the abrupt formation, the
depletion drop and the refill are resolved by the step-size control alone.

Prints two tables:

1. Vectorised solver (:func:`memcompact.model.integrate`, ROS2, rtol 1e-3)
   for N devices: wall and CPU time, vectorised iterations, accepted and
   rejected steps per device (goal: 10,000 devices in < 10 s on 2 cores).
   The one-off generation of the model code is done before timing and
   printed on its own.
2. Accuracy and cost per device on the first ``--loop-devices`` devices,
   against a tight reference (scipy Radau, rtol 1e-8, atol 1e-9, as in
   tests/model/test_solver.py): median |error of log10 I| over all outputs,
   its 95th percentile away from the switching edges (outputs within 2 s of
   a reference jump of more than 0.5 decade per output), and the largest
   error of the formation time (first output 2 decades above the start).
   The vectorised solver's row is taken from the largest N run (devices are
   independent, so the sample's results do not depend on N). Then a
   per-device loop over ``scipy.integrate.solve_ivp`` (Radau and LSODA, the
   solver's per-state absolute tolerances, the same generated right-hand
   side) on a ladder of rtol; "matched" is the loosest rtol whose three
   errors are all no larger than the vectorised solver's, and the speed-up
   is its CPU time per device over the vectorised CPU time per device at
   the largest N (goal >= 50x). CPU time (``time.process_time``) is used
   for the ratio because the machine is shared: wall time also counts the
   other processes (both are printed).
3. The same loops at the matched rtol with a scalar right-hand side: the
   generated ``solver_derivatives`` text with ``math`` functions in place of
   numpy's (numpy's per-call overhead on scalars dominates the loop above),
   the fastest plain-Python loop this benchmark knows.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
from scipy.integrate import solve_ivp

from memcompact.model import compiled, constant, default_params, integrate, solver
from memcompact.model.variability import sample_devices

SERIES_OHM = 1000.0
DURATION_S = 300.0
VOLTAGE_V = 3.0
RTOL = 1e-3
SCIPY_RTOLS = (1e-2, 3e-3, 1e-3, 1e-4, 1e-5, 1e-6)
T_EVAL = np.linspace(0.0, DURATION_S, 601)


def device_params(params, k):
    """Parameters of device k from per-device arrays."""
    return {name: (v[k] if np.ndim(v) == 1 else v) for name, v in params.items()}


def scipy_device(params, method, rtol, atol, derivatives=None):
    """One device with solve_ivp; returns (log10|I| at T_EVAL, nfev).

    The right-hand side is the generated numpy one, or ``derivatives`` (e.g.
    :func:`scalar_derivatives`) called on Python floats.
    """
    q = compiled.solver_prepare(params)
    if derivatives is None:
        def f(t, y):
            return np.array(compiled.solver_derivatives(VOLTAGE_V, SERIES_OHM, tuple(y), q), dtype=float)
    else:
        q_float = {k: float(v) for k, v in q.items()}

        def f(t, y):
            return derivatives(VOLTAGE_V, SERIES_OHM, (float(y[0]), float(y[1]), float(y[2]), float(y[3])), q_float)

    y0 = np.array(compiled.initial_state(params), dtype=float)
    sol = solve_ivp(f, (0.0, DURATION_S), y0, method=method, rtol=rtol, atol=atol, t_eval=T_EVAL)
    if not sol.success:
        raise RuntimeError(f"solve_ivp {method} rtol={rtol:g}: {sol.message}")
    current, _, _ = compiled.solver_outputs(np.full(T_EVAL.size, VOLTAGE_V), SERIES_OHM, tuple(sol.y), q)
    return np.log10(np.abs(current)), sol.nfev


def scalar_derivatives():
    """``solver_derivatives`` for one device on Python floats: the generated text with ``math`` functions."""
    source = compiled.python_source()
    text = source[source.index("def solver_derivatives"):source.index("def solver_outputs")]
    for numpy_name, math_name in (("np.exp", "math.exp"), ("np.log", "math.log"), ("np.sqrt", "math.sqrt"),
                                  ("np.tanh", "math.tanh"), ("np.abs", "abs"), ("np.minimum", "min"),
                                  ("np.maximum", "max")):
        text = text.replace(numpy_name, math_name)
    namespace = {"math": math, **{k: v for k, v in compiled.compiled().items() if isinstance(v, float)}}
    exec(compile(text, "<scalar solver_derivatives>", "exec"), namespace)  # noqa: S102
    return namespace["solver_derivatives"]


def formation_time_s(log_i, rise_dec=2.0):
    """First output time 2 decades above the second output's current, per device (nan if never)."""
    out = np.full(log_i.shape[0], np.nan)
    for k, row in enumerate(log_i):
        hit = np.nonzero(row > row[1] + rise_dec)[0]
        if hit.size:
            out[k] = T_EVAL[hit[0]]
    return out


def accuracy(log_i, log_ref):
    """(median |d log10 I|, its 95th percentile away from edges, max formation-time error [s])."""
    err = np.abs(log_i - log_ref)
    jump = np.zeros(log_ref.shape, dtype=bool)
    jump[:, 1:] = np.abs(np.diff(log_ref, axis=1)) > 0.5
    near = jump.copy()
    for s in range(1, int(np.ceil(2.0 / (T_EVAL[1] - T_EVAL[0]))) + 1):
        near[:, s:] |= jump[:, :-s]
        near[:, :-s] |= jump[:, s:]
    t_form, t_ref = formation_time_s(log_i), formation_time_s(log_ref)
    both = np.isfinite(t_form) & np.isfinite(t_ref)
    if np.any(np.isfinite(t_form) != np.isfinite(t_ref)):
        t_err = np.inf
    else:
        t_err = float(np.max(np.abs(t_form - t_ref)[both])) if np.any(both) else 0.0
    return float(np.median(err)), float(np.percentile(err[~near], 95)), t_err


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--loop-devices", type=int, default=20)
    args = ap.parse_args(argv)

    stim = constant(VOLTAGE_V, DURATION_S)
    t0 = time.perf_counter()
    compiled.compiled()  # one-off: generate and compile the model code
    t_codegen = time.perf_counter() - t0
    nominal = default_params()

    print(f"Compact model: {VOLTAGE_V:g} V for {DURATION_S:g} s through {SERIES_OHM:g} Ohm, spread devices "
          f"(sample_devices seed 1), {T_EVAL.size} outputs, ROS2 rtol {RTOL:g}; {os.cpu_count()} CPUs")
    print(f"one-off model code generation: {t_codegen:.2f} s (not in the times below)")
    print()
    print(f"{'devices':>8s} {'wall [s]':>9s} {'CPU [s]':>8s} {'per device [ms]':>16s} {'iterations':>11s} "
          f"{'steps/device':>13s} {'rejected/device':>16s} {'formed':>7s}")
    largest = None
    for n in args.sizes:
        devices = sample_devices(nominal, n, seed=1)
        w0, c0 = time.perf_counter(), time.process_time()
        sol = integrate(devices, stim, t_eval=T_EVAL, series_resistance_ohm=SERIES_OHM, rtol=RTOL)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        formed = np.mean(np.nanmax(np.log10(np.abs(sol.current_A)), axis=1) > np.log10(np.abs(sol.current_A[:, 1])) + 2)
        print(f"{n:8d} {wall:9.2f} {cpu:8.2f} {1e3 * wall / n:16.3f} {sol.info['iterations']:11d} "
              f"{sol.steps.mean():13.1f} {sol.rejected.mean():16.1f} {100 * formed:6.0f}%")
        if largest is None or n > largest[0]:
            largest = (n, wall, cpu, devices, np.log10(np.abs(sol.current_A[:args.loop_devices])))
        del sol

    n_big, wall_big, cpu_big, devices, log_vec = largest
    m = min(args.loop_devices, n_big)
    per_vec, cpu_vec = wall_big / n_big, cpu_big / n_big
    print()
    print(f"Accuracy against scipy Radau rtol 1e-8 atol 1e-9 on the first {m} devices; scipy loops one device at "
          f"a time with atol = {', '.join(f'{a:g}' for a in solver.ATOL)}")
    log_ref = np.array([scipy_device(device_params(devices, k), "Radau", 1e-8, 1e-9)[0] for k in range(m)])
    vec_err = accuracy(log_vec[:m], log_ref)
    print(f"{'solver':36s} {'rtol':>6s} {'wall/device [ms]':>17s} {'CPU/device [ms]':>16s} {'median err [dec]':>17s} "
          f"{'p95 off-edge [dec]':>19s} {'t_form err [s]':>15s} {'CPU speed-up':>13s}")
    print(f"{'memcompact ROS2 vectorised (N=' + str(n_big) + ')':36s} {RTOL:6.0e} {1e3 * per_vec:17.3f} "
          f"{1e3 * cpu_vec:16.3f} {vec_err[0]:17.4f} {vec_err[1]:19.4f} {vec_err[2]:15.2f} {'1x':>13s}")
    summary = []
    for method in ("Radau", "LSODA"):
        matched = None
        for rtol in SCIPY_RTOLS:
            w0, c0 = time.perf_counter(), time.process_time()
            log_i = np.array([scipy_device(device_params(devices, k), method, rtol, solver.ATOL)[0] for k in range(m)])
            per, cpu = (time.perf_counter() - w0) / m, (time.process_time() - c0) / m
            err = accuracy(log_i, log_ref)
            ok = all(e <= v + 1e-12 for e, v in zip(err, vec_err))
            if ok and matched is None:
                matched = (rtol, cpu)
            print(f"{'scipy solve_ivp ' + method + ' loop':36s} {rtol:6.0e} {1e3 * per:17.3f} {1e3 * cpu:16.3f} "
                  f"{err[0]:17.4f} {err[1]:19.4f} {err[2]:15.2f} {cpu / cpu_vec:12.0f}x"
                  f"{'  <- matched' if ok and matched[0] == rtol else ''}")
        summary.append((method, matched))
    derivatives = scalar_derivatives()
    scalar_rows = []
    for method, matched in summary:
        rtol = matched[0] if matched is not None else SCIPY_RTOLS[-1]
        w0, c0 = time.perf_counter(), time.process_time()
        log_i = np.array([scipy_device(device_params(devices, k), method, rtol, solver.ATOL, derivatives)[0]
                          for k in range(m)])
        per, cpu = (time.perf_counter() - w0) / m, (time.process_time() - c0) / m
        err = accuracy(log_i, log_ref)
        print(f"{'scipy ' + method + ' loop, scalar math RHS':36s} {rtol:6.0e} {1e3 * per:17.3f} {1e3 * cpu:16.3f} "
              f"{err[0]:17.4f} {err[1]:19.4f} {err[2]:15.2f} {cpu / cpu_vec:12.0f}x")
        scalar_rows.append((method + ", scalar math RHS,", (rtol, cpu) if matched is not None else None))
    print()
    for method, matched in summary + scalar_rows:
        if matched is None:
            print(f"{method}: no rtol down to {SCIPY_RTOLS[-1]:g} matches the vectorised solver's accuracy")
        else:
            print(f"speed-up over the per-device scipy {method} loop at matched accuracy (rtol {matched[0]:g}): "
                  f"{matched[1] / cpu_vec:.0f}x CPU time per device")


if __name__ == "__main__":
    main()
