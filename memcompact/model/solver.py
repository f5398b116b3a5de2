"""Vectorised stiff integration of the compact model over many devices.

Method: the L-stable, second-order Rosenbrock method ROS2 (Verwer, Spee,
Blom, Hundsdorfer, SIAM J. Sci. Comput. 20, 1456 (1999),
doi:10.1137/S1064827597326651) with its embedded first-order solution for
error control. ROS2 is a W-method: it keeps its order with an approximate
Jacobian, so a finite-difference Jacobian of the 4 states, reused for a few
steps, is enough. Each device has its own time, step size and Jacobian age;
all devices advance together in numpy arrays, so an abrupt event in one
device does not shrink the steps of the others, and devices that reach the
end drop out of the arrays. Steps land exactly on the stimulus corners and
the last output time; the states at the output times in between are
interpolated linearly within the step that passes them.

Cost per step and device: two evaluations of the generated fast path
(:func:`memcompact.model.compiled.solver_derivatives`: only what the
derivatives need, repeated subexpressions once, parameter-only terms once per
run), one batched 4x4 LU factorisation with partial pivoting shared by both
stages, and a finite-difference Jacobian (4 evaluations) every
:data:`JACOBIAN_EVERY` accepted steps or after a failed step. A failed step
reuses its derivatives at the same point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from memcompact.model import compiled
from memcompact.model.equations import STATES
from memcompact.progress import Progress

GAMMA = 1.0 + 1.0 / np.sqrt(2.0)
#: Accepted steps of a device between two evaluations of its Jacobian.
JACOBIAN_EVERY = 3
#: Largest change of the applied voltage within one step on a ramp [V] (times the device's
#: ``voltage_scale``). The Jacobian of a step is taken at its start, and a W-method's error
#: estimate divides the end point's derivatives by (I - gamma h J): one step across a whole
#: ramp carries the stiff window that holds a formed gap at gap_min under positive bias into the
#: negative half, damps the RESET's derivatives there and accepts the step. A 5-period triangle
#: sweep (0 -> 2.5 -> -1.5 -> 0 V in 1 s, ag_sio2 near a sweep fit, 500 Ohm) then did not RESET
#: before the -1.5 V corner at rtol 1e-3 (scipy Radau: -0.9808 V, tests/model/test_ramps.py); with
#: the cap it RESETs at -0.9806 V in every period at rtol 1e-3 and 1e-6 (1,488 steps, not 1,543). At
#: 50 mV (1,786 steps) the same, but the 10-period triangle fit of benchmarks/bench_fit_waveform.py
#: took 280 s and ran out of evaluations (asinh RMS 0.75); at 0.1 V 57 s, 11 evaluations, 0.47.
RAMP_STEP_V = 0.1
#: The ramp cap never asks for steps below this [s]: a 1 ns pulse edge stays one step (a train of
#: 100 +-V pulses with 1 ns edges took 10,506 steps instead of 486 with every edge cut to 50 mV).
RAMP_STEP_MIN_S = 1e-6
#: Step-size control: h_new = h * clip(SAFETY / sqrt(err), FACTOR_MIN, FACTOR_MAX)
#: (error estimate of first order); tuned on the spread-device stress of
#: benchmarks/bench_model.py (fewer rejected steps and a smaller error than 0.9).
SAFETY = 0.8
FACTOR_MIN, FACTOR_MAX = 0.2, 5.0
ATOL = np.array([s.atol for s in STATES])

#: States the equations keep exactly within constant bounds: nucleation
#: progress in [0, 1.1] (its rate is >= 0 at 0 and <= 0 at 1.1). A step may
#: overshoot such a bound within its error tolerance (ns nucleation times
#: switching sign); the accepted state is projected back onto the bound.
EXACT_BOUNDS = tuple((k, float(s.lower), float(s.upper)) for k, s in enumerate(STATES) if s.name == "nucleation")


@dataclass
class Solution:
    """Result of :func:`integrate`.

    Attributes
    ----------
    time_s : numpy.ndarray
        Output times [s], shape (T,).
    applied_V : numpy.ndarray
        Applied (source) voltage [V], shape (T,), or (N, T) when the devices
        have different ``voltage_scale``.
    voltage_V : numpy.ndarray
        Voltage across each device [V], shape (N, T) (differs from the applied
        one by the series-resistor drop).
    current_A : numpy.ndarray
        Device current [A], shape (N, T).
    states : dict
        State name -> array (N, T) in the state's unit.
    temperature_K : numpy.ndarray
        Filament temperature [K], shape (N, T).
    steps : numpy.ndarray
        Accepted steps per device.
    rejected : numpy.ndarray
        Rejected steps per device.
    """

    time_s: np.ndarray
    applied_V: np.ndarray
    voltage_V: np.ndarray
    current_A: np.ndarray
    states: dict
    temperature_K: np.ndarray
    steps: np.ndarray
    rejected: np.ndarray
    info: dict = field(default_factory=dict)

    def final_state(self):
        """States at the last output time, shape (4, N): a starting point for the next run."""
        return np.array([self.states[name][:, -1] for name in compiled.STATE_NAMES])


def _subset(params, idx, n):
    out = {}
    for name, value in params.items():
        arr = np.asarray(value, dtype=float)
        out[name] = arr[idx] if arr.ndim == 1 and arr.size == n else arr
    return out


def _f(t, y, prepared, stimulus, series, scale):
    """Derivatives (4, M) at times t (M,) and states y (4, M); ``prepared`` from compiled.solver_prepare."""
    d = compiled.solver_derivatives(scale * stimulus.voltage(t), series, tuple(y), prepared)
    return np.array(np.broadcast_arrays(*d))


def _jacobian(t, y, f0, prepared, stimulus, series, scale):
    """Finite-difference Jacobian, shape (4, 4, M): ``jac[i, j]`` = d f_i / d y_j.

    The four perturbed states go through the model in ONE call on 4M columns
    (block ``j`` perturbs state ``j``): for the few devices of a fit, numpy's
    per-operation overhead, not the arithmetic, sets the cost of a call.
    """
    m = y.shape[1]
    delta = 1e-7 * np.maximum(np.abs(y), 100 * ATOL[:, None])
    yp = np.tile(y, (1, 4))
    for j in range(4):
        yp[j, j * m:(j + 1) * m] += delta[j]
    block = np.tile(np.arange(m), 4)
    f = _f(t[block], yp, _subset(prepared, block, m), stimulus, series[block], scale[block])
    jac = np.empty((4, 4, m))
    for j in range(4):
        jac[:, j, :] = (f[:, j * m:(j + 1) * m] - f0) / delta[j]
    return jac


def _lu_factor(a):
    """LU factors with partial pivoting of many 4x4 matrices ``a`` (4, 4, M), in place; and the row order."""
    m = a.shape[2]
    perm = np.repeat(np.arange(4)[:, None], m, axis=1)
    for c in range(3):
        p = c + np.argmax(np.abs(a[c:, c]), axis=0)
        swap = np.nonzero(p != c)[0]
        if swap.size:
            pc = p[swap]
            row = a[c, :, swap].copy()
            a[c, :, swap] = a[pc, :, swap]
            a[pc, :, swap] = row
            perm[c, swap], perm[pc, swap] = perm[pc, swap], perm[c, swap]
        inv_pivot = 1.0 / a[c, c]
        for r in range(c + 1, 4):
            a[r, c] *= inv_pivot
            a[r, c + 1:] -= a[r, c] * a[c, c + 1:]
    return a, perm


def _lu_solve(lu, perm, b):
    """Solve with the factors of :func:`_lu_factor` for right-hand sides ``b`` (4, M)."""
    x = b[perm, np.arange(b.shape[1])]
    for r in range(1, 4):
        for j in range(r):
            x[r] -= lu[r, j] * x[j]
    for r in range(3, -1, -1):
        for j in range(r + 1, 4):
            x[r] -= lu[r, j] * x[j]
        x[r] /= lu[r, r]
    return x


def integrate(params, stimulus, t_eval=None, n_devices=None, y0=None, series_resistance_ohm=0.0,
              voltage_scale=1.0, rtol=1e-3, first_step_s=1e-9, max_iterations=200000, progress=False,
              atol_scale=1.0):
    """Integrate the compact model for many devices at once.

    Parameters
    ----------
    params : dict
        Parameter values, scalars or arrays of shape (N,) (per device), as
        given by :func:`memcompact.model.parameters.complete_params`.
    stimulus : memcompact.model.stimulus.Stimulus
        Applied voltage waveform [V].
    t_eval : array_like, optional
        Output times [s], increasing, within the stimulus duration. Default:
        2001 points from 0 to the stimulus' end plus its corners.
    n_devices : int, optional
        Number of devices N (default: from the per-device arrays, else 1).
    y0 : array_like, optional
        Initial states, shape (4,) or (4, N); default from the parameters.
    series_resistance_ohm : float or array_like
        Resistance in series with each device (source resistance, wiring,
        compliance resistor) [Ohm].
    voltage_scale : float or array_like
        Per-device factor on the stimulus (e.g. one constant-voltage curve
        per device at different voltages from ``constant(1.0, T)``) [1].
    rtol : float
        Relative tolerance; absolute tolerances come from the state table.
    first_step_s : float or numpy.ndarray
        First trial step [s], one for all devices or one per device (shape
        ``(n_devices,)``); the error control adapts it at once.
    max_iterations : int
        Safety limit on the number of vectorised steps.
    progress : bool
        Show progress on stderr.
    atol_scale : float
        Factor on the state table's absolute tolerances (:data:`ATOL`, in
        each state's unit) [1].

    Returns
    -------
    Solution
    """
    sizes = {np.asarray(v).size for v in params.values() if np.ndim(v) == 1}
    if n_devices is None:
        n_devices = max(sizes) if sizes else 1
    if sizes - {1, n_devices}:
        raise ValueError(f"per-device parameter arrays must have length {n_devices}")
    n = int(n_devices)
    if t_eval is None:
        t_eval = np.union1d(np.linspace(0.0, stimulus.duration_s, 2001), stimulus.breakpoints())
    t_eval = np.asarray(t_eval, dtype=float)
    if t_eval.ndim != 1 or t_eval.size < 1 or np.any(np.diff(t_eval) <= 0) or t_eval[0] < 0:
        raise ValueError("t_eval must be increasing, non-negative times")
    atol = (ATOL * float(atol_scale))[:, None]
    series = np.broadcast_to(np.asarray(series_resistance_ohm, dtype=float), (n,)).copy()
    vscale = np.broadcast_to(np.asarray(voltage_scale, dtype=float), (n,)).copy()

    # per-device arrays stay arrays, shared values stay scalars (cheaper arithmetic)
    full = compiled.solver_prepare({k: np.asarray(v, dtype=float).copy() if np.ndim(v) == 1 and np.size(v) == n > 1
                                    else (float(np.reshape(v, -1)[0]) if np.ndim(v) <= 1 else v)
                                    for k, v in params.items()})
    if y0 is None:
        y = np.array(np.broadcast_arrays(*compiled.initial_state(full), np.zeros(n)), dtype=float)[:4].copy()
    else:
        y = np.broadcast_to(np.asarray(y0, dtype=float).reshape(4, -1), (4, n)).copy()

    nt = t_eval.size
    out_y = np.empty((4, n, nt))
    t = np.zeros(n)
    # record outputs at t = 0 where requested
    k_out = np.zeros(n, dtype=int)
    if t_eval[0] == 0.0:
        out_y[:, :, 0] = y
        k_out[:] = 1
    breakpoints = np.union1d(stimulus.breakpoints(), t_eval[-1:])
    corner_t = np.asarray(stimulus.times_s, dtype=float)
    # |dV/dt| of each stimulus segment, 0 after the last corner [V/s]
    ramp_V_s = np.append(np.abs(np.diff(stimulus.voltages_V)) / np.diff(corner_t), 0.0)
    h = np.full(n, first_step_s)
    steps = np.zeros(n, dtype=int)
    rejected = np.zeros(n, dtype=int)

    active = np.nonzero(k_out < nt)[0]
    sub = _subset(full, active, n)
    sub_series = series[active]
    sub_scale = vscale[active]
    t_end = t_eval[-1]
    bar = Progress("simulate", t_end, unit=" s", enabled=progress)
    iterations = 0
    jac_all, jac_age = None, np.zeros(active.size, dtype=int)
    f_last, same = None, np.zeros(active.size, dtype=bool)
    with bar:
        while active.size:
            iterations += 1
            if iterations > max_iterations:
                raise RuntimeError(f"integration did not finish in {max_iterations} steps "
                                   f"({active.size} devices left, t_min = {t[active].min():g} s)")
            ta, ya = t[active], y[:, active]
            # next stopping point: next breakpoint/output strictly after t
            nxt = breakpoints[np.minimum(np.searchsorted(breakpoints, ta, side="right"), breakpoints.size - 1)]
            to_next = nxt - ta
            ha = np.maximum(np.minimum(h[active], to_next), 1e-18)
            ramp = ramp_V_s[np.maximum(np.searchsorted(corner_t, ta, side="right") - 1, 0)] * np.abs(sub_scale)
            ramp_cap = np.maximum(RAMP_STEP_V / np.where(ramp > 0, ramp, 1.0), RAMP_STEP_MIN_S)
            ha = np.where(ramp > 0, np.minimum(ha, ramp_cap), ha)
            lands = ha >= to_next
            # a device whose step failed retries from the same point: its derivatives are known
            if f_last is None or not np.any(same):
                f0 = _f(ta, ya, sub, stimulus, sub_series, sub_scale)
            else:
                f0 = f_last
                m = np.nonzero(~same)[0]
                if m.size:
                    f0[:, m] = _f(ta[m], ya[:, m], _subset(sub, m, active.size), stimulus, sub_series[m], sub_scale[m])
            # ROS2 is a W-method: second order with any matrix, so each device's Jacobian is
            # reused for JACOBIAN_EVERY accepted steps, and refreshed after a failed step
            # unless it was evaluated at this very point.
            need = (jac_age >= JACOBIAN_EVERY) | (same & (jac_age > 0)) if jac_all is not None else None
            if need is None or np.all(need):
                jac_all = _jacobian(ta, ya, f0, sub, stimulus, sub_series, sub_scale)
                jac_age[:] = 0
            elif np.any(need):
                m = np.nonzero(need)[0]
                jac_all[:, :, m] = _jacobian(ta[m], ya[:, m], f0[:, m], _subset(sub, m, active.size), stimulus,
                                             sub_series[m], sub_scale[m])
                jac_age[m] = 0
            w = (-GAMMA * ha) * jac_all
            for j in range(4):
                w[j, j] += 1.0
            lu, perm = _lu_factor(w)
            k1 = _lu_solve(lu, perm, f0)
            y1 = ya + ha * k1
            f1 = _f(ta + ha, y1, sub, stimulus, sub_series, sub_scale)
            k2 = _lu_solve(lu, perm, f1 - 2.0 * k1)
            y_new = ya + 1.5 * ha * k1 + 0.5 * ha * k2
            err = 0.5 * ha * (k1 + k2)
            scale = atol + rtol * np.maximum(np.abs(ya), np.abs(y_new))
            enorm = np.sqrt(np.mean((err / scale) ** 2, axis=0))
            enorm = np.where(np.isfinite(enorm) & np.all(np.isfinite(y_new), axis=0), enorm, 1e10)
            ok = enorm <= 1.0
            # no growth right after a failed step (the error model just proved too optimistic)
            factor = np.clip(SAFETY / np.sqrt(np.maximum(enorm, 1e-10)), FACTOR_MIN,
                             np.where(same, 1.0, FACTOR_MAX))
            h_next = ha * factor
            # keep the step size learned before a clipped step
            h[active] = np.where(ok & (ha < h[active]) & (factor > 1), np.maximum(h[active], h_next), h_next)
            acc = active[ok]
            t_old, y_old = ta[ok], ya[:, ok]
            t[acc] = np.where(lands[ok], nxt[ok], ta[ok] + ha[ok])
            y[:, acc] = y_new[:, ok]
            for k_state, lower, upper in EXACT_BOUNDS:
                y[k_state, acc] = np.clip(y[k_state, acc], lower, upper)
            steps[acc] += 1
            rejected[active[~ok]] += 1
            same, f_last = ~ok, f0
            jac_age[ok] += 1
            # outputs passed by this step: linear interpolation of the states
            k_first = k_out[acc]
            k_stop = np.searchsorted(t_eval, t[acc], side="right")
            count = k_stop - k_first
            total = int(count.sum())
            if total:
                pos = np.repeat(np.arange(acc.size), count)
                k = np.arange(total) - np.repeat(np.cumsum(count) - count, count) + k_first[pos]
                devs = acc[pos]
                span = t[devs] - t_old[pos]
                frac = np.where(span > 0, (t_eval[k] - t_old[pos]) / np.where(span > 0, span, 1.0), 1.0)
                out_y[:, devs, k] = y_old[:, pos] + frac * (y[:, devs] - y_old[:, pos])
                k_out[acc] = k_stop
            if np.any(k_out[active] >= nt):
                keep = k_out[active] < nt
                active = active[keep]
                sub = _subset(full, active, n)
                sub_series = series[active]
                sub_scale = vscale[active]
                jac_all, jac_age = jac_all[:, :, keep], jac_age[keep]
                f_last, same = f_last[:, keep], same[keep]
            if progress and active.size:
                bar.update(float(t[active].min()), note=f"{active.size} devices left")

    source_V = stimulus.voltage(t_eval)
    states = {name: out_y[j] for j, name in enumerate(compiled.STATE_NAMES)}
    voltage, current, temperature = np.empty((n, nt)), np.empty((n, nt)), np.empty((n, nt))
    rows = max(1, 65536 // nt)  # blocks of devices that fit the cache
    for a in range(0, n, rows):
        b = min(n, a + rows)
        block = {k: (v[a:b, None] if np.ndim(v) == 1 and np.size(v) == n else v) for k, v in full.items()}
        i_blk, v_blk, outputs = compiled.solver_outputs(source_V[None, :] * vscale[a:b, None], series[a:b, None],
                                                        tuple(out_y[j, a:b] for j in range(4)), block)
        voltage[a:b], current[a:b], temperature[a:b] = v_blk, i_blk, outputs["temp_K"]
    uniform = n == 1 or np.all(vscale == vscale[0])
    return Solution(
        time_s=t_eval, applied_V=source_V * vscale[0] if uniform else source_V[None, :] * vscale[:, None],
        voltage_V=voltage, current_A=current, states=states, temperature_K=temperature,
        steps=steps, rejected=rejected, info={"iterations": iterations, "rtol": rtol, "atol": atol[:, 0]},
    )
