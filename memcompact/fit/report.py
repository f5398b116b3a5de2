"""The fitted model card and the text report of a fit."""

from __future__ import annotations

import numpy as np

from memcompact.fit.data import DATED_EVENT_KEYS, dated_events, log_current, mark_crossing_s, rising_bound_decades
from memcompact.io import EVENT_KEYS
from memcompact.model.cards import CARD_VERSION, MODEL_NAME
from memcompact.model.parameters import PARAMETER_TABLE


def _finite_or_none(value):
    return float(value) if value is not None and np.isfinite(value) else None


def events_or_null(events, keys=EVENT_KEYS):
    """The card's ``events`` block: ``t_form_s``, ``t_drop_s``, ``t_ecm_s`` [s] or None (``keys``: which)."""
    return {k: _finite_or_none(events.get(k)) for k in keys}


def missed_events(curve_record):
    """Events the data show that the fitted model does not reproduce (names), from a card's curve record."""
    return [k for k, v in curve_record["events"].items() if v is not None
            and curve_record["model_events"].get(k) is None]


def unexplained_changes(curve_data, events, share=0.05):
    """Changes of >= 1 decade in a curve's data that no detected event explains: ``[(t_s, decades)]``.

    :func:`memcompact.events.level_changes` on the data; a change counts as
    explained when an event (data date) lies within ``share`` of the
    record of it, or of the change's window. What remains are events the
    detector would have had to report but has no name for (a second drop,
    a refill after an ECM jump, ...).
    """
    from memcompact.events import level_changes
    from memcompact.fit.data import smoothing_samples

    d = curve_data
    t = d.curve.time_s
    record = float(t[-1] - t[0])
    window = max(0.05 * record, 2.0 * float(np.min(np.diff(t))))
    floor = 3.0 * d.noise_floor_A
    times = [v for v in events.values() if v is not None]
    out = []
    for t_change, change in level_changes(t, d.curve.current_A, floor, smooth_samples=smoothing_samples(t.size)):
        if not any(-share * record <= t_change - te <= window + share * record for te in times):
            out.append((round(t_change, 6), round(change, 3)))
    return out


def stderr_reason(mres, lmfit_name, spec_bounds=None):
    """Why lmfit gave no standard error for a parameter (None when it gave one).

    lmfit estimates the standard errors from the covariance of
    ``least_squares``' Jacobian: none when the parameter ends at a bound
    (the covariance of a bounded fit is not defined there), none for any
    parameter when the covariance matrix is singular (the data do not
    constrain some combination of the fitted parameters).
    """
    par = mres.params[lmfit_name]
    if par.stderr is not None and np.isfinite(par.stderr):
        return None
    span = (par.max - par.min) if np.isfinite(par.max - par.min) else abs(par.value) + 1.0
    for bound, side in ((par.min, "lower"), (par.max, "upper")):
        if np.isfinite(bound) and abs(par.value - bound) <= 1e-6 * span:
            return f"at its {side} bound ({bound:g}): lmfit gives no covariance at a bound"
    if not getattr(mres, "errorbars", False):
        return ("lmfit could not invert the Jacobian's covariance (singular: the data do not constrain some "
                "combination of the fitted parameters)")
    return "lmfit returned no finite standard error"


def rms_decades(curve_data, model_current_A):
    """Log-current RMS error [decades] of one curve (compliance plateau samples excluded)."""
    d = curve_data
    r = log_current(model_current_A, d.noise_floor_A) - d.log_i
    keep = ~d.plateau
    return float(np.sqrt(np.mean(r[keep] ** 2))) if keep.any() else 0.0


def _model_name(lmfit_name):
    return lmfit_name[6:] if lmfit_name.startswith("log10_") else lmfit_name


def model_events(curve_data, model_current_A):
    """The model's ``t_form_s``, ``t_drop_s``, ``t_ecm_s`` [s] (or None) on one data curve's time grid.

    An event the data shows is dated where the model crosses the data's level
    for it (:func:`memcompact.fit.data.mark_crossing_s`), as the fit's event
    residuals do; an event the data lacks is looked for in the model curve
    itself (:func:`memcompact.fit.data.dated_events`).
    """
    d = curve_data
    out = dated_events(d.curve.time_s, model_current_A, d.noise_floor_A)
    y = log_current(model_current_A, d.noise_floor_A)
    for name in d.marks:
        out[name] = mark_crossing_s(d.curve.time_s, y, d.marks, name)
    return out


def card_series_resistance(series_fit):
    """The card-level loop resistance [Ohm] of a fit, and a note when the curves' values differ.

    Parameters
    ----------
    series_fit : sequence of float
        Each curve's fitted (or held) loop resistance ``series_resistance_ohm_<k>`` [Ohm].

    Returns
    -------
    value : float
        The curves' common value, or the first curve's when they differ.
    note : str or None
        None when all curves share the value; otherwise what the card-level
        value is and how to re-simulate the other curves.
    """
    series = [float(s) for s in series_fit]
    if all(s == series[0] for s in series):
        return series[0], None
    values = ", ".join(f"{s:g}" for s in series)
    return series[0], (f"the curves' loop resistances differ ({values} Ohm): the card's series_resistance_ohm, "
                       f"the default of memcompact simulate, is the first curve's ({series[0]:g} Ohm)")


def _curve_series_note(k, series_fit):
    """Per-curve record of how curve ``k``'s loop resistance relates to the card-level one (None: same)."""
    first = float(series_fit[0])
    if all(float(s) == first for s in series_fit):
        return None
    if k == 0:
        return ("the card's series_resistance_ohm (the default loop resistance of memcompact simulate) is this "
                "curve's; the other curves' differ")
    return (f"differs from the card's series_resistance_ohm ({first:g} Ohm, the first curve's): re-simulate this "
            f"curve with --series-ohm {float(series_fit[k]):g}")


def build_card(result, series_fit):
    """Model card (DESIGN section 5) of a :class:`~memcompact.fit.core.FitResult`.

    ``stderr`` and ``correlations`` are given by model parameter name; for a
    parameter fitted in log10 the stderr is in its own unit (propagated by
    lmfit through ``10**log10_<name>``) and its correlations are those of its
    log10.

    The loop resistance each curve was fitted with (``series_resistance_ohm_<k>``)
    is recorded in its ``curves`` record, and the card-level
    ``series_resistance_ohm`` (what ``memcompact simulate`` puts in the loop by
    default) is their common value, or the first curve's when they differ
    (:func:`card_series_resistance`; then every curve record carries a
    ``series_resistance_note``).
    """
    mres = result.minimizer_result
    stderr, correlations, stderr_notes = {}, {}, {}
    for name in result.vary:
        if name in mres.params:
            stderr[name] = _finite_or_none(mres.params[name].stderr)
            lname = f"log10_{name}" if f"log10_{name}" in mres.params else name
            reason = stderr_reason(mres, lname)
            if reason:
                stderr_notes[name] = reason
    for k in range(len(result.data)):
        key = f"series_resistance_ohm_{k + 1}"
        if mres.params[key].vary:
            stderr[key] = _finite_or_none(mres.params[key].stderr)
            reason = stderr_reason(mres, key)
            if reason:
                stderr_notes[key] = reason
    for lname in mres.var_names:
        par = mres.params[lname]
        if par.correl:
            correlations[_model_name(lname)] = {_model_name(o): round(float(c), 4) for o, c in par.correl.items()}
    curves = []
    for k, (d, mi) in enumerate(zip(result.data, result.model_current_A)):
        mev = model_events(d, mi)
        dev = dated_events(d.curve.time_s, d.curve.current_A, d.noise_floor_A, events=d.events)
        record = {
            "file": d.curve.source, "voltage_V": d.voltage_V, "series_resistance_ohm": float(series_fit[k]),
            "noise_floor_A": d.noise_floor_A, "compliance_A": d.compliance_A,
            "events": events_or_null(dev, DATED_EVENT_KEYS), "model_events": events_or_null(mev, DATED_EVENT_KEYS),
            "rms_decades": round(rms_decades(d, mi), 4),
            "rising_bound_decades": round(rising_bound_decades(d), 4),
        }
        record["missed_by_model"] = missed_events(record)
        record["unexplained_changes"] = [{"t_s": tc, "decades": dc} for tc, dc in unexplained_changes(d, dev)]
        note = _curve_series_note(k, series_fit)
        if note:
            record["series_resistance_note"] = note
        curves.append(record)
    card = {
        "model": MODEL_NAME, "version": CARD_VERSION,
        "params": {k: float(v) for k, v in result.params.items() if k in PARAMETER_TABLE},
        "series_resistance_ohm": card_series_resistance(series_fit)[0],
        "chisqr": float(mres.chisqr), "redchi": float(mres.redchi) if np.isfinite(mres.redchi) else None,
        "stderr": stderr, "stderr_notes": stderr_notes, "correlations": correlations,
        "data_files": [d.curve.source for d in result.data if d.curve.source],
        "events": events_or_null(curves[0]["events"]),
        "curves": curves,
        "fit": {"varied": list(result.vary), "method": "least_squares", "loss": mres.call_kws.get("loss")
                if getattr(mres, "call_kws", None) else None, "nfev": int(mres.nfev),
                "ndata": int(mres.ndata), "success": bool(mres.success), "message": str(mres.message),
                "warnings": list(result.warnings)},
    }
    if card["redchi"] is None:
        del card["redchi"]
    return card


def _fmt_t(value):
    return "null" if value is None else f"{value:.4g} s"


def fit_report_text(result):
    """lmfit's ``fit_report`` followed by the per-curve events of data and model."""
    from lmfit import fit_report

    lines = ["memcompact fit: compact model fitted to I-t data", ""]
    lines.append(fit_report(result.minimizer_result, show_correl=True, min_correl=0.3))
    lines += ["", "[[Curves]]"]
    if result.card.get("series_resistance_ohm") is not None:
        lines.append(f"    loop resistance recorded in the card (the default of memcompact simulate): "
                     f"{result.card['series_resistance_ohm']:.4g} Ohm")
    for c in result.card["curves"]:
        lines.append(f"    {c['file'] or '<curve>'}: {c['voltage_V']:g} V, "
                     f"series {c['series_resistance_ohm']:.4g} Ohm, noise floor {c['noise_floor_A']:.3g} A"
                     + (f", compliance {c['compliance_A']:.3g} A" if c["compliance_A"] else "")
                     + f", log-current RMS {c['rms_decades']:.3f} decades (no rising curve below "
                       f"{c['rising_bound_decades']:.3f})")
        for key in DATED_EVENT_KEYS:
            data_t, model_t = _fmt_t(c["events"].get(key)), _fmt_t(c["model_events"].get(key))
            lines.append(f"        {key:10s} data {data_t:>12s}   model {model_t:>12s}")
        found = [k for k, v in c["events"].items() if v is not None]
        lines.append(f"        events found in the data: {', '.join(found) or 'none'}; missed by the model: "
                     f"{', '.join(c.get('missed_by_model') or []) or 'none'}")
        for change in c.get("unexplained_changes") or []:
            lines.append(f"        a change of {change['decades']:+.2g} decades at {change['t_s']:.4g} s that no "
                         f"event explains (expected an event; the fit does not follow it)")
    lines += ["", "[[Standard errors]]"]
    for name, value in result.card["stderr"].items():
        note = result.card.get("stderr_notes", {}).get(name)
        lines.append(f"    {name}: " + (f"{value:.4g}" if value is not None else f"not estimated: {note}"))
    if result.warnings:
        lines += ["", "[[Warnings]]"] + [f"    {w}" for w in result.warnings]
    lines.append(f"\nfitted in {result.elapsed_s:.2f} s")
    return "\n".join(lines) + "\n"


__all__ = ["build_card", "card_series_resistance", "events_or_null", "fit_report_text", "missed_events",
           "rms_decades", "stderr_reason", "unexplained_changes"]
