"""Global fit of the compact model to constant-voltage I-t curves, on lmfit.

:func:`fit_it` builds lmfit ``Parameters`` from the model's parameter table
(:data:`memcompact.model.parameters.PARAMETER_TABLE`: names, bounds, log
scale), runs ``lmfit.minimize`` (``least_squares``, trust-region reflective,
robust ``soft_l1`` loss) and returns a :class:`FitResult` holding lmfit's
``MinimizerResult`` and the fitted model card.

Shared and per-curve parameters
    The device parameters are shared by all curves; each curve has its own
    loop resistance ``series_resistance_ohm_<k>`` (a nuisance parameter:
    probe, wiring and source resistance differ between measurements), held
    at its start value unless ``series_resistance_ohm`` is in ``vary``.
    The card records each curve's value, and a card-level
    ``series_resistance_ohm`` (their common value, else the first curve's)
    that ``memcompact simulate`` puts in the loop by default, so a fitted
    card re-simulates to the curve it was fitted to.

One solver call per evaluation
    All curves are simulated in ONE vectorised
    :func:`memcompact.model.integrate` call (one device per curve, the
    voltage as a per-device ``voltage_scale`` on ``constant(1 V)``, the
    per-curve series resistance), on the union of the curves' time grids
    plus a tail out to ``horizon_factor`` times the longest record (so a
    model that forms too late still has a formation time). The Jacobian is a
    forward difference whose perturbed parameter sets are simulated in the
    same single call too (curves x (varied + 1) devices): for a small model
    the cost of a vectorised step hardly depends on the device count.

Residuals
    ``log_current(model) - log_current(data)`` [decades] with the data's
    noise floor (:mod:`memcompact.fit.data`), a censored residual on a
    compliance plateau, plus one residual per detected event:
    ``event_weight * sqrt(n) * log10(t_model / t_data)`` with ``n`` the
    curve's sample count, the event dated where the log current crosses
    halfway between the levels around it. The event terms move smoothly
    with the parameters where the sample residuals of an abrupt step do not.
    Parameters spanning decades (``log_scale`` in the table) are fitted as
    ``log10_<name>``, with ``<name> = 10**log10_<name>`` as an lmfit
    expression, so lmfit reports both.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from memcompact.errors import InputError, ParameterError
from memcompact.fit.data import CurveData, log_current, mark_crossing_s, prepare_curve
from memcompact.fit.start import BOLTZMANN_EV_PER_K, default_vary, starting_candidates
from memcompact.model.cards import card_params, load_model_card, preset_params
from memcompact.model.parameters import PARAMETER_TABLE, validate_params
from memcompact.model.solver import integrate
from memcompact.model.stimulus import constant
from memcompact.progress import Progress

#: Name stem of the per-curve loop resistance (``series_resistance_ohm_1``, ...) [Ohm].
SERIES = "series_resistance_ohm"
#: Forward-difference step of a log10-fitted parameter [decades].
LOG_STEP = 0.01
#: Forward-difference step of a linear parameter, relative to its value (at least 1e-4 of its bound range: 2e-3 x 5 %).
LINEAR_STEP = 2e-3
#: Residual returned for a parameter set the solver cannot integrate [decades].
FAILED_RESIDUAL = 10.0


class FitWarning(UserWarning):
    """The fit ran but something limits what it tells (e.g. no formation in the data)."""


@dataclass
class FitResult:
    """Outcome of :func:`fit_it`.

    Attributes
    ----------
    minimizer_result : lmfit.minimizer.MinimizerResult
        lmfit's result (``lmfit.fit_report(result.minimizer_result)`` works).
    card : dict
        The fitted model card (DESIGN section 5): ``params``, ``stderr``,
        ``chisqr``, ``redchi``, ``correlations``, ``data_files``, ``events``,
        ``series_resistance_ohm`` (the loop resistance [Ohm] commands use by
        default: the curves' common value, else the first curve's), and per
        curve (``curves``) its voltage, series resistance, events of data and
        model and the log-current RMS error.
    params : dict
        Fitted compact parameters.
    data : list of memcompact.fit.data.CurveData
        The curves as prepared for the fit.
    model_current_A : list of numpy.ndarray
        Model current on each curve's time grid [A].
    vary : tuple of str
        Fitted model parameters.
    warnings : list of str
        What limits the fit (also issued as :class:`FitWarning`).
    elapsed_s : float
        Wall time of the fit [s].
    """

    minimizer_result: object
    card: dict
    params: dict
    data: list
    model_current_A: list
    vary: tuple
    warnings: list = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def rms_decades(self):
        """Log-current RMS error of each curve [decades] (compliance plateau excluded)."""
        return [c["rms_decades"] for c in self.card["curves"]]

    def report(self):
        """lmfit's fit report plus each curve's events (text)."""
        from memcompact.fit.report import fit_report_text
        return fit_report_text(self)

    def plot(self, path=None):
        """Data and model, log current vs time, one panel per curve with residuals below."""
        from memcompact.fit.plot import plot_fit
        return plot_fit(self, path)


def _start_params(card):
    if card is None:
        return preset_params("ag_sio2")
    if isinstance(card, dict):
        return card_params(card)
    return card_params(load_model_card(card))


def _check_names(names, what):
    allowed = set(PARAMETER_TABLE) | {SERIES}
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ParameterError(unknown[0], f"cannot {what} unknown parameter; allowed: "
                                         f"{', '.join(sorted(allowed))}")


class GlobalProblem:
    """The global fit's model evaluation: parameter sets -> currents -> residuals.

    Parameters
    ----------
    data : list of CurveData
    base_params : dict
        Values of the parameters that are not fitted.
    rtol : float
        Solver relative tolerance.
    event_weight : float
        Weight of the event-time residuals (times sqrt of the curve's samples).
    horizon_factor : float
        The model runs to this multiple of the longest record [1].
    """

    def __init__(self, data, base_params, rtol=1e-3, event_weight=1.0, horizon_factor=10.0):
        self.data = data
        self.base = dict(base_params)
        self.rtol = rtol
        self.event_weight = float(event_weight)
        t_end = max(float(d.curve.time_s[-1]) for d in data)
        tail = np.geomspace(t_end * 1.02, t_end * horizon_factor, 40)
        self.time_s = np.union1d(np.concatenate([d.curve.time_s for d in data]), tail)
        self.index = [np.searchsorted(self.time_s, d.curve.time_s) for d in data]
        self.voltages = np.array([d.voltage_V for d in data])
        self.n_devices_run = 0

    def simulate(self, param_sets, series_sets):
        """Currents [A], shape (sets, curves, T_union), for parameter sets (dicts of varied values)."""
        n_sets, n_curves = len(param_sets), len(self.data)
        n = n_sets * n_curves
        params = dict(self.base)
        for name in param_sets[0]:
            params[name] = np.repeat([float(p[name]) for p in param_sets], n_curves)
        series = np.concatenate([np.asarray(s, dtype=float) for s in series_sets])
        sol = integrate(params, constant(1.0, float(self.time_s[-1])), t_eval=self.time_s, n_devices=n,
                        voltage_scale=np.tile(self.voltages, n_sets), series_resistance_ohm=series,
                        rtol=self.rtol)
        self.n_devices_run += n
        return sol.current_A.reshape(n_sets, n_curves, -1)

    def model_event_time_s(self, k, y_model, mark_name):
        """The model's crossing time [s] of data curve k's event level (tail end if it never crosses)."""
        t = mark_crossing_s(self.time_s, y_model, self.data[k].marks, mark_name)
        return float(self.time_s[-1]) if t is None else t

    def residual(self, currents):
        """Residual vector for one parameter set; ``currents`` shape (curves, T_union)."""
        out = []
        for k, d in enumerate(self.data):
            y_all = log_current(currents[k], d.noise_floor_A)
            y = y_all[self.index[k]]
            r = y - d.log_i
            if d.plateau.any():
                r = np.where(d.plateau, np.minimum(r, 0.0), r)
            out.append(r)
            w = self.event_weight * np.sqrt(d.log_i.size)
            for name, (_, _, t_data) in d.marks.items():
                t_model = max(self.model_event_time_s(k, y_all, name), 1e-3 * t_data)
                out.append([w * np.log10(t_model / t_data)])
        return np.concatenate([np.asarray(r, dtype=float) for r in out])

    def residual_size(self):
        return sum(d.log_i.size + len(d.marks) for d in self.data)


def _unpack(values, names):
    """Model parameter dict and per-curve series resistances from lmfit variable values."""
    model, series = {}, {}
    for name, value in zip(names, values):
        if name.startswith("log10_"):
            model[name[6:]] = 10.0 ** value
        elif name.startswith(SERIES + "_"):
            series[int(name[len(SERIES) + 1:]) - 1] = value
        else:
            model[name] = value
    return model, series


def _build_parameters(start, vary, data):
    import lmfit

    pars = lmfit.Parameters()
    for name in vary:
        if name == SERIES:
            continue
        spec = PARAMETER_TABLE[name]
        value = float(start[name])
        if spec.log_scale:
            pars.add(f"log10_{name}", value=np.log10(value), min=np.log10(spec.lower), max=np.log10(spec.upper))
            pars.add(name, expr=f"10**log10_{name}")
        else:
            pars.add(name, value=value, min=spec.lower, max=spec.upper)
    vary_series = SERIES in vary
    for k, d in enumerate(data, start=1):
        pars.add(f"{SERIES}_{k}", value=d.series_resistance_ohm, min=0.0, max=1e9, vary=vary_series)
    return pars


def robust_cost(residual, loss="soft_l1", f_scale=0.1):
    """``scipy.optimize.least_squares``'s cost of a residual vector for a named robust loss [1].

    Parameters
    ----------
    residual : numpy.ndarray
        Residuals [decades].
    loss : str
        ``linear``, ``soft_l1``, ``huber``, ``cauchy`` or ``arctan``; anything
        else (e.g. a callable loss) is scored as ``linear``.
    f_scale : float
        Residual scale where the loss turns robust [decades].
    """
    z = (np.asarray(residual, dtype=float) / f_scale) ** 2
    rho = {"linear": lambda z: z, "soft_l1": lambda z: 2.0 * (np.sqrt(1.0 + z) - 1.0),
           "huber": lambda z: np.where(z <= 1.0, z, 2.0 * np.sqrt(z) - 1.0),
           "cauchy": np.log1p, "arctan": np.arctan}.get(loss, lambda z: z)
    return float(0.5 * f_scale ** 2 * np.sum(rho(z)))


TIMING_CALIBRATIONS = 2
"""Rounds in which every candidate start is moved to the measured formation times before scoring."""


def _best_start(data, starts, rtol, event_weight, horizon_factor, loss, f_scale, calibrate=True):
    """Index of the candidate start with the lowest cost, and every cost.

    All candidates run in one vectorised solver call per round: up to
    ``TIMING_CALIBRATIONS`` rounds that move each to the measured formation
    times (``calibrate``), then the scoring round.
    """
    if len(starts) == 1:
        return 0, []
    names = [n for n in starts[0] if any(s[n] != starts[0][n] for s in starts[1:])]
    if calibrate:
        names = list(dict.fromkeys(names + ["nucleation_barrier_eV"]))
    problem = GlobalProblem(data, starts[0], rtol=rtol, event_weight=event_weight, horizon_factor=horizon_factor)
    series = [np.array([d.series_resistance_ohm for d in data])] * len(starts)
    formed = [k for k, d in enumerate(data) if "t_form_s" in d.marks] if calibrate else []
    bounds = PARAMETER_TABLE["nucleation_barrier_eV"]
    for calibration in range(TIMING_CALIBRATIONS + 1):
        try:
            currents = problem.simulate([{n: s[n] for n in names} for s in starts], series)
        except (RuntimeError, FloatingPointError):
            return 0, []
        if calibration == TIMING_CALIBRATIONS or not formed:
            break
        # move each candidate to the measured formation times (the barrier scales the nucleation delay)
        for start, cur in zip(starts, currents):
            log_ratio = np.mean([np.log(data[k].marks["t_form_s"][2] / problem.model_event_time_s(
                k, log_current(cur[k], data[k].noise_floor_A), "t_form_s")) for k in formed])
            kt = BOLTZMANN_EV_PER_K * start["temperature_K"]
            start["nucleation_barrier_eV"] = float(np.clip(start["nucleation_barrier_eV"] + kt * log_ratio,
                                                           bounds.lower, bounds.upper))
    costs = [robust_cost(problem.residual(c), loss, f_scale) for c in currents]
    return int(np.argmin(costs)), costs


def fit_it(curves, card=None, vary=None, fix=(), noise_floor_A=None, compliance_A=None, series_resistance_ohm=None,
           auto_start=None, loss="soft_l1", f_scale=0.1, event_weight=1.0, max_nfev=60, rtol=1e-3,
           horizon_factor=10.0, progress=False):
    """Fit the compact model to constant-voltage I-t curves (global fit, shared device parameters).

    Parameters
    ----------
    curves : sequence of memcompact.io.ITCurve or path
        Constant-voltage stress curves (CSV files are read with
        :func:`memcompact.io.read_it_csv`; bad files raise
        :class:`~memcompact.errors.DataFileError`).
    card : dict or path or str, optional
        Starting card (dict, JSON file or preset name); default the
        ``ag_sio2`` preset.
    vary : sequence of str, optional
        Parameters to fit (model parameter names, plus ``series_resistance_ohm``
        for the per-curve loop resistances). Default: chosen from the data by
        :func:`memcompact.fit.start.default_vary`.
    fix : sequence of str or dict
        Parameters to hold (removed from ``vary``) at the starting card's
        value (not at a value guessed from the data); a dict ``{name: value}``
        holds them at ``value`` (None: the card's).
    noise_floor_A : float, optional
        Noise floor of the log residuals [A]; default estimated per curve.
    compliance_A : float, optional
        Current compliance [A] of the measurement; default from the file's
        ``# compliance_A:`` or a detected plateau; 0 disables it.
    series_resistance_ohm : float, optional
        Loop resistance [Ohm] of every curve (start value); default the file's
        ``# series_resistance_ohm:`` or 0.
    auto_start : bool, optional
        Starting values from the data's events (default: True unless a card
        is given).
    loss : str
        Robust loss of ``scipy.optimize.least_squares`` (``soft_l1``,
        ``huber``, ``linear``, ...).
    f_scale : float
        Residual scale where the robust loss turns linear [decades].
    event_weight : float
        Weight of the event-time residuals [1].
    max_nfev : int
        Budget of residual evaluations (Jacobians come on top, each one
        solver call).
    rtol : float
        Solver relative tolerance.
    horizon_factor : float
        The model is run to this multiple of the longest record [1].
    progress : bool
        Progress on stderr.

    Returns
    -------
    FitResult

    Raises
    ------
    InputError
        No curves, a non-constant-voltage curve, an unknown parameter name.
    RuntimeError
        The model cannot be integrated at the starting values.
    """
    import lmfit

    started = time.perf_counter()
    if isinstance(curves, (str, bytes)) or not hasattr(curves, "__len__"):
        curves = [curves]
    if not len(curves):
        raise InputError("fit needs at least one I-t curve")
    data = [c if isinstance(c, CurveData) else
            prepare_curve(c, noise_floor_A=noise_floor_A, compliance_A=compliance_A,
                          series_resistance_ohm=series_resistance_ohm) for c in curves]
    notes = []
    fixed_values = dict(fix) if isinstance(fix, dict) else dict.fromkeys(fix)
    fix = tuple(fixed_values)
    _check_names(fix, "fix")
    card_start = _start_params(card)
    if auto_start is None:
        auto_start = card is None
    if vary is None:
        vary = default_vary(data)
    else:
        vary = tuple(vary)
        _check_names(vary, "vary")
    starts = starting_candidates(data, card_start, vary=vary) if auto_start else [dict(card_start)]
    for start in starts:
        for name, value in fixed_values.items():
            if name != SERIES:
                # held at the given value, else at the starting card's (not at a data-derived guess)
                start[name] = float(card_start[name] if value is None else value)
        validate_params(start)
    vary = tuple(n for n in dict.fromkeys(vary) if n not in fix)
    # the timing calibration moves the nucleation barrier: only when it is fitted
    chosen, start_costs = _best_start(data, starts, rtol, event_weight, horizon_factor, loss, f_scale,
                                      calibrate="nucleation_barrier_eV" in vary)
    start = starts[chosen]
    if not any("t_form_s" in d.marks for d in data):
        notes.append("no formation detected in the data: events are null; only the OFF level is identified, "
                     "the formation parameters keep their start values (delay longer than the record)")
    elif len({d.voltage_V for d in data if "t_form_s" in d.marks}) < 2 and "nucleation_voltage_fraction" in vary:
        notes.append("formation at one voltage only: nucleation_voltage_fraction is not identified")
    for d in data:
        if d.compliance_A:
            notes.append(f"{d.label}: compliance plateau at {d.compliance_A:.3g} A "
                         f"({int(d.plateau.sum())} samples, one-sided residual): the ON current above it is not "
                         f"measured, so tunnel_resistance_ohm is an upper bound")
    for note in notes:
        if note.startswith("no formation"):
            warnings.warn(note, FitWarning, stacklevel=2)

    base = dict(start)
    problem = GlobalProblem(data, base, rtol=rtol, event_weight=event_weight, horizon_factor=horizon_factor)
    pars = _build_parameters(start, vary, data)
    series0 = np.array([d.series_resistance_ohm for d in data])
    if fixed_values.get(SERIES) is not None:
        series0[:] = float(fixed_values[SERIES])
        for k in range(len(data)):
            pars[f"{SERIES}_{k + 1}"].value = float(fixed_values[SERIES])
    var_names = [n for n, p in pars.items() if p.vary]
    bar = Progress("fit", max_nfev, unit=" evals", enabled=progress)
    cache = {}

    def sets_for(values):
        model, series = _unpack(values, var_names)
        s = series0.copy()
        for k, v in series.items():
            s[k] = v
        return model, s

    def evaluate(value_rows):
        psets, ssets = zip(*(sets_for(v) for v in value_rows))
        try:
            cur = problem.simulate(list(psets), list(ssets))
        except (RuntimeError, FloatingPointError):
            return [np.full(problem.residual_size(), FAILED_RESIDUAL) for _ in value_rows]
        return [problem.residual(c) for c in cur]

    def current_values(p):
        return np.array([p[n].value for n in var_names], dtype=float)

    def residual(p):
        x = current_values(p)
        key = x.tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = evaluate([x])[0]
        bar.update(bar.done + 1)
        return cache[key]

    def jacobian(p):
        x = current_values(p)
        steps = []
        rows = [x]
        for j, name in enumerate(var_names):
            par = p[name]
            if name.startswith("log10_"):
                h = LOG_STEP
            elif name.startswith(SERIES):
                h = max(1.0, 0.01 * abs(par.value))
            else:
                h = LINEAR_STEP * max(abs(par.value), 0.05 * (par.max - par.min))
            if par.value + h > par.max:
                h = -h
            xj = x.copy()
            xj[j] += h
            rows.append(xj)
            steps.append(h)
        res = evaluate(rows)
        cache.clear()
        cache[x.tobytes()] = res[0]
        return np.column_stack([(r - res[0]) / h for r, h in zip(res[1:], steps)])

    with bar:
        if var_names:
            mres = lmfit.minimize(residual, pars, method="least_squares", Dfun=jacobian, max_nfev=max_nfev,
                                  loss=loss, f_scale=f_scale, x_scale="jac")
        else:
            mres = lmfit.minimize(residual, pars, method="least_squares", max_nfev=1)
    model_values, series_fit = sets_for(current_values(mres.params))
    params = dict(base, **model_values)
    validate_params(params)
    try:
        cur = problem.simulate([model_values], [series_fit])[0]
    except RuntimeError as exc:
        raise RuntimeError(f"Parameter estimation failed: the model cannot be integrated at the fitted values "
                           f"({exc}); optimizer: {mres.message}") from exc
    model_i = [cur[k][problem.index[k]] for k in range(len(data))]
    if not mres.success and mres.message:
        notes.append(f"optimizer: {mres.message}")
    from memcompact.fit.report import build_card, card_series_resistance
    series_note = card_series_resistance(series_fit)[1]
    if series_note:
        notes.append(series_note)
    result = FitResult(minimizer_result=mres, card={}, params=params, data=data, model_current_A=model_i,
                       vary=vary, warnings=notes, elapsed_s=0.0)
    result.card = build_card(result, series_fit)
    result.elapsed_s = time.perf_counter() - started
    result.card["fit"]["elapsed_s"] = round(result.elapsed_s, 3)
    result.card["fit"]["start"] = {"candidates": len(starts), "chosen": chosen,
                                   "costs": [round(c, 6) for c in start_costs]}
    return result


__all__ = ["FitResult", "FitWarning", "GlobalProblem", "SERIES", "fit_it"]
