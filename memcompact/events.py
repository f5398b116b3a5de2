"""Switching events in a current-vs-time (I-t) curve under constant bias.

:func:`detect_events` finds, in a measured or simulated I-t trace,

* ``t_form_s`` -- abrupt formation: the first time the current rises by at
  least ``form_decades`` within ``window_s`` (seed paper, Fig. 5a: the abrupt
  resistive change at ~100 s);
* ``t_drop_s`` -- a spontaneous drop after formation: the current falls at
  least ``drop_decades`` below the highest level reached since formation
  and stays down for ``min_drop_s`` (AE depletion, Fig. 5a);
* ``t_refill_s`` -- after a drop, the current comes back to within
  ``drop_decades / 2`` of that level (contact refilled, Fig. 5h-j);
* ``t_ecm_s`` -- a later second jump upward: after the formation window the
  current exceeds the formed level by at least ``ecm_decades`` (and by
  ``ecm_min_rise_A``, if given): the transition to the conventional ECM
  filament, Fig. 6a.

Each is ``None`` when absent. The trace is worked on as ``log10`` of
``max(|I|, noise_floor_A)``: readings below the floor, including the negative
ones an instrument returns near zero, all count as the floor, so noise there
never looks like a jump. A running median over ``smooth_samples`` removes
single-sample spikes before any threshold is tested.

:func:`level_changes` lists every change of ``decades`` or more, so a
report can name the changes no event explains (e.g. a second drop).

Used by the chain simulator (:mod:`memcompact.chain`) and by the fitter on
measured data; it depends on numpy only.
"""

from __future__ import annotations

import collections
import math

import numpy as np

from memcompact.errors import InputError

#: Keys of the returned dictionary that hold times [s] (``None`` when absent).
EVENT_TIME_KEYS = ("t_form_s", "t_drop_s", "t_refill_s", "t_ecm_s")


def _running_median(y, k):
    """Centred running median of odd width ``k`` (edges use a shrunken window)."""
    if k <= 1 or y.size < 3:
        return y.copy()
    h = k // 2
    padded = np.pad(y, h, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * h + 1)
    return np.median(windows, axis=1)


def _window_minimum(y, start):
    """Minimum of ``y[start[j]:j+1]`` for each j (``start`` non-decreasing), O(n)."""
    out = np.empty_like(y)
    dq = collections.deque()  # indices whose y values increase
    for j in range(y.size):
        while dq and y[dq[-1]] >= y[j]:
            dq.pop()
        dq.append(j)
        while dq[0] < start[j]:
            dq.popleft()
        out[j] = y[dq[0]]
    return out


def estimate_noise_floor_A(current_A, quantile=0.1, minimum_A=1e-15):
    """Estimate an instrument noise floor from the quietest part of a trace.

    Parameters
    ----------
    current_A : array_like
        Current samples [A].
    quantile : float
        Quantile of ``|I|`` taken as the floor (the low-current part of the
        trace is assumed to be at least this fraction of the samples).
    minimum_A : float
        Lower bound of the estimate [A].

    Returns
    -------
    float
        The floor [A]: ``max(minimum_A, 3 * quantile(|I|))``.
    """
    i_abs = np.abs(np.asarray(current_A, dtype=float))
    return float(max(minimum_A, 3.0 * np.quantile(i_abs, quantile)))


def detect_events(time_s, current_A, noise_floor_A=None, form_decades=2.5, window_s=None,
                  drop_decades=1.0, ecm_decades=1.0, smooth_samples=5, min_drop_s=None,
                  ecm_min_rise_A=0.0, form_min_A=0.0):
    """Detect formation, spontaneous drop, refill and ECM transition.

    Parameters
    ----------
    time_s : array_like
        Sample times [s], strictly increasing.
    current_A : array_like
        Current [A]; negative readings near the floor are allowed.
    noise_floor_A : float, optional
        Current below which a reading is noise [A]. Default: estimated with
        :func:`estimate_noise_floor_A`.
    form_decades : float
        Minimum rise of ``log10|I|`` for formation [decades].
    window_s : float, optional
        The formation rise must happen within this time [s]. Default: 5 % of
        the trace's duration (the compact-model criterion of DESIGN 2.2:
        abrupt = within < 5 % of the delay), at least two sample spacings.
    drop_decades : float
        Minimum fall below the post-formation maximum for a drop [decades].
    ecm_decades : float
        Minimum rise above the post-formation plateau for an ECM jump
        [decades].
    smooth_samples : int
        Width of the running median applied to ``log10|I|`` [samples]
        (1 = none).
    min_drop_s : float, optional
        A drop must stay more than ``drop_decades / 2`` below the maximum for
        at least this long [s] (shorter dips are glitches, not depletion).
        Default: ``window_s / 3``.
    ecm_min_rise_A : float
        The ECM jump must also raise the current by at least this much [A]
        (the paper reports > 1 mA); 0 disables the absolute criterion.
    form_min_A : float
        Formation must also reach at least this current [A] (a conducting
        filament, not a flicker above the floor); 0 disables it.

    Returns
    -------
    dict
        ``t_form_s``, ``t_drop_s``, ``t_refill_s``, ``t_ecm_s`` [s] or
        ``None``; ``i_before_form_A`` (median current before formation),
        ``i_after_form_A`` (plateau after formation), ``i_before_drop_A``
        (highest level before the drop: the formed or the ECM level),
        ``i_after_drop_A`` (minimum after the drop), ``i_after_ecm_A`` (median after the ECM
        jump) [A] or ``None``; ``noise_floor_A`` [A] used.

    Raises
    ------
    InputError
        Arrays of different length, fewer than 3 samples, non-finite values,
        time not strictly increasing, or a non-positive floor or threshold.

    Notes
    -----
    The times returned are sample times of the input: ``t_form_s`` is the
    first sample at which the smoothed ``log10|I|`` is ``form_decades`` above
    its minimum over the preceding ``window_s``; ``t_drop_s`` the first sample
    after formation ``drop_decades`` below the running maximum since
    formation that starts a dip lasting ``min_drop_s``; ``t_ecm_s`` the first
    sample after the formation window that is ``ecm_decades`` above the
    formed level (the maximum over the first ``window_s`` after formation,
    before any drop). A step from one level to another is therefore dated
    exactly at the first sample on the new level.
    """
    t = np.asarray(time_s, dtype=float).ravel()
    i = np.asarray(current_A, dtype=float).ravel()
    if t.size != i.size:
        raise InputError(f"time_s and current_A differ in length ({t.size} vs {i.size})")
    if t.size < 3:
        raise InputError(f"need at least 3 samples to detect events, got {t.size}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(i))):
        raise InputError("time_s and current_A must be finite")
    if np.any(np.diff(t) <= 0):
        raise InputError("time_s must be strictly increasing")
    for name, value in (("form_decades", form_decades), ("drop_decades", drop_decades),
                        ("ecm_decades", ecm_decades)):
        if not (value > 0 and math.isfinite(value)):
            raise InputError(f"{name} must be a positive number, got {value!r}")
    floor = estimate_noise_floor_A(i) if noise_floor_A is None else float(noise_floor_A)
    if not (floor > 0 and math.isfinite(floor)):
        raise InputError(f"noise_floor_A must be positive, got {noise_floor_A!r}")
    duration = t[-1] - t[0]
    min_dt = float(np.min(np.diff(t)))
    if window_s is None:
        window_s = max(0.05 * duration, 2.0 * min_dt)
    elif not (window_s > 0 and math.isfinite(window_s)):
        raise InputError(f"window_s must be positive, got {window_s!r}")

    y = np.log10(np.maximum(np.abs(i), floor))
    k = int(smooth_samples)
    y = _running_median(y, k if k % 2 == 1 else k + 1)

    out = dict.fromkeys(EVENT_TIME_KEYS)
    out.update(i_before_form_A=None, i_after_form_A=None, i_before_drop_A=None, i_after_drop_A=None,
               i_after_ecm_A=None, noise_floor_A=floor)

    # Formation: rise of >= form_decades above the minimum of the preceding window.
    start = np.searchsorted(t, t - window_s, side="left")
    win_min = _window_minimum(y, start)
    rise = y - win_min
    ok = rise >= form_decades
    if form_min_A > 0:
        ok &= y >= math.log10(form_min_A)
    hits = np.nonzero(ok)[0]
    if hits.size == 0:
        return out
    jf = int(hits[0])
    out["t_form_s"] = float(t[jf])
    before = y[: max(jf, 1)]
    out["i_before_form_A"] = float(10 ** np.median(before))

    # Formed level: the maximum over the formation window (before any drop).
    after = y[jf:]
    t_after = t[jf:]
    if min_drop_s is None:
        min_drop_s = window_s / 3.0
    running_max = np.maximum.accumulate(after)
    below = after <= running_max - drop_decades
    deep = after <= running_max - 0.5 * drop_decades
    drop_at = None
    for j in np.nonzero(below)[0]:
        # the dip must last: stay deeper than half the drop for min_drop_s
        stop = np.searchsorted(t_after, t_after[j] + min_drop_s, side="left")
        if stop < t_after.size and np.all(deep[j:stop + 1]):
            drop_at = int(j)
            break
    win_end = np.searchsorted(t_after, t_after[0] + window_s, side="right")
    if drop_at is not None:
        win_end = min(win_end, drop_at)
    win_end = max(win_end, 1)
    formed = float(np.max(after[:win_end]))
    out["i_after_form_A"] = float(10 ** formed)

    if drop_at is not None:
        jd = drop_at
        out["t_drop_s"] = float(t_after[jd])
        level = running_max[jd]
        out["i_before_drop_A"] = float(10 ** level)
        tail = after[jd:]
        out["i_after_drop_A"] = float(10 ** np.min(tail))
        back = np.nonzero(tail >= level - 0.5 * drop_decades)[0]
        if back.size:
            out["t_refill_s"] = float(t_after[jd + int(back[0])])

    later = np.arange(after.size) >= win_end
    up = later & (after >= formed + ecm_decades)
    if ecm_min_rise_A > 0:
        up &= (10.0 ** after - 10.0 ** formed) >= ecm_min_rise_A
    ecm_idx = np.nonzero(up)[0]
    if ecm_idx.size:
        je = int(ecm_idx[0])
        out["t_ecm_s"] = float(t_after[je])
        out["i_after_ecm_A"] = float(10 ** np.median(after[je:]))
    return out


def level_changes(time_s, current_A, noise_floor_A, decades=1.0, window_s=None, smooth_samples=5):
    """Every change of the log current by ``decades`` or more within ``window_s``: ``[(t_s, change_decades)]``.

    The smoothed ``log10 max(|I|, floor)`` (as in :func:`detect_events`) is
    compared with its value ``window_s`` earlier; each run of samples where
    the difference is ``decades`` or more in one direction is one change,
    dated at the run's first sample and signed (+ up, - down) by the largest
    difference in the run.

    Parameters
    ----------
    time_s, current_A : array_like
        The trace [s], [A].
    noise_floor_A : float
        Floor of the log current [A].
    decades : float
        Smallest change reported [decades].
    window_s : float, optional
        Time over which the change happens [s]; default 5 % of the record, at
        least two sample spacings.
    smooth_samples : int
        Running-median width [samples].
    """
    t = np.asarray(time_s, dtype=float).ravel()
    y = np.log10(np.maximum(np.abs(np.asarray(current_A, dtype=float).ravel()), float(noise_floor_A)))
    k = int(smooth_samples)
    y = _running_median(y, k if k % 2 == 1 else k + 1)
    if window_s is None:
        window_s = max(0.05 * (t[-1] - t[0]), 2.0 * float(np.min(np.diff(t))))
    back = np.searchsorted(t, t - window_s, side="left")
    diff = y - y[back]
    sign = np.where(diff >= decades, 1, np.where(diff <= -decades, -1, 0))
    out = []
    j = 0
    while j < sign.size:
        if sign[j] == 0:
            j += 1
            continue
        end = j
        while end + 1 < sign.size and sign[end + 1] == sign[j]:
            end += 1
        run = diff[j:end + 1]
        out.append((float(t[j]), float(run.max() if sign[j] > 0 else run.min())))
        j = end + 1
    return out
