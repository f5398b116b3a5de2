"""Waveform curves for the fit: I-V sweeps, sine drives, pulse trains, any measured V(t).

A curve whose ``voltage_V`` column varies is a *waveform curve*. The model is
driven by the measured voltage itself: a piecewise-linear
:class:`memcompact.model.stimulus.Stimulus` through the samples
(:func:`waveform_stimulus`, with the corners a straight line would not need
dropped, so a triangle costs the solver a few corners per period instead of
one per sample), with the loop's series resistance between source and
device, from the initial (unformed, OFF) state of the card.

Residual for signed currents
    A sweep's current passes through zero twice per period and changes sign,
    so ``log10|I|`` is no residual for it. The fit uses

    .. math:: a(I) = \\operatorname{asinh}\\!\\left(\\frac{I}{2 s}\\right) / \\ln 10,
              \\qquad s = k\\,I_{floor}

    (``ASINH_FLOOR_FACTOR`` = k) on data and model alike: linear through zero
    within the noise floor, and ``sign(I) log10(|I|/s)`` beyond it, so a
    residual of 1 is one decade wherever the current is above the floor
    (decade-like units, comparable with the stress curves' log residuals).
    The noise floor comes from the data (:func:`waveform_noise_floor_A`:
    scatter of second differences, which a current following the drive does
    not have). Samples on a current-compliance plateau get the one-sided
    residual of :mod:`memcompact.fit.data`.

Switching events
    Where the device switches, the sample residuals jump and move
    the fit in steps; as for the stress curves' formation
    (:mod:`memcompact.fit.core`), each switching event gets a smooth residual
    of its own. :func:`switching_events` dates the data's SET (the conductance
    ``|I/V|`` crossing half-way, in decades, from the OFF to the ON level under
    positive voltage) and RESET (back down under negative voltage) within
    each stretch of one polarity (a sweep's half-period, a pulse); the model
    is dated by the same levels within the same stretch
    (:func:`model_switching`), and the residual is
    ``event_weight * sqrt(n / events) * log10(tau_model / tau_data)`` with
    ``tau`` the time from the start of the stretch (on a ramp from 0 V, the
    switching voltage ratio).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from memcompact.errors import InputError
from memcompact.io import ITCurve, read_it_csv
from memcompact.model.solver import integrate
from memcompact.model.stimulus import Stimulus

#: The asinh residual's scale is this many noise floors [1].
ASINH_FLOOR_FACTOR = 3.0
#: Lowest asinh scale ever used [A].
MIN_SCALE_A = 1e-15
#: Voltage tolerance of the piecewise-linear stimulus, relative to the largest |V| (a straight stretch within it
#: is one segment) [1].
STIMULUS_TOLERANCE = 2e-3
#: Samples whose |V| is below this share of the largest |V| do not date switching (|I/V| is noise there) [1].
SWITCH_MIN_VOLTAGE_SHARE = 0.08
#: Smallest OFF-to-ON span (in decades of |I/V|) that counts as switching [decades].
SWITCH_MIN_DECADES = 1.0
#: Hysteresis of the switching detector: the conductance must pass this share of the span beyond the
#: half-way level to count as ON (OFF) [1].
SWITCH_HYSTERESIS = 0.2
#: Voltage metadata keys; series resistance keys as in the CSV reader.
SERIES_KEYS = ("series_resistance_ohm", "series_resistance_Ohm")
COMPLIANCE_KEYS = ("compliance_A",)


def asinh_current(current_A, scale_A):
    """Signed current in decade-like units: ``asinh(I / 2s) / ln 10`` [decades].

    ``sign(I) log10(|I| / s)`` for ``|I| >> s``, linear through zero below.

    Parameters
    ----------
    current_A : array_like
        Current [A], any sign.
    scale_A : float
        Scale [A] (``ASINH_FLOOR_FACTOR`` noise floors), > 0.
    """
    return np.arcsinh(np.asarray(current_A, dtype=float) / (2.0 * scale_A)) / np.log(10.0)


def waveform_noise_floor_A(current_A, block=8):
    """Instrument noise [A] of a driven trace: robust scatter of second differences, smallest over blocks.

    A current that follows the drive smoothly has small second differences
    away from switching, so what is left is the reading-to-reading noise
    (``1.4826 median|d2 I| / sqrt(6)``: the standard deviation of one reading
    for white noise); its smallest value over blocks of ``block`` samples is
    where the current is lowest, as for the stress curves
    (:func:`memcompact.fit.data.estimate_noise_floor_A`).
    """
    i = np.asarray(current_A, dtype=float)
    d2 = np.abs(np.diff(i, 2))
    n = (d2.size // block) * block
    if n < block:
        return MIN_SCALE_A
    sigma = 1.4826 * np.median(d2[:n].reshape(-1, block), axis=1) / np.sqrt(6.0)
    return float(max(sigma.min(), MIN_SCALE_A))


def simplify_polyline(time_s, voltage_V, tolerance_V):
    """Indices of the corners of a piecewise-linear path within ``tolerance_V`` of every sample.

    Ramer-Douglas-Peucker on the samples (vertical distance): a segment is
    split at its farthest sample until every sample lies within the
    tolerance; the first and last samples are always kept.
    """
    t, v = np.asarray(time_s, float), np.asarray(voltage_V, float)
    keep = np.zeros(t.size, dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, t.size - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        seg = slice(a + 1, b)
        line = v[a] + (v[b] - v[a]) * (t[seg] - t[a]) / (t[b] - t[a])
        dev = np.abs(v[seg] - line)
        j = int(np.argmax(dev))
        if dev[j] > tolerance_V:
            m = a + 1 + j
            keep[m] = True
            stack += [(a, m), (m, b)]
    return np.nonzero(keep)[0]


def waveform_stimulus(time_s, voltage_V, tolerance_V=None):
    """The measured drive as a piecewise-linear stimulus, times from the first sample.

    Parameters
    ----------
    time_s, voltage_V : numpy.ndarray
        Samples [s], [V].
    tolerance_V : float, optional
        Largest distance [V] of a sample from the stimulus; default
        ``STIMULUS_TOLERANCE`` times the largest |V|, or twice the voltage's
        reading noise if that is larger.

    Returns
    -------
    memcompact.model.stimulus.Stimulus
    """
    t = np.asarray(time_s, float) - float(time_s[0])
    v = np.asarray(voltage_V, float)
    if tolerance_V is None:
        tolerance_V = max(STIMULUS_TOLERANCE * float(np.max(np.abs(v))), 2.0 * waveform_noise_floor_A(v))
    idx = simplify_polyline(t, v, tolerance_V)
    return Stimulus(t[idx], v[idx], label=f"measured waveform ({idx.size} corners)")


def polarity_stretches(voltage_V, min_V):
    """Stretches ``(first, last)`` (sample indices, inclusive) of one polarity with ``|V| >= min_V``."""
    v = np.asarray(voltage_V, float)
    sign = np.where(v >= min_V, 1, np.where(v <= -min_V, -1, 0))
    out, k = [], 0
    while k < v.size:
        if sign[k] == 0:
            k += 1
            continue
        j = k
        while j + 1 < v.size and sign[j + 1] == sign[k]:
            j += 1
        out.append((k, j))
        k = j + 1
    return out


def _crossing(t, y, level, rising):
    s = (y - level) if rising else (level - y)
    hit = np.nonzero((s[:-1] < 0) & (s[1:] >= 0))[0]
    if not hit.size:
        return None
    k = int(hit[0])
    return float(t[k] + (t[k + 1] - t[k]) * (-s[k]) / (s[k + 1] - s[k]))


def log_conductance(voltage_V, current_A, floor_A):
    """``log10(max(|I|, floor) / |V|)`` [log10 S] (|V| kept above 1 uV)."""
    return np.log10(np.maximum(np.abs(current_A), floor_A) / np.maximum(np.abs(voltage_V), 1e-6))


@dataclass
class SwitchLevels:
    """OFF and ON levels of ``log10|I/V|`` [log10 S] of a waveform curve, and its switching voltage floor [V]."""

    off: float
    on: float
    min_V: float

    @property
    def mid(self):
        return 0.5 * (self.off + self.on)

    @property
    def band(self):
        return SWITCH_HYSTERESIS * (self.on - self.off)


def switch_levels(voltage_V, current_A, floor_A):
    """:class:`SwitchLevels` of a trace (5th and 95th percentile of ``log10|I/V|`` where |V| is large), or None.

    None when the span is below ``SWITCH_MIN_DECADES`` (no switching).
    """
    v = np.asarray(voltage_V, float)
    min_v = SWITCH_MIN_VOLTAGE_SHARE * float(np.max(np.abs(v)))
    ok = np.abs(v) >= min_v
    if ok.sum() < 4:
        return None
    y = log_conductance(v[ok], np.asarray(current_A, float)[ok], floor_A)
    off, on = np.percentile(y, [5, 95])
    if on - off < SWITCH_MIN_DECADES:
        return None
    return SwitchLevels(off=float(off), on=float(on), min_V=min_v)


def switching_events(time_s, voltage_V, current_A, levels, floor_A):
    """SET and RESET events of a trace at given levels.

    Within each stretch of one polarity (:func:`polarity_stretches`), a SET
    is the first upward crossing of the half-way level under positive
    voltage by a conductance that was below ``mid - band`` (OFF) and gets
    above ``mid + band``; a RESET the reverse under negative voltage. A
    stretch that opens already switched while the previous one ended in the
    other state (a switch faster than one sample, at a pulse edge) dates the
    event at its first sample.

    Returns
    -------
    list of dict
        ``kind`` (``"set"``/``"reset"``), ``time_s`` and ``voltage_V`` (applied,
        interpolated) of the crossing, ``start_s`` and ``end_s`` of its stretch.
    """
    t, v = np.asarray(time_s, float), np.asarray(voltage_V, float)
    y = log_conductance(v, current_A, floor_A)
    out, state = [], None
    for a, b in polarity_stretches(v, levels.min_V):
        rising = v[a] > 0
        ys, ts = y[a:b + 1], t[a:b + 1]
        on, off = ys > levels.mid + levels.band, ys < levels.mid - levels.band
        before, after = (off, on) if rising else (on, off)
        # a switch faster than one sample: the stretch opens already switched after the other state
        was_before = state == ("off" if rising else "on")
        if before.any() or was_before:
            k0 = int(np.argmax(before)) if before.any() and not was_before else 0
            if after[k0:].any():
                k1 = k0 + int(np.argmax(after[k0:]))
                tc = _crossing(ts[k0:k1 + 1], ys[k0:k1 + 1], levels.mid, rising) if k1 > k0 else None
                tc = float(ts[k1]) if tc is None else tc
                out.append({"kind": "set" if rising else "reset", "time_s": tc,
                            "voltage_V": float(np.interp(tc, t, v)),
                            "start_s": float(t[max(a - 1, 0)]), "end_s": float(t[b])})
        if on[-1]:
            state = "on"
        elif off[-1]:
            state = "off"
    return out


def model_switching(time_s, voltage_V, model_current_A, data_events, levels, floor_A):
    """The model's crossing of the data's half-way level in each data event's stretch (None: no switch).

    Returns
    -------
    list of float or None
        Model crossing time [s] per data event.
    """
    t = np.asarray(time_s, float)
    y = log_conductance(voltage_V, model_current_A, floor_A)
    out = []
    for ev in data_events:
        a = int(np.searchsorted(t, ev["start_s"]))
        b = int(np.searchsorted(t, ev["end_s"], side="right"))
        out.append(_crossing(t[a:b], y[a:b], levels.mid, ev["kind"] == "set") if b - a > 1 else None)
    return out


@dataclass
class WaveformData:
    """One waveform curve ready for the fit (the counterpart of :class:`memcompact.fit.data.CurveData`).

    Attributes
    ----------
    curve : memcompact.io.ITCurve
    series_resistance_ohm : float
        Loop resistance [Ohm] (start value of the curve's nuisance parameter).
    noise_floor_A : float
        Noise floor [A] (:func:`waveform_noise_floor_A`).
    scale_A : float
        Scale of the asinh residual [A].
    compliance_A : float or None
    y : numpy.ndarray
        :func:`asinh_current` of the data [decades].
    plateau : numpy.ndarray of bool
        Samples on the compliance plateau (one-sided residual).
    stimulus : memcompact.model.stimulus.Stimulus
        The drive (times from the first sample).
    levels : SwitchLevels or None
    events : list of dict
        :func:`switching_events` of the data.
    period_s : float or None
        Period [s] of a drive that repeats (:func:`drive_period_s`), else None.
    """

    curve: ITCurve
    series_resistance_ohm: float
    noise_floor_A: float
    scale_A: float
    compliance_A: float | None
    y: np.ndarray
    plateau: np.ndarray
    stimulus: Stimulus
    levels: SwitchLevels | None
    events: list = field(default_factory=list)
    period_s: float | None = None

    kind = "waveform"

    @property
    def label(self):
        return self.curve.source or "waveform"

    @property
    def time_s(self):
        """Sample times from the first sample [s] (the stimulus' clock)."""
        return self.curve.time_s - self.curve.time_s[0]

    @property
    def voltage_V(self):
        """Largest |V| of the drive [V] (a waveform has no single voltage; reports show the range)."""
        return float(np.max(np.abs(self.curve.voltage_V)))

    def switching_voltages(self, kind):
        """Applied voltages [V] of the data's ``kind`` (``"set"``/``"reset"``) events."""
        return [ev["voltage_V"] for ev in self.events if ev["kind"] == kind]


def is_waveform(curve):
    """True for a curve (ITCurve) whose voltage varies."""
    return isinstance(curve, ITCurve) and not curve.is_constant_voltage


def _metadata_value(curve, keys):
    for key in keys:
        if key in curve.metadata:
            return float(curve.metadata[key])  # the CSV reader checked it (finite, >= 0)
    return None


def prepare_waveform(curve, noise_floor_A=None, compliance_A=None, series_resistance_ohm=None):
    """Check one waveform curve and compute what the fit needs (:class:`WaveformData`).

    Parameters
    ----------
    curve : memcompact.io.ITCurve or path
    noise_floor_A : float, optional
        Noise floor [A]; default :func:`waveform_noise_floor_A`.
    compliance_A : float, optional
        Current compliance [A]; default ``# compliance_A:``; 0 disables it.
    series_resistance_ohm : float, optional
        Loop resistance [Ohm]; default ``# series_resistance_ohm:``, else 0.

    Raises
    ------
    InputError
        A drive that never leaves 0 V, or a bad series resistance / floor.
    """
    if not isinstance(curve, ITCurve):
        curve = read_it_csv(curve)
    name = curve.source or "<curve>"
    v = curve.voltage_V
    if not np.any(v != 0):
        raise InputError(f"{curve.where(key='header') if curve.lines else name}: the voltage is 0 V throughout, "
                         f"nothing to fit")
    floor = waveform_noise_floor_A(curve.current_A) if noise_floor_A is None else float(noise_floor_A)
    if not (floor > 0 and np.isfinite(floor)):
        raise InputError(f"noise floor must be a positive current [A], got {noise_floor_A!r}")
    if series_resistance_ohm is None:
        series_resistance_ohm = _metadata_value(curve, SERIES_KEYS) or 0.0
    series_resistance_ohm = float(series_resistance_ohm)
    if not (np.isfinite(series_resistance_ohm) and series_resistance_ohm >= 0):
        raise InputError(f"{name}: series resistance must be a finite number >= 0 Ohm, got {series_resistance_ohm}")
    if compliance_A is None:
        compliance_A = _metadata_value(curve, COMPLIANCE_KEYS)
    compliance_A = float(compliance_A) if compliance_A else None
    scale = max(ASINH_FLOOR_FACTOR * floor, MIN_SCALE_A)
    plateau = (np.abs(curve.current_A) >= compliance_A * (1 - 1e-3) if compliance_A
               else np.zeros(curve.time_s.size, dtype=bool))
    levels = switch_levels(v, curve.current_A, scale)
    t = curve.time_s - curve.time_s[0]
    events = switching_events(t, v, curve.current_A, levels, scale) if levels else []
    stimulus = waveform_stimulus(curve.time_s, v)
    tolerance = max(STIMULUS_TOLERANCE * float(np.max(np.abs(v))), 2.0 * waveform_noise_floor_A(v))
    return WaveformData(curve=curve, series_resistance_ohm=series_resistance_ohm, noise_floor_A=floor,
                        scale_A=scale, compliance_A=compliance_A, y=asinh_current(curve.current_A, scale),
                        plateau=plateau, stimulus=stimulus, levels=levels, events=events,
                        period_s=drive_period_s(t, v, tolerance))


def leading_part(data, n_events=2):
    """The curve up to the end of the stretch of its ``n_events``-th switching event (itself if it has no more).

    Scoring the start candidates on a long periodic trace (ten periods of a
    sweep) needs only its first SET and RESET: the candidates are told apart
    there at a fraction of the cost. The part keeps the whole curve's noise
    floor, levels and series resistance.
    """
    if len(data.events) <= n_events:
        return data
    t_end = data.events[n_events - 1]["end_s"]
    k = int(np.searchsorted(data.time_s, t_end, side="right")) + 1
    c = data.curve
    part = ITCurve(c.time_s[:k], c.current_A[:k], c.voltage_V[:k], metadata=dict(c.metadata), source=c.source)
    return WaveformData(curve=part, series_resistance_ohm=data.series_resistance_ohm,
                        noise_floor_A=data.noise_floor_A, scale_A=data.scale_A, compliance_A=data.compliance_A,
                        y=data.y[:k], plateau=data.plateau[:k], stimulus=waveform_stimulus(part.time_s, part.voltage_V),
                        levels=data.levels, events=data.events[:n_events])


#: A drive counts as periodic from this many periods on (fewer: integrated in one go) [1].
MIN_PERIODS = 3


def drive_period_s(time_s, voltage_V, tolerance_V):
    """Period [s] of a drive that repeats itself from t = 0 (V(t + P) within ``tolerance_V`` of V(t)), else None.

    The candidate period is the spacing of the rising crossings of the
    drive's mid level (they must agree within two samples); at least
    ``MIN_PERIODS`` periods.
    """
    t, v = np.asarray(time_s, float), np.asarray(voltage_V, float)
    s = v - 0.5 * (v.max() + v.min())
    k = np.nonzero((s[:-1] < 0) & (s[1:] >= 0))[0]
    if k.size < MIN_PERIODS:
        return None
    tc = t[k] - s[k] * (t[k + 1] - t[k]) / (s[k + 1] - s[k])
    gaps = np.diff(tc)
    period = float(np.median(gaps))
    if np.ptp(gaps) > 2.0 * float(np.median(np.diff(t))) or t[-1] < MIN_PERIODS * period:
        return None
    m = t <= t[-1] - period
    if np.max(np.abs(np.interp(t[m] + period, t, v) - v[m])) > tolerance_V:
        return None
    return period


def _one_period(stimulus, period_s):
    """The first period of a periodic stimulus (corners up to ``period_s`` and the end point)."""
    keep = stimulus.times_s < period_s * (1 - 1e-12)
    times = np.append(stimulus.times_s[keep], period_s)
    volts = np.append(stimulus.voltages_V[keep], stimulus.voltage(period_s))
    return Stimulus(times, volts, label=f"one period ({period_s:g} s)")


def simulate_waveform(params, data, series_ohm, n_devices, rtol=1e-3, max_iterations=200000):
    """Model currents [A] on one waveform curve's samples, shape (n_devices, T).

    A periodic drive (:func:`drive_period_s`, e.g. ten periods of a
    triangle) is integrated one period at a time from the state at the end
    of the last; once every device's state at the end of a period is within
    the solver's error tolerance of its state at the start (the loop has
    settled), the model is periodic too and the later periods take the
    currents of the last one integrated (interpolated at their own sample
    phases), so ten identical periods cost a few.

    Parameters
    ----------
    params : dict
        Parameters, scalars or per-device arrays (n_devices,).
    data : WaveformData
    series_ohm : float or numpy.ndarray
        Loop resistance per device [Ohm].
    n_devices : int
    rtol : float
        Solver relative tolerance.
    """
    t = data.time_s
    period = getattr(data, "period_s", None)
    if period is None:
        sol = integrate(params, data.stimulus, t_eval=t, n_devices=n_devices,
                        series_resistance_ohm=series_ohm, rtol=rtol, max_iterations=max_iterations)
        return sol.current_A
    from memcompact.model.solver import ATOL

    one = _one_period(data.stimulus, period)
    current = np.empty((n_devices, t.size))
    y, last, settled = None, None, False
    n_periods = int(np.ceil(t[-1] / period - 1e-9))
    for k in range(n_periods):
        sel = np.nonzero((t >= k * period - 1e-12 * period) & (t < (k + 1) * period - 1e-12 * period))[0]
        if k == n_periods - 1:
            sel = np.nonzero(t >= k * period - 1e-12 * period)[0]
        rel = np.clip(t[sel] - k * period, 0.0, period)
        if settled:
            for dev in range(n_devices):
                current[dev, sel] = np.interp(rel, last[0], last[1][dev])
            continue
        t_eval = np.union1d(rel, [period])
        sol = integrate(params, one, t_eval=t_eval, n_devices=n_devices, y0=y, series_resistance_ohm=series_ohm,
                        rtol=rtol, max_iterations=max_iterations)
        pos = np.searchsorted(t_eval, rel)
        current[:, sel] = sol.current_A[:, pos]
        y_end = sol.final_state()
        if y is not None:
            y_start = np.broadcast_to(np.asarray(y, float).reshape(4, -1), y_end.shape)
            err = np.abs(y_end - y_start) / (ATOL[:, None] + rtol * np.abs(y_start))
            settled = bool(np.all(err <= 1.0))
        y = y_end
        last = (t_eval, sol.current_A)
    return current


def waveform_residual(data, model_current_A, event_weight=1.0):
    """Residual [decades] of one waveform curve: asinh samples (one-sided on a compliance plateau) + events."""
    r = asinh_current(model_current_A, data.scale_A) - data.y
    if data.plateau.any():
        # censored: the model at or beyond the compliance (same sign) is not penalised
        r = np.where(data.plateau, np.where(np.sign(data.y) > 0, np.minimum(r, 0.0), np.maximum(r, 0.0)), r)
    if not data.events:
        return r
    times = model_switching(data.time_s, data.curve.voltage_V, model_current_A, data.events, data.levels,
                            data.scale_A)
    w = event_weight * np.sqrt(data.y.size / len(data.events))
    ev_r = []
    for ev, tm in zip(data.events, times):
        tau_data = max(ev["time_s"] - ev["start_s"], 1e-12)
        # no switch in the stretch: dated one stretch later (a smooth penalty that still says "too late")
        tau_model = (2 * (ev["end_s"] - ev["start_s"])) if tm is None else max(tm - ev["start_s"], 1e-3 * tau_data)
        ev_r.append(w * np.log10(tau_model / tau_data))
    return np.concatenate([r, ev_r])


def waveform_residual_size(data):
    return data.y.size + len(data.events)


def rms_asinh(data, model_current_A):
    """RMS of the asinh sample residuals [decades] (compliance plateau excluded)."""
    r = (asinh_current(model_current_A, data.scale_A) - data.y)[~data.plateau]
    return float(np.sqrt(np.mean(r ** 2))) if r.size else 0.0


def switching_record(data, model_current_A):
    """Data and model switching events of one waveform curve, and the mean SET / RESET voltages of each."""
    levels = data.levels
    model_t = (model_switching(data.time_s, data.curve.voltage_V, model_current_A, data.events, levels, data.scale_A)
               if data.events else [])
    events = []
    for ev, tm in zip(data.events, model_t):
        events.append({"kind": ev["kind"], "data_time_s": round(ev["time_s"], 9),
                       "data_voltage_V": round(ev["voltage_V"], 4),
                       "model_time_s": None if tm is None else round(tm, 9),
                       "model_voltage_V": None if tm is None else round(float(np.interp(
                           tm, data.time_s, data.curve.voltage_V)), 4)})

    def mean(kind, key):
        vals = [e[key] for e in events if e["kind"] == kind and e[key] is not None]
        return round(float(np.mean(vals)), 4) if vals else None

    return {"events": events,
            "set_V": {"data": mean("set", "data_voltage_V"), "model": mean("set", "model_voltage_V")},
            "reset_V": {"data": mean("reset", "data_voltage_V"), "model": mean("reset", "model_voltage_V")},
            "missed": sum(1 for e in events if e["model_time_s"] is None),
            "levels_log10_S": None if levels is None else {"off": round(levels.off, 4), "on": round(levels.on, 4)}}


__all__ = ["ASINH_FLOOR_FACTOR", "SwitchLevels", "WaveformData", "asinh_current", "drive_period_s", "is_waveform",
           "leading_part", "log_conductance", "model_switching", "polarity_stretches", "prepare_waveform", "rms_asinh",
           "simplify_polyline", "simulate_waveform", "switch_levels", "switching_events", "switching_record",
           "waveform_noise_floor_A", "waveform_residual", "waveform_residual_size", "waveform_stimulus"]
