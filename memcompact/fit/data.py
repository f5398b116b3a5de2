"""Measured I-t curves prepared for fitting: log current with a noise floor, compliance, event marks.

Currents span ten decades, so the fit works on ``log10`` of the current.
Instrument noise around zero (including negative readings) is handled by a
smooth noise floor ``I_floor``:

.. math:: y = \\tfrac12 \\log_{10}\\left(I^2 + I_{floor}^2\\right)

applied to data and model alike, so readings far below the floor all count
as the floor and the residual stays smooth in the model parameters.

A current-compliance plateau (the instrument clipping the current at
``compliance_A``) carries only the information "the device would pass at
least this much": those samples get a one-sided (censored) residual that is
zero whenever the model is at or above the compliance, and the model's
distance below it otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from memcompact.errors import InputError
from memcompact.events import detect_events
from memcompact.io import ITCurve, read_it_csv

#: Lowest noise floor ever used [A] (sub-fA readings are below any instrument's resolution).
MIN_NOISE_FLOOR_A = 1e-15
#: Metadata keys (``# key: value``) read from a CSV file.
SERIES_KEYS = ("series_resistance_ohm", "series_resistance_Ohm")
COMPLIANCE_KEYS = ("compliance_A",)


def log_current(current_A, noise_floor_A):
    """Smoothly floored log current ``0.5 log10(I^2 + floor^2)`` [log10 A].

    Parameters
    ----------
    current_A : array_like
        Current [A], any sign.
    noise_floor_A : float or array_like
        Noise floor [A] (> 0).
    """
    i = np.asarray(current_A, dtype=float)
    return 0.5 * np.log10(i * i + np.asarray(noise_floor_A, dtype=float) ** 2)


def estimate_noise_floor_A(current_A, block=8):
    """Instrument noise floor [A] from the sample-to-sample scatter of the quietest stretch of a trace.

    The trace is cut into blocks of ``block`` samples; in each, the scatter of
    successive differences (median absolute difference, scaled to a standard
    deviation of one reading). The floor is the smallest over blocks:
    the scatter where the current is lowest (a too low floor is harmless
    where the data stay above it). A smooth, noise-free trace gets
    a floor far below its lowest level; a trace whose low part is noise
    around zero gets the noise amplitude; multiplicative noise on a low
    level gives a floor a little below that level.

    Parameters
    ----------
    current_A : array_like
        Current samples [A].
    block : int
        Samples per block.
    """
    i = np.asarray(current_A, dtype=float)
    n = (i.size // block) * block
    if n < block:
        return MIN_NOISE_FLOOR_A
    d = np.abs(np.diff(i[:n].reshape(-1, block), axis=1))
    sigma = 1.4826 * np.median(d, axis=1) / np.sqrt(2.0)
    return float(max(sigma.min(), MIN_NOISE_FLOOR_A))


def _metadata_float(curve, keys):
    for key in keys:
        if key in curve.metadata:
            try:
                value = float(curve.metadata[key])
            except ValueError:
                raise InputError(f"{curve.source or '<curve>'}: '# {key}:' is not a number: "
                                 f"{curve.metadata[key]!r}") from None
            if not np.isfinite(value) or value < 0:
                raise InputError(f"{curve.source or '<curve>'}: '# {key}:' must be finite and >= 0")
            return value
    return None


def crossing_time_s(time_s, y, level, start_s=0.0, rising=True):
    """First time [s] after ``start_s`` at which ``y`` crosses ``level`` (linear interpolation).

    Parameters
    ----------
    time_s : numpy.ndarray
        Sample times [s].
    y : numpy.ndarray
        Log current [log10 A].
    level : float
        Level to cross [log10 A].
    start_s : float
        Search from this time on [s].
    rising : bool
        Upward crossing (True) or downward (False).

    Returns
    -------
    float or None
    """
    sign = 1.0 if rising else -1.0
    s = sign * (np.asarray(y) - level)
    k0 = int(np.searchsorted(time_s, start_s, side="left"))
    hit = np.nonzero(s[k0:] >= 0)[0]
    if not hit.size:
        return None
    k = k0 + int(hit[0])
    if k == 0 or k == k0 and s[k - 1] >= 0:
        return float(time_s[k])
    frac = -s[k - 1] / (s[k] - s[k - 1])
    return float(time_s[k - 1] + frac * (time_s[k] - time_s[k - 1]))


@dataclass
class CurveData:
    """One constant-voltage curve ready for the fit.

    Attributes
    ----------
    curve : memcompact.io.ITCurve
        The data.
    voltage_V : float
        Stress voltage [V].
    series_resistance_ohm : float
        Loop resistance [Ohm] (start value of the per-curve nuisance parameter).
    noise_floor_A : float
        Noise floor [A] of the log residuals.
    compliance_A : float or None
        Compliance level [A] if the data saturate at one.
    log_i : numpy.ndarray
        ``log_current`` of the data [log10 A].
    plateau : numpy.ndarray of bool
        Samples on the compliance plateau (censored residual).
    events : dict
        :func:`memcompact.events.detect_events` on the data.
    marks : dict
        Event name -> (level [log10 A], direction, data crossing time [s]) used by the event residuals.
    """

    curve: ITCurve
    voltage_V: float
    series_resistance_ohm: float
    noise_floor_A: float
    compliance_A: float | None
    log_i: np.ndarray
    plateau: np.ndarray
    events: dict
    marks: dict = field(default_factory=dict)

    @property
    def label(self):
        return self.curve.source or f"{self.voltage_V:g} V"


def detect_curve_events(time_s, current_A):
    """Events of an I-t curve as the fit dates them (:func:`memcompact.events.detect_events`).

    The noise floor is three times :func:`estimate_noise_floor_A`.
    Formation must reach three quarters of the way (in decades) from the
    lowest to the highest level (running median), so the
    first small steps of a gradual, stepwise rise are not taken for
    formation followed by a drop and an ECM jump; data that never rise by
    ``form_decades`` have no formation.

    Parameters
    ----------
    time_s : numpy.ndarray
        Sample times [s].
    current_A : numpy.ndarray
        Current [A].
    """
    from memcompact.events import _running_median

    a = np.abs(np.asarray(current_A, dtype=float))
    t = np.asarray(time_s, dtype=float)
    # three standard deviations of the instrument noise (robust even when the trace is mostly ON)
    floor = 3.0 * estimate_noise_floor_A(current_A)
    width = smoothing_samples(a.size)
    first = detect_events(t, current_A, noise_floor_A=floor, smooth_samples=width)
    if first["t_form_s"] is not None and formed_level_holds(t, current_A, floor, first, width):
        return first  # a formation whose level holds: later rises are ECM jumps, not the end of formation
    y = _running_median(np.log10(np.maximum(a, floor)), width)
    lo, hi = float(y.min()), float(y.max())
    form_min_A = 10 ** (lo + 0.75 * (hi - lo)) if hi - lo > 2.5 else 0.0
    return detect_events(t, current_A, noise_floor_A=floor, form_min_A=form_min_A, smooth_samples=width)


#: A formed level must hold (within ``HOLD_DECADES``) for this share of the record to count as formation [1].
HOLD_SHARE = 0.1
#: How far below the formed level the current may fall while it holds [decades].
HOLD_DECADES = 1.0


def formed_level_holds(time_s, current_A, floor_A, events, width):
    """True when the current stays within ``HOLD_DECADES`` (up or down) of the formed level for ``HOLD_SHARE`` of the record.

    A filament that bridges the film and holds is formed, whatever comes
    after it (a depletion drop, a refill, an ECM jump to a much higher
    level); flicker while a chain bridges the film (contacts forming and
    breaking within a few seconds) does not hold, nor does a first step of
    a rise that climbs on by more than a decade soon after (a chain's
    two-stage bridging): those are dated by the three-quarter rule of
    :func:`detect_curve_events`.
    """
    from memcompact.events import _running_median

    t = np.asarray(time_s, dtype=float)
    y = _running_median(np.log10(np.maximum(np.abs(np.asarray(current_A, dtype=float)), floor_A)), width)
    jf = int(np.searchsorted(t, events["t_form_s"]))
    formed = np.log10(events["i_after_form_A"])
    reached = np.nonzero(y[jf:] >= formed - HOLD_DECADES)[0]  # the detector dates the rise part-way up
    if not reached.size:
        return False
    j0 = jf + int(reached[0])
    left = np.nonzero(np.abs(y[j0:] - formed) > HOLD_DECADES)[0]
    end = t[j0 + int(left[0])] if left.size else t[-1]
    return bool(end - t[j0] >= HOLD_SHARE * (t[-1] - t[0]))


def smoothing_samples(n_samples):
    """Running-median width [samples] used to date events: 2 % of the trace, odd, at least 5.

    Wide enough that flicker while the filament bridges the film (contacts
    forming and breaking for a few seconds) is not dated as formation, drop,
    refill and ECM jump; a running median keeps a step where it is.
    """
    k = max(5, int(0.02 * n_samples))
    return k if k % 2 else k + 1


def _last_crossing_s(time_s, y, level, rising, t_event_s):
    """The data's crossing of ``level`` [s] for the last time before the detector's event time (None: none).

    The detector dates an event at its first sample past a threshold; the
    crossing of the half-way level is searched from the last sample still on
    the old side of it before that, so a flickering change is dated where it
    finally went through.
    """
    sign = 1.0 if rising else -1.0
    j = int(np.searchsorted(time_s, t_event_s))
    before = np.nonzero(sign * (y[: j + 1] - level) < 0)[0]
    if not before.size or before[-1] + 1 >= y.size:
        return None
    k = int(before[-1])
    t = crossing_time_s(time_s[k:], y[k:], level, rising=rising)
    return t if t is not None and t > 0 else None


def event_marks(time_s, log_i, events):
    """Event crossing levels and the data's crossing times (see :class:`CurveData` ``marks``).

    Each event is dated where the (running-median) log current crosses
    halfway (in decades) between the levels around it, for the last time
    before the detector dated it (:func:`_last_crossing_s`): formation
    between the levels before and after it, the drop between the level
    before it (the formed or ECM level) and the lowest after it, the refill
    between that low and the level before the drop, the ECM jump between
    the formed and the ECM level. The same levels date the model's events
    (:func:`mark_crossing_s`), so both are measured alike.
    """
    from memcompact.events import _running_median

    y = _running_median(log_i, smoothing_samples(log_i.size))
    marks = {}
    t_form = events.get("t_form_s")
    if t_form is None:
        return marks
    lo, hi = np.log10(events["i_before_form_A"]), np.log10(events["i_after_form_A"])
    spans = [("t_form_s", lo, hi, True)]
    if events.get("t_drop_s") is not None and events.get("i_after_drop_A"):
        top = np.log10(events.get("i_before_drop_A") or events["i_after_form_A"])
        low = np.log10(events["i_after_drop_A"])
        spans.append(("t_drop_s", top, low, False))
        if events.get("t_refill_s") is not None:
            spans.append(("t_refill_s", low, top, True))
    if events.get("t_ecm_s") is not None and events.get("i_after_ecm_A"):
        spans.append(("t_ecm_s", hi, np.log10(events["i_after_ecm_A"]), True))
    for name, a, b, rising in spans:
        level = 0.5 * (a + b)
        t = _last_crossing_s(time_s, y, level, rising, events[name])
        if t is not None:
            marks[name] = (level, rising, t)
    return marks


def formation_rise(data, share=0.1):
    """How long the formation takes to rise, and over how many decades.

    The rise runs from the last time the (running-median) log current is
    within ``share`` of the OFF-to-ON span above the OFF level, before the
    formation mark, to the first time after the mark it is within ``share``
    of the ON level. A model whose tunnelling gap closes at a steady front
    velocity rises log-linearly, so the pair fixes the front velocity times
    the decay length (see :func:`memcompact.fit.start.starting_values`).

    Parameters
    ----------
    data : CurveData
    share : float
        Share of the OFF-to-ON span [1] cut from each end of the rise.

    Returns
    -------
    tuple of float or None
        ``(rise_s, decades)``: duration [s] and log10 span [decades] of the
        rise; None without a formation mark or a resolved rise.
    """
    from memcompact.events import _running_median

    mark = data.marks.get("t_form_s")
    if mark is None:
        return None
    lo, hi = np.log10(data.events["i_before_form_A"]), np.log10(data.events["i_after_form_A"])
    if not hi > lo:
        return None
    t, y = data.curve.time_s, _running_median(data.log_i, smoothing_samples(data.log_i.size))
    low_level, high_level = lo + share * (hi - lo), hi - share * (hi - lo)
    j = int(np.searchsorted(t, mark[2]))
    below = np.nonzero(y[:j] <= low_level)[0]
    above = np.nonzero(y[j:] >= high_level)[0]
    if not below.size or not above.size:
        return None
    rise_s = float(t[j + above[0]] - t[below[-1]])
    return (rise_s, float(high_level - low_level)) if rise_s > 0 else None


def mark_crossing_s(time_s, model_log_i, marks, name):
    """When a model curve crosses a data curve's event level [s] (None: never).

    The model is dated by the data's own level (``marks[name]``, see
    :func:`event_marks`), so a gradual model rise is dated where the data's
    is; the drop and the ECM jump are searched after the model's formation.

    Parameters
    ----------
    time_s : numpy.ndarray
        Time of the model curve [s].
    model_log_i : numpy.ndarray
        log10 of the model current [log10 A].
    marks : dict
        The data curve's ``marks``.
    name : str
        ``"t_form_s"``, ``"t_drop_s"``, ``"t_refill_s"`` (searched after the
        model's drop) or ``"t_ecm_s"`` (a key of ``marks``).
    """
    level, rising, _ = marks[name]
    start = 0.0
    if name != "t_form_s" and "t_form_s" in marks:
        start = crossing_time_s(time_s, model_log_i, marks["t_form_s"][0]) or 0.0
    if name == "t_refill_s" and "t_drop_s" in marks:
        start = mark_crossing_s(time_s, model_log_i, marks, "t_drop_s")
        if start is None:
            return None
    if not rising:
        # a fall through the level counts once the model has been above it (it rises through it when forming)
        start = crossing_time_s(time_s, model_log_i, level, start_s=start, rising=True)
        if start is None:
            return None
    return crossing_time_s(time_s, model_log_i, level, start_s=start, rising=rising)


def rising_bound_decades(data):
    """Smallest log-current RMS [decades] any rising curve can reach on a curve's data.

    The isotonic regression of ``log_i`` (the best fit that never falls),
    scored like :func:`memcompact.fit.report.rms_decades` (compliance-plateau
    samples left out). The compact model's current
    under a constant voltage rises through formation, so where the data fall
    and rise again before they hold (a chain whose bridging collapses) no fit
    of it gets below this bound.

    Parameters
    ----------
    data : CurveData
    """
    from scipy.optimize import isotonic_regression

    r = (isotonic_regression(data.log_i).x - data.log_i)[~data.plateau]
    return float(np.sqrt(np.mean(r ** 2))) if r.size else 0.0


def _events_and_marks(time_s, current_A, noise_floor_A=None, events=None):
    time_s = np.asarray(time_s, dtype=float)
    floor = estimate_noise_floor_A(current_A) if noise_floor_A is None else noise_floor_A
    events = detect_curve_events(time_s, current_A) if events is None else events
    return events, event_marks(time_s, log_current(current_A, floor), events)


#: The events :func:`dated_events` dates, in the order they can come in a curve.
DATED_EVENT_KEYS = ("t_form_s", "t_drop_s", "t_refill_s", "t_ecm_s")


def dated_events(time_s, current_A, noise_floor_A=None, events=None):
    """``t_form_s``, ``t_drop_s``, ``t_refill_s``, ``t_ecm_s`` [s] (or None) as the fit dates them.

    Each event found by :func:`detect_curve_events` is dated at its half-way
    crossing (:func:`event_marks`); where no crossing is found, at the
    detector's sample time.

    Parameters
    ----------
    time_s : numpy.ndarray
        Sample times [s].
    current_A : numpy.ndarray
        Current [A].
    noise_floor_A : float, optional
        Floor of the log current [A]; default :func:`estimate_noise_floor_A`.
    events : dict, optional
        :func:`detect_curve_events` result, if already computed.
    """
    events, marks = _events_and_marks(time_s, current_A, noise_floor_A, events)
    return {key: (marks[key][2] if key in marks else events.get(key)) for key in DATED_EVENT_KEYS}


def formation_crossing_s(time_s, current_A, noise_floor_A=None):
    """Formation time [s] as the fit dates it (``marks['t_form_s']``), or None.

    Parameters
    ----------
    time_s : numpy.ndarray
        Sample times [s].
    current_A : numpy.ndarray
        Current [A].
    noise_floor_A : float, optional
        Floor of the log current [A]; default :func:`estimate_noise_floor_A`.
    """
    _, marks = _events_and_marks(time_s, current_A, noise_floor_A)
    return marks["t_form_s"][2] if "t_form_s" in marks else None


def prepare_curve(curve, noise_floor_A=None, compliance_A=None, series_resistance_ohm=None):
    """Check one curve and compute what the fit needs.

    Parameters
    ----------
    curve : memcompact.io.ITCurve or str or os.PathLike
        The data, or a CSV file (read with :func:`memcompact.io.read_it_csv`).
    noise_floor_A : float, optional
        Noise floor [A]; default :func:`estimate_noise_floor_A`.
    compliance_A : float, optional
        Compliance [A]; default the ``# compliance_A:`` metadata; 0 or
        None disables it. (Not detected automatically: a series-limited ON
        level is as flat as a compliance plateau.)
    series_resistance_ohm : float, optional
        Loop resistance [Ohm]; default the ``# series_resistance_ohm:``
        metadata, else 0.

    Raises
    ------
    InputError
        Not a constant-voltage curve, or zero voltage.
    """
    if not isinstance(curve, ITCurve):
        curve = read_it_csv(curve)
    name = curve.source or "<curve>"
    if not curve.is_constant_voltage:
        raise InputError(f"{name}: voltage_V varies: a waveform curve, prepared by "
                         f"memcompact.fit.waveform.prepare_waveform (fit_it and memcompact fit take both kinds)")
    voltage = float(curve.voltage_V[0])
    if voltage == 0:
        raise InputError(f"{name}: stress voltage is 0 V, nothing to fit")
    floor = estimate_noise_floor_A(curve.current_A) if noise_floor_A is None else float(noise_floor_A)
    if not (floor > 0 and np.isfinite(floor)):
        raise InputError(f"noise floor must be a positive current [A], got {noise_floor_A!r}")
    if compliance_A is None:
        compliance_A = _metadata_float(curve, COMPLIANCE_KEYS)
    compliance_A = float(compliance_A) if compliance_A else None
    if series_resistance_ohm is None:
        series_resistance_ohm = _metadata_float(curve, SERIES_KEYS) or 0.0
    log_i = log_current(curve.current_A, floor)
    if compliance_A:
        plateau = np.abs(curve.current_A) >= compliance_A * (1 - 1e-3)
    else:
        plateau = np.zeros(curve.time_s.size, dtype=bool)
    events = detect_curve_events(curve.time_s, curve.current_A)
    marks = event_marks(curve.time_s, log_i, events)
    return CurveData(curve=curve, voltage_V=voltage, series_resistance_ohm=float(series_resistance_ohm),
                     noise_floor_A=floor, compliance_A=compliance_A, log_i=log_i, plateau=plateau,
                     events=events, marks=marks)


__all__ = ["CurveData", "crossing_time_s", "dated_events", "detect_curve_events",
           "estimate_noise_floor_A", "event_marks", "formation_crossing_s", "formation_rise", "log_current",
           "mark_crossing_s", "prepare_curve", "rising_bound_decades", "smoothing_samples"]
