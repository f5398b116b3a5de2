"""Prediction as a result: simulate held-out curves with a fitted card and score them.

A fit says little until the card predicts what it was not fitted to: another
amplitude, another sweep rate, another stress voltage. :func:`predict_curves`
simulates each held-out curve with the card's parameters (the curve's own loop
resistance from its file or the given value, else the card's) and scores it
exactly as the fit scores its own curves:

- waveform curves: the asinh RMS [decades] (:func:`memcompact.fit.waveform.rms_asinh`)
  and the switching events: mean SET and RESET voltages of data and model,
  their errors [V], and how many of the data's switching events the model misses;
- stress curves: the log-current RMS [decades]
  (:func:`memcompact.fit.report.rms_decades`) and, per event of the data,
  ``log10(t_model / t_data)`` [decades of time].

``memcompact fit --predict OTHER.csv`` runs it after the fit and writes the
scores into the report, ``summary.json`` and ``predict.png``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from memcompact.fit.data import CurveData
from memcompact.fit.waveform import WaveformData, rms_asinh, simulate_waveform, switching_record


@dataclass
class Prediction:
    """Held-out curves simulated with a card: ``data``, ``model_current_A``, ``card["curves"]`` (scores).

    Shaped like a :class:`~memcompact.fit.core.FitResult` for
    :func:`memcompact.fit.plot.plot_fit`; ``scores`` is the list of per-curve
    score records (also ``card["curves"]``).
    """

    data: list
    model_current_A: list
    card: dict = field(default_factory=dict)

    @property
    def scores(self):
        return self.card["curves"]

    def plot(self, path=None):
        from memcompact.fit.plot import plot_fit
        return plot_fit(self, path)


def _card_of(card_or_result):
    card = getattr(card_or_result, "card", card_or_result)
    if isinstance(card, dict):
        return card
    from memcompact.model.cards import load_model_card
    return load_model_card(card)


def _stress_score(d, params, series_ohm, rtol):
    from memcompact.fit.core import GlobalProblem
    from memcompact.fit.report import events_or_null, model_events, rms_decades
    from memcompact.fit.data import dated_events

    problem = GlobalProblem([d], params, rtol=rtol)
    cur = problem.simulate([{}], [np.array([series_ohm])])[0][0][problem.index[0]]
    data_ev = events_or_null(dated_events(d.curve.time_s, d.curve.current_A, d.noise_floor_A, events=d.events))
    model_ev = events_or_null(model_events(d, cur))
    errors = {k: (round(float(np.log10(model_ev[k] / data_ev[k])), 4) if data_ev[k] and model_ev[k] else None)
              for k in data_ev if data_ev[k] is not None}
    return cur, {"file": d.curve.source, "kind": "stress", "voltage_V": d.voltage_V,
                 "series_resistance_ohm": float(series_ohm), "noise_floor_A": d.noise_floor_A,
                 "compliance_A": d.compliance_A, "rms_decades": round(rms_decades(d, cur), 4),
                 "events": data_ev, "model_events": model_ev, "event_errors_log10_s": errors,
                 "missed_events": [k for k in errors if model_ev[k] is None]}


def _waveform_score(d, params, series_ohm, rtol):
    from memcompact.fit.mixed import waveform_curve_record

    cur = simulate_waveform(params, d, series_ohm, 1, rtol=rtol)[0]
    record = waveform_curve_record(d, cur, series_ohm)
    sw = record["switching"]
    record["set_V_error"] = (round(sw["set_V"]["model"] - sw["set_V"]["data"], 4)
                             if sw["set_V"]["model"] is not None and sw["set_V"]["data"] is not None else None)
    record["reset_V_error"] = (round(sw["reset_V"]["model"] - sw["reset_V"]["data"], 4)
                               if sw["reset_V"]["model"] is not None and sw["reset_V"]["data"] is not None else None)
    record["missed_events"] = sw["missed"]
    return cur, record


def predict_curves(card_or_result, curves, noise_floor_A=None, compliance_A=None, series_resistance_ohm=None,
                   rtol=1e-3):
    """Simulate held-out curves with a fitted card and score them like the fit's own curves.

    Parameters
    ----------
    card_or_result : dict or FitResult or path
        The fitted card (or a fit result, or a card file).
    curves : sequence of ITCurve, path, CurveData or WaveformData
        Held-out curves (stress or waveform; bad files raise
        :class:`~memcompact.errors.DataFileError`).
    noise_floor_A, compliance_A : float, optional
        As for the fit.
    series_resistance_ohm : float, optional
        Loop resistance [Ohm] of every held-out curve; default each file's
        ``# series_resistance_ohm:``, else the card's ``series_resistance_ohm``.
    rtol : float
        Solver relative tolerance.

    Returns
    -------
    Prediction
        ``scores``: per curve ``file``, ``kind``, ``rms_decades`` (asinh
        RMS for waveforms) and the event / switching-voltage errors.
    """
    from memcompact.fit.mixed import prepare_any
    from memcompact.model.cards import card_params

    card = _card_of(card_or_result)
    params = card_params(card)
    card_series = float(card.get("series_resistance_ohm") or 0.0)
    if isinstance(curves, (str, bytes)) or not hasattr(curves, "__len__"):
        curves = [curves]
    # every file is read and checked before anything is simulated
    prepared = [prepare_any(c, noise_floor_A=noise_floor_A, compliance_A=compliance_A,
                            series_resistance_ohm=series_resistance_ohm) for c in curves]
    data, currents, scores = [], [], []
    for d in prepared:
        from_file = any(k in d.curve.metadata for k in ("series_resistance_ohm", "series_resistance_Ohm"))
        series = (float(series_resistance_ohm) if series_resistance_ohm is not None
                  else d.series_resistance_ohm if from_file else card_series)
        if isinstance(d, WaveformData):
            cur, score = _waveform_score(d, params, series, rtol)
        elif isinstance(d, CurveData):
            cur, score = _stress_score(d, params, series, rtol)
        else:  # pragma: no cover - prepare_any returns one of the two
            raise TypeError(type(d))
        score["series_source"] = ("--series-ohm" if series_resistance_ohm is not None
                                  else "file" if from_file else "card")
        data.append(d)
        currents.append(cur)
        scores.append(score)
    return Prediction(data=data, model_current_A=currents, card={"curves": scores})


def prediction_report_lines(prediction):
    """Report lines of a prediction (one block per held-out file)."""
    lines = []
    for s in prediction.scores:
        if s["kind"] == "waveform":
            sw = s["switching"]

            def fmt(x):
                return "null" if x is None else f"{x:.3f} V"

            v_lo, v_hi = s["voltage_range_V"]
            lines.append(f"    {s['file'] or '<curve>'}: waveform {v_lo:g}..{v_hi:g} V, "
                         f"series {s['series_resistance_ohm']:.4g} Ohm ({s['series_source']}), asinh RMS "
                         f"{s['rms_asinh']:.3f} decades")
            lines.append(f"        SET   data {fmt(sw['set_V']['data']):>9s}  model {fmt(sw['set_V']['model']):>9s}"
                         f"  error {fmt(s['set_V_error'])}")
            lines.append(f"        RESET data {fmt(sw['reset_V']['data']):>9s}  model {fmt(sw['reset_V']['model']):>9s}"
                         f"  error {fmt(s['reset_V_error'])}")
            if s["missed_events"]:
                lines.append(f"        model misses {s['missed_events']} of {len(sw['events'])} switching events")
        else:
            lines.append(f"    {s['file'] or '<curve>'}: {s['voltage_V']:g} V stress, series "
                         f"{s['series_resistance_ohm']:.4g} Ohm ({s['series_source']}), log-current RMS "
                         f"{s['rms_decades']:.3f} decades")
            for k, err in s["event_errors_log10_s"].items():
                lines.append(f"        {k:9s} data {s['events'][k]:.4g} s  model "
                             + ("none" if s["model_events"][k] is None else f"{s['model_events'][k]:.4g} s")
                             + ("" if err is None else f"  error {err:+.3f} decades"))
    return lines


__all__ = ["Prediction", "predict_curves", "prediction_report_lines"]
