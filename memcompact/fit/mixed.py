"""Fits that include waveform curves: sweeps, pulse trains, any V(t), alone or with constant-voltage stress curves.

:func:`memcompact.fit.fit_it` hands a set of curves to :func:`fit_mixed` as
soon as one of them is a waveform (its voltage varies). Shared device
parameters, one loop resistance per curve, lmfit ``least_squares`` with a
robust loss and a forward-difference Jacobian whose perturbed parameter sets
are simulated in the same vectorised solver call, as in
:mod:`memcompact.fit.core`:

- stress curves are simulated and scored by
  :class:`memcompact.fit.core.GlobalProblem` (log-current and event
  residuals, unchanged);
- each waveform curve is one :func:`memcompact.model.integrate` call driven
  by its measured V(t) (:mod:`memcompact.fit.waveform`), every parameter set
  a device of it, scored by the asinh residual and the switching-event
  residuals.

Curves are ordered stress curves first, then waveforms (the card's
``curves`` and ``series_resistance_ohm_<k>`` follow that order).

Starts
    The OFF and ON levels of the waveforms set the leakage conductance and
    the tunnel resistance (``|I/V|`` where the drive is large, the loop
    resistance taken off the ON level). The switching voltages depend on the
    nucleation barrier, the growth activation energy and the transfer
    coefficient together (SET: reduction, ``alpha``; RESET: oxidation,
    ``1 - alpha``), so a grid of ``START_GRID`` candidates around them is
    simulated in one solver call per curve, on each waveform's part up to
    its first SET and RESET (:func:`memcompact.fit.waveform.leading_part`),
    and the cheapest (robust cost) starts the fit. Stress curves in the set add their own automatic
    candidates (:func:`memcompact.fit.start.starting_candidates`).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from memcompact.errors import InputError
from memcompact.fit.core import (SERIES, FitResult, GlobalProblem, LeastSquaresObjective, _build_parameters,
                                 _check_names, _start_params, robust_cost)
from memcompact.fit.data import CurveData, log_current, prepare_curve
from memcompact.fit.waveform import (WaveformData, is_waveform, leading_part, prepare_waveform, rms_asinh,
                                     simulate_waveform, switching_record, waveform_residual, waveform_residual_size)
from memcompact.io import ITCurve, read_it_csv
from memcompact.model.parameters import PARAMETER_TABLE, validate_params
from memcompact.progress import Progress

#: Parameters a waveform fit varies by default: switching (SET/RESET voltages) and the two levels.
WAVEFORM_VARY = ("nucleation_barrier_eV", "growth_activation_eV", "transfer_coefficient", "tunnel_resistance_ohm",
                 "leakage_conductance_S")
#: Start grid over the switching parameters (every combination is one candidate) [eV, eV, 1].
START_GRID = {"nucleation_barrier_eV": (0.6, 0.9, 1.2), "growth_activation_eV": (0.9, 1.1, 1.3),
              "transfer_coefficient": (0.2, 0.4, 0.6)}
#: Solver step limit of one waveform run in the fit [1].
MAX_WAVEFORM_STEPS = 100000


def read_curve(curve):
    """An :class:`~memcompact.io.ITCurve` from a curve or a CSV path (prepared data pass through)."""
    if isinstance(curve, (ITCurve, CurveData, WaveformData)):
        return curve
    return read_it_csv(curve)


def prepare_any(curve, noise_floor_A=None, compliance_A=None, series_resistance_ohm=None):
    """:class:`WaveformData` for a curve whose voltage varies, else :class:`~memcompact.fit.data.CurveData`."""
    curve = read_curve(curve)
    if isinstance(curve, (CurveData, WaveformData)):
        return curve
    if is_waveform(curve):
        return prepare_waveform(curve, noise_floor_A=noise_floor_A, compliance_A=compliance_A,
                                series_resistance_ohm=series_resistance_ohm)
    return prepare_curve(curve, noise_floor_A=noise_floor_A, compliance_A=compliance_A,
                         series_resistance_ohm=series_resistance_ohm)


class MixedFitResult(FitResult):
    """A :class:`~memcompact.fit.core.FitResult` whose report shows the waveforms' switching."""

    def report(self):
        return mixed_report_text(self)


class MixedProblem:
    """Model evaluation of a mixed set: parameter sets -> per-curve currents -> one residual vector.

    Parameters
    ----------
    data : list of CurveData and WaveformData
        Stress curves first, then waveforms.
    base_params : dict
    rtol : float
        Solver relative tolerance.
    event_weight : float
    horizon_factor : float
        As :class:`memcompact.fit.core.GlobalProblem` (stress curves).
    """

    def __init__(self, data, base_params, rtol=1e-3, event_weight=1.0, horizon_factor=10.0):
        self.data = data
        self.base = dict(base_params)
        self.rtol = rtol
        self.event_weight = float(event_weight)
        self.n_const = sum(1 for d in data if isinstance(d, CurveData))
        self.waves = data[self.n_const:]
        self.const = (GlobalProblem(data[:self.n_const], base_params, rtol=rtol, event_weight=event_weight,
                                    horizon_factor=horizon_factor) if self.n_const else None)

    def simulate(self, param_sets, series_sets):
        """Per parameter set, the list of per-curve currents [A] (stress: the union grid; waveforms: samples)."""
        n_sets = len(param_sets)
        out = [[] for _ in range(n_sets)]
        if self.const is not None:
            cur = self.const.simulate(param_sets, [np.asarray(s)[:self.n_const] for s in series_sets])
            for j in range(n_sets):
                out[j] += list(cur[j])
        params = dict(self.base)
        for name in param_sets[0]:
            params[name] = np.array([float(p[name]) for p in param_sets])
        for k, d in enumerate(self.waves):
            series = np.array([float(np.asarray(s)[self.n_const + k]) for s in series_sets])
            cur = simulate_waveform(params, d, series, n_sets, rtol=self.rtol, max_iterations=MAX_WAVEFORM_STEPS)
            for j in range(n_sets):
                out[j].append(cur[j])
        return out

    def residual(self, currents):
        """Residual vector of one parameter set (``currents`` from :meth:`simulate`)."""
        parts = []
        if self.const is not None:
            parts.append(self.const.residual(np.array(currents[:self.n_const])))
        for d, cur in zip(self.waves, currents[self.n_const:]):
            parts.append(waveform_residual(d, cur, self.event_weight))
        return np.concatenate(parts)

    def residual_size(self):
        return (self.const.residual_size() if self.const is not None else 0) + sum(
            waveform_residual_size(d) for d in self.waves)

    def sample_currents(self, currents):
        """Model current on each curve's own samples [A] (stress curves taken off the union grid)."""
        out = []
        for k, cur in enumerate(currents):
            out.append(cur[self.const.index[k]] if k < self.n_const else cur)
        return out


def waveform_start_levels(waves, params):
    """Leakage conductance and tunnel resistance from the waveforms' OFF and ON levels (dict of the two)."""
    with_levels = [d for d in waves if d.levels is not None]
    if not with_levels:
        return {}
    off = float(np.median([d.levels.off for d in with_levels]))
    on = float(np.median([d.levels.on for d in with_levels]))
    series = float(np.median([d.series_resistance_ohm for d in with_levels]))
    r_on = max(10 ** -on - series, 1.0)
    area = (params["radius_initial_m"] * 1e9) ** 2
    out = {}
    for name, value in (("leakage_conductance_S", 10 ** off),
                        ("tunnel_resistance_ohm",
                         max(r_on - params["contact_resistance_ohm"] / area, r_on / 2) * area)):
        spec = PARAMETER_TABLE[name]
        out[name] = float(np.clip(value, spec.lower, spec.upper))
    return out


@dataclass
class MixedStart:
    """Starting candidates of a mixed fit and the one chosen."""

    candidates: list
    labels: list
    costs: list
    chosen: int


def choose_start(problem, candidates, labels, series0, loss, f_scale):
    """Score every candidate in one vectorised evaluation; the cheapest (robust cost) starts the fit."""
    names = sorted({n for c in candidates for n in c if any(c[n] != o[n] for o in candidates)})
    if len(candidates) == 1 or not names:
        return MixedStart(candidates, labels, [], 0)
    problem.base = dict(candidates[0])
    if problem.const is not None:
        problem.const.base = dict(candidates[0])
    try:
        cur = problem.simulate([{n: c[n] for n in names} for c in candidates], [series0] * len(candidates))
        costs = [robust_cost(problem.residual(c), loss, f_scale) for c in cur]
    except (RuntimeError, FloatingPointError):
        return MixedStart(candidates, labels, [], 0)
    return MixedStart(candidates, labels, [round(c, 6) for c in costs], int(np.argmin(costs)))


def fit_mixed(curves, card=None, vary=None, fix=(), noise_floor_A=None, compliance_A=None,
              series_resistance_ohm=None, auto_start=None, loss="soft_l1", f_scale=0.1, event_weight=1.0,
              max_nfev=60, rtol=1e-3, horizon_factor=10.0, progress=False):
    """Fit the compact model to a set of curves with at least one waveform (arguments as :func:`fit_it`).

    Returns
    -------
    FitResult
        ``card["curves"]`` records, for each waveform curve, ``kind:
        "waveform"``, the asinh RMS (``rms_decades``, decade-like units) and
        its ``switching`` (data and model SET / RESET events and mean
        voltages).
    """
    import lmfit

    started = time.perf_counter()
    prepared = [prepare_any(c, noise_floor_A=noise_floor_A, compliance_A=compliance_A,
                            series_resistance_ohm=series_resistance_ohm) for c in curves]
    const = [d for d in prepared if isinstance(d, CurveData)]
    waves = [d for d in prepared if isinstance(d, WaveformData)]
    if not waves:
        raise InputError("fit_mixed needs at least one waveform curve")
    data = const + waves
    fixed_values = dict(fix) if isinstance(fix, dict) else dict.fromkeys(fix)
    _check_names(tuple(fixed_values), "fix")
    card_start = _start_params(card)
    if vary is None:
        from memcompact.fit.start import default_vary
        vary = tuple(dict.fromkeys(WAVEFORM_VARY + (tuple(default_vary(const)) if const else ())))
    vary = tuple(vary)
    _check_names(vary, "vary")
    vary = tuple(n for n in dict.fromkeys(vary) if n not in fixed_values)

    # candidates: the card (if given), then level-set starts over the switching grid (and the stress starts)
    base_candidates, base_labels = [], []
    if card is not None and auto_start is not True:
        base_candidates.append(dict(card_start))
        base_labels.append("card")
    if card is None or auto_start is not False:
        auto = dict(card_start)
        levels = {k: v for k, v in waveform_start_levels(waves, card_start).items() if k in vary}
        auto.update(levels)
        stress_starts = []
        if const:
            from memcompact.fit.start import starting_candidates
            stress_starts = starting_candidates(const, auto, vary=vary)
        grid_names = [n for n in START_GRID if n in vary]
        for combo in itertools.product(*(START_GRID[n] for n in grid_names)):
            cand = dict(auto, **dict(zip(grid_names, combo)))
            base_candidates.append(cand)
            base_labels.append("automatic (" + ", ".join(f"{n} {v:g}" for n, v in zip(grid_names, combo)) + ")")
        for k, cand in enumerate(stress_starts):
            base_candidates.append(cand)
            base_labels.append(f"automatic from the stress curves ({k + 1})")
    for cand in base_candidates:
        for name, value in fixed_values.items():
            if name != SERIES:
                cand[name] = float(card_start[name] if value is None else value)
        validate_params(cand)

    series0 = np.array([d.series_resistance_ohm for d in data], dtype=float)
    if fixed_values.get(SERIES) is not None:
        series0[:] = float(fixed_values[SERIES])
    # the candidates are scored on each waveform's first SET and RESET (a long periodic trace repeats them)
    scoring = MixedProblem(const + [leading_part(d) for d in waves], base_candidates[0], rtol=rtol,
                           event_weight=event_weight, horizon_factor=horizon_factor)
    choice = choose_start(scoring, base_candidates, base_labels, series0, loss, f_scale)
    start = base_candidates[choice.chosen]
    problem = MixedProblem(data, start, rtol=rtol, event_weight=event_weight, horizon_factor=horizon_factor)
    pars = _build_parameters(start, vary, data)
    for k in range(len(data)):
        pars[f"{SERIES}_{k + 1}"].value = float(series0[k])
    var_names = [n for n, p in pars.items() if p.vary]
    bar = Progress("fit", max_nfev, unit=" evals", enabled=progress)
    objective = LeastSquaresObjective(problem, var_names, series0, bar)
    sets_for, values_of = objective.sets_for, objective.values
    residual, jacobian = objective.residual, objective.jacobian

    with bar:
        if var_names:
            mres = lmfit.minimize(residual, pars, method="least_squares", Dfun=jacobian, max_nfev=max_nfev,
                                  loss=loss, f_scale=f_scale, x_scale="jac")
        else:
            mres = lmfit.minimize(residual, pars, method="least_squares", max_nfev=1)
    model_values, series_fit = sets_for(values_of(mres.params))
    params = dict(start, **model_values)
    validate_params(params)
    try:
        cur = problem.simulate([model_values], [series_fit])[0]
    except RuntimeError as exc:
        raise RuntimeError(f"Parameter estimation failed: the model cannot be integrated at the fitted values "
                           f"({exc}); optimizer: {mres.message}") from exc
    notes = []
    if not mres.success and mres.message:
        notes.append(f"optimizer: {mres.message}")
    for d in waves:
        if d.levels is None:
            notes.append(f"{d.label}: no switching in the data (|I/V| spans less than a decade): only the levels "
                         f"are identified")
    result = MixedFitResult(minimizer_result=mres, card={}, params=params, data=data,
                       model_current_A=problem.sample_currents(cur), vary=vary, warnings=notes)
    result.card = build_mixed_card(result, series_fit)
    result.elapsed_s = time.perf_counter() - started
    result.card["fit"]["elapsed_s"] = round(result.elapsed_s, 3)
    result.card["fit"]["start"] = {"candidates": len(base_candidates), "chosen": choice.chosen,
                                   "chosen_from": base_labels[choice.chosen], "costs": choice.costs}
    return result


def waveform_curve_record(d, model_current_A, series_ohm):
    """The card's ``curves`` record of one waveform curve."""
    rms = rms_asinh(d, model_current_A)
    v = d.curve.voltage_V
    return {"file": d.curve.source, "kind": "waveform", "voltage_V": d.voltage_V,
            "voltage_range_V": [float(v.min()), float(v.max())], "samples": int(v.size),
            "duration_s": float(d.time_s[-1]), "stimulus_corners": int(d.stimulus.times_s.size),
            "series_resistance_ohm": float(series_ohm), "noise_floor_A": d.noise_floor_A, "asinh_scale_A": d.scale_A,
            "compliance_A": d.compliance_A, "rms_decades": round(rms, 4), "rms_asinh": round(rms, 4),
            "switching": switching_record(d, model_current_A)}


def build_mixed_card(result, series_fit):
    """Model card of a fit with waveform curves: the stress curves' records as
    :func:`memcompact.fit.report.build_card` makes them, then the waveforms'."""
    from memcompact.fit.report import build_card, card_series_resistance
    from memcompact.model.cards import CARD_VERSION, MODEL_NAME

    n_const = sum(1 for d in result.data if isinstance(d, CurveData))
    mres = result.minimizer_result
    if n_const:
        sub = FitResult(minimizer_result=mres, card={}, params=result.params, data=result.data[:n_const],
                        model_current_A=result.model_current_A[:n_const], vary=result.vary, warnings=result.warnings)
        card = build_card(sub, series_fit[:n_const])
    else:
        stderr, correlations = {}, {}
        for lname in mres.var_names:
            par = mres.params[lname]
            name = lname[6:] if lname.startswith("log10_") else lname
            stderr[name] = float(par.stderr) if par.stderr is not None and np.isfinite(par.stderr) else None
            if lname.startswith("log10_") and name in mres.params:
                err = mres.params[name].stderr
                stderr[name] = float(err) if err is not None and np.isfinite(err) else None
            if par.correl:
                correlations[name] = {(o[6:] if o.startswith("log10_") else o): round(float(c), 4)
                                      for o, c in par.correl.items()}
        card = {"model": MODEL_NAME, "version": CARD_VERSION,
                "params": {k: float(v) for k, v in result.params.items() if k in PARAMETER_TABLE},
                "chisqr": float(mres.chisqr), "stderr": stderr, "correlations": correlations,
                "data_files": [], "events": None, "curves": [],
                "fit": {"varied": list(result.vary), "method": "least_squares",
                        "loss": mres.call_kws.get("loss") if getattr(mres, "call_kws", None) else None,
                        "nfev": int(mres.nfev), "ndata": int(mres.ndata), "success": bool(mres.success),
                        "message": str(mres.message), "warnings": list(result.warnings)}}
        if np.isfinite(mres.redchi):
            card["redchi"] = float(mres.redchi)
    for k in range(n_const, len(result.data)):
        card["curves"].append(waveform_curve_record(result.data[k], result.model_current_A[k], series_fit[k]))
    card["series_resistance_ohm"] = card_series_resistance(series_fit)[0]
    card["data_files"] = [d.curve.source for d in result.data if d.curve.source]
    if card.get("events") is None:
        card["events"] = {"t_form_s": None, "t_drop_s": None, "t_ecm_s": None}
    return card


def waveform_report_lines(card):
    """Report lines of the waveform curves of a card (switching voltages of data and model, asinh RMS)."""
    lines = []
    for c in card["curves"]:
        if c.get("kind") != "waveform":
            continue
        sw = c["switching"]
        v_lo, v_hi = c["voltage_range_V"]
        lines.append(f"    {c['file'] or '<curve>'}: waveform {v_lo:g}..{v_hi:g} V, "
                     f"{c['samples']} samples ({c['stimulus_corners']} stimulus corners), series "
                     f"{c['series_resistance_ohm']:.4g} Ohm, asinh scale {c['asinh_scale_A']:.3g} A, "
                     f"asinh RMS {c['rms_asinh']:.3f} decades")
        for kind in ("set_V", "reset_V"):
            d, m = sw[kind]["data"], sw[kind]["model"]
            lines.append(f"        {kind:8s} data {'null' if d is None else f'{d:.3f} V':>10s}   "
                         f"model {'null' if m is None else f'{m:.3f} V':>10s}")
        if sw["missed"]:
            lines.append(f"        model misses {sw['missed']} of {len(sw['events'])} switching events")
    return lines


def mixed_report_text(result):
    """lmfit's report, the stress curves' events (if any) and the waveform curves' switching."""
    from lmfit import fit_report

    lines = ["memcompact fit: compact model fitted to I-t and waveform data", "",
             fit_report(result.minimizer_result, show_correl=True, min_correl=0.3), "", "[[Curves]]",
             f"    loop resistance recorded in the card (the default of memcompact simulate): "
             f"{result.card['series_resistance_ohm']:.4g} Ohm"]
    for c in result.card["curves"]:
        if c.get("kind") == "waveform":
            continue
        lines.append(f"    {c['file'] or '<curve>'}: {c['voltage_V']:g} V, "
                     f"series {c['series_resistance_ohm']:.4g} Ohm, "
                     f"log-current RMS {c['rms_decades']:.3f} decades")
        for key in ("t_form_s", "t_drop_s", "t_ecm_s"):
            dv, mv = c["events"][key], c["model_events"][key]
            lines.append(f"        {key:9s} data {'null' if dv is None else f'{dv:.4g} s':>12s}   "
                         f"model {'null' if mv is None else f'{mv:.4g} s':>12s}")
    lines += waveform_report_lines(result.card)
    if result.warnings:
        lines += ["", "[[Warnings]]"] + [f"    {w}" for w in result.warnings]
    lines.append(f"\nfitted in {result.elapsed_s:.2f} s")
    return "\n".join(lines) + "\n"


__all__ = ["MixedFitResult", "MixedProblem", "START_GRID", "WAVEFORM_VARY", "build_mixed_card", "choose_start",
           "fit_mixed",
           "mixed_report_text", "prepare_any", "waveform_curve_record", "waveform_start_levels"]
