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
    per-curve series resistance), on the union of the curves' time grids.
    Beyond the record, a tail out to ``horizon_factor`` times the longest
    record gives a model that forms too late a formation time; only the
    devices whose model has not yet crossed every event level of its curve
    are continued into it (from their state at the record's end, in a few
    pieces), so a model that formed early does not spend the evaluation
    heating up for ten records' length. The Jacobian is a forward
    difference whose perturbed parameter sets are simulated in the same
    single call too (curves x (varied + 1) devices): for a small model the
    cost of a vectorised step hardly depends on the device count.

Starts
    Automatic candidate starts from the data's events
    (:func:`memcompact.fit.start.starting_candidates`) and, when a card is
    given, the card itself; each is moved to the measured formation times
    through its nucleation barrier (when that is fitted,
    :func:`calibrated_barrier_eV`) and the cheapest starts the fit. The
    card's record ``fit.start`` says which and why, and a note (printed by
    ``memcompact fit``) says when a given card was recalibrated or replaced.

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
from memcompact.fit.staged import event_candidates, event_start_values
from memcompact.fit.start import (BOLTZMANN_EV_PER_K, CANDIDATE_GROWTH_SHARES, default_vary,
                                  nucleation_barrier_for_delay_eV, nucleation_delay_s, starting_candidates)
from memcompact.model.compiled import STATE_NAMES
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
#: Output times in the tail beyond the record (out to ``horizon_factor`` times its end) [1].
TAIL_POINTS = 40
#: Pieces of the tail; after each, only devices with an event still ahead go on [1].
TAIL_SEGMENTS = 4
#: Safety limit of vectorised solver steps per model run in the fit (a few hundred to a few thousand
#: are normal); a run that needs more counts as failed (residual ``FAILED_RESIDUAL``) [1].
MAX_SOLVER_STEPS = 20000


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
        A model that has not crossed every event level of its curve by the
        record's end runs on to this multiple of the longest record [1].
    """

    def __init__(self, data, base_params, rtol=1e-3, event_weight=1.0, horizon_factor=10.0):
        self.data = data
        self.base = dict(base_params)
        self.rtol = rtol
        self.event_weight = float(event_weight)
        t_end = max(float(d.curve.time_s[-1]) for d in data)
        tail = np.geomspace(t_end * 1.02, t_end * horizon_factor, TAIL_POINTS) if horizon_factor > 1.02 else []
        self.time_s = np.union1d(np.concatenate([d.curve.time_s for d in data]), tail)
        self.n_record = int(np.searchsorted(self.time_s, t_end, side="right"))
        # the tail is run in segments: a device goes on only while some event of its curve is still ahead
        self.tail_segments = [seg for seg in np.array_split(np.arange(self.n_record, self.time_s.size),
                                                            TAIL_SEGMENTS) if seg.size]
        self.index = [np.searchsorted(self.time_s, d.curve.time_s) for d in data]
        self.voltages = np.array([d.voltage_V for d in data])
        self.n_devices_run = 0
        self.tail_devices_run = 0

    def _integrate(self, params, n, t_eval, series, scale, y0=None):
        return integrate(params, constant(1.0, float(t_eval[-1])), t_eval=t_eval, n_devices=n, y0=y0,
                         voltage_scale=scale, series_resistance_ohm=series, rtol=self.rtol,
                         max_iterations=MAX_SOLVER_STEPS)

    def _events_ahead(self, currents, curve_of, upto):
        """Devices (indices) with an event of their curve the model has not crossed by ``time_s[upto - 1]``."""
        ahead = []
        for dev, k in enumerate(curve_of):
            marks = self.data[k].marks
            if marks:
                y = log_current(currents[dev, :upto], self.data[k].noise_floor_A)
                if any(mark_crossing_s(self.time_s[:upto], y, marks, name) is None for name in marks):
                    ahead.append(dev)
        return np.array(ahead, dtype=int)

    def simulate(self, param_sets, series_sets):
        """Currents [A], shape (sets, curves, T_union), for parameter sets (dicts of varied values).

        The record (up to the longest curve's end) is one vectorised solver
        call for every device; the tail beyond it only continues, from the
        record's end state, the devices whose model has not yet crossed
        every event level of its curve (a model that forms too late), in
        ``TAIL_SEGMENTS`` pieces so a device stops once it has. A device
        that is done holds its last current over the rest of the tail (not
        used: its events are all dated before). The model is autonomous under
        a constant voltage, so a continued run starts its clock at 0.
        """
        n_sets, n_curves = len(param_sets), len(self.data)
        n = n_sets * n_curves
        params = dict(self.base)
        for name in param_sets[0]:
            params[name] = np.repeat([float(p[name]) for p in param_sets], n_curves)
        series = np.concatenate([np.asarray(s, dtype=float) for s in series_sets])
        scale = np.tile(self.voltages, n_sets)
        curve_of = np.tile(np.arange(n_curves), n_sets)
        n_rec = self.n_record
        sol = self._integrate(params, n, self.time_s[:n_rec], series, scale)
        self.n_devices_run += n
        current = np.empty((n, self.time_s.size))
        current[:, :n_rec] = sol.current_A
        current[:, n_rec:] = sol.current_A[:, -1:]
        y_end = np.array([sol.states[name][:, -1] for name in STATE_NAMES])
        t_from, upto = float(self.time_s[n_rec - 1]), n_rec
        ahead = self._events_ahead(current, curve_of, upto)
        for seg in self.tail_segments:
            if not ahead.size:
                break
            sub = {k: (np.asarray(v)[ahead] if np.ndim(v) == 1 and np.size(v) == n else v) for k, v in params.items()}
            tail = self._integrate(sub, ahead.size, self.time_s[seg] - t_from, series[ahead], scale[ahead],
                                   y0=y_end[:, ahead])
            self.tail_devices_run += ahead.size
            current[ahead, seg[0]:] = tail.current_A[:, -1:]
            current[ahead, seg[0]:seg[-1] + 1] = tail.current_A
            y_end[:, ahead] = np.array([tail.states[name][:, -1] for name in STATE_NAMES])
            t_from, upto = float(self.time_s[seg[-1]]), seg[-1] + 1
            still = self._events_ahead(current[ahead], curve_of[ahead], upto)
            ahead = ahead[still]
        return current.reshape(n_sets, n_curves, -1)

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



class LeastSquaresObjective:
    """lmfit objective of a fitting problem (:class:`GlobalProblem` or the mixed one).

    ``problem`` provides ``simulate(param_sets, series_sets)``, ``residual(currents)`` and
    ``residual_size()``. :meth:`residual` caches the last point, :meth:`jacobian` is a forward
    difference whose perturbed parameter sets are simulated in one call with the point itself
    (steps: ``LOG_STEP`` on log10 parameters, 1 % or 1 Ohm on loop resistances, ``LINEAR_STEP``
    of the value or of 5 % of the range otherwise, turned back at the upper bound).
    """

    def __init__(self, problem, var_names, series0, bar):
        self.problem = problem
        self.var_names = list(var_names)
        self.series0 = np.asarray(series0, dtype=float)
        self.bar = bar
        self._cache = {}

    def sets_for(self, values):
        """Model parameters and per-curve loop resistances of one value vector."""
        model, series = _unpack(values, self.var_names)
        s = self.series0.copy()
        for k, v in series.items():
            s[k] = v
        return model, s

    def evaluate(self, value_rows):
        """Residual vectors of several value vectors, simulated in one call (failed runs: FAILED_RESIDUAL)."""
        psets, ssets = zip(*(self.sets_for(v) for v in value_rows))
        try:
            cur = self.problem.simulate(list(psets), list(ssets))
        except (RuntimeError, FloatingPointError):
            return [np.full(self.problem.residual_size(), FAILED_RESIDUAL) for _ in value_rows]
        return [self.problem.residual(c) for c in cur]

    def values(self, p):
        """The varied parameters' values of lmfit ``Parameters`` as a vector."""
        return np.array([p[n].value for n in self.var_names], dtype=float)

    def residual(self, p):
        """lmfit's residual function."""
        x = self.values(p)
        key = x.tobytes()
        if key not in self._cache:
            self._cache.clear()
            self._cache[key] = self.evaluate([x])[0]
        self.bar.update(self.bar.done + 1)
        return self._cache[key]

    def jacobian(self, p):
        """lmfit's ``Dfun``: forward differences, all perturbed sets in one simulation."""
        x = self.values(p)
        rows, steps = [x], []
        for j, name in enumerate(self.var_names):
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
        res = self.evaluate(rows)
        self._cache.clear()
        self._cache[x.tobytes()] = res[0]
        return np.column_stack([(r - res[0]) / h for r, h in zip(res[1:], steps)])

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
NUCLEATION_SHARE_MIN = 0.05
"""A start whose nucleation delay is below this share of its formation time is not nucleation-limited:
the calibration then keeps its growth time and solves for the barrier (see :func:`calibrated_barrier_eV`) [1]."""


def calibrated_barrier_eV(start, data, formed, model_t_form_s):
    """Nucleation barrier [eV] that moves a start's formation to the measured times (one calibration round).

    Per formed curve, with ``t_data`` the measured and ``t_model`` the
    start's formation time:

    - nucleation-limited start (its nucleation delay of eq. 1,
      :func:`memcompact.fit.start.nucleation_delay_s`, is at least
      ``NUCLEATION_SHARE_MIN`` of ``t_model``): the barrier step
      ``kT ln(t_data / t_model)`` that scales the delay by the ratio;
    - otherwise (a drive beyond the barrier leaves nucleation at its ns
      floor, e.g. the ``cu_sio2`` preset at 6 V, and the growth alone sets
      ``t_model``, so that step would hardly move it): the growth time
      ``t_model - delay`` is kept and the barrier set so nucleation takes
      the rest of ``t_data`` (eq. 1 inverted,
      :func:`~memcompact.fit.start.nucleation_barrier_for_delay_eV`);
      if the growth alone takes nearly all of ``t_data``, the step above.

    The mean over the curves, within the parameter's bounds.

    Parameters
    ----------
    start : dict
        The start's parameters.
    data : list of CurveData
    formed : list of int
        Curves with a formation in the data.
    model_t_form_s : dict
        Curve index -> the start's formation time [s] (dated at the data's level).
    """
    kt = BOLTZMANN_EV_PER_K * start["temperature_K"]
    barriers = []
    for k in formed:
        t_data, t_model = data[k].marks["t_form_s"][2], model_t_form_s[k]
        delay_s = nucleation_delay_s(start, data[k].voltage_V)
        growth_s = t_model - delay_s
        if delay_s < NUCLEATION_SHARE_MIN * t_model and t_data - growth_s > NUCLEATION_SHARE_MIN * t_data:
            barriers.append(nucleation_barrier_for_delay_eV(start, data[k].voltage_V, t_data - growth_s))
        else:
            barriers.append(start["nucleation_barrier_eV"] + kt * np.log(t_data / t_model))
    bounds = PARAMETER_TABLE["nucleation_barrier_eV"]
    return float(np.clip(np.mean(barriers), bounds.lower, bounds.upper))


@dataclass
class StartChoice:
    """What :func:`_best_start` found: the chosen candidate, every cost, and the candidates' formation times."""

    chosen: int = 0
    costs: list = field(default_factory=list)
    #: per candidate, the model's formation time [s] of each formed curve before the calibration
    t_form_before_s: list = field(default_factory=list)
    #: per candidate, the same after the calibration (at the scored start)
    t_form_after_s: list = field(default_factory=list)


def _best_start(data, starts, rtol, event_weight, horizon_factor, loss, f_scale, calibrate=True):
    """The candidate start with the lowest cost (a :class:`StartChoice`); ``starts`` are calibrated in place.

    All candidates run in one vectorised solver call per round: up to
    ``TIMING_CALIBRATIONS`` rounds that move each to the measured formation
    times (``calibrate``: its nucleation barrier, :func:`calibrated_barrier_eV`),
    then the scoring round. A single start (a card alone) is calibrated too,
    and scored only then.
    """
    formed = [k for k, d in enumerate(data) if "t_form_s" in d.marks] if calibrate else []
    if len(starts) == 1 and not formed:
        return StartChoice()
    names = [n for n in starts[0] if any(s[n] != starts[0][n] for s in starts[1:])]
    if formed:
        names = list(dict.fromkeys(names + ["nucleation_barrier_eV"]))
    problem = GlobalProblem(data, starts[0], rtol=rtol, event_weight=event_weight, horizon_factor=horizon_factor)
    series = [np.array([d.series_resistance_ohm for d in data])] * len(starts)
    choice = StartChoice()
    for calibration in range(TIMING_CALIBRATIONS + 1):
        try:
            currents = problem.simulate([{n: s[n] for n in names} for s in starts], series)
        except (RuntimeError, FloatingPointError):
            return StartChoice()
        t_form = [{k: problem.model_event_time_s(k, log_current(cur[k], data[k].noise_floor_A), "t_form_s")
                   for k in formed} for cur in currents]
        if calibration == 0:
            choice.t_form_before_s = [[t[k] for k in formed] for t in t_form]
        if calibration == TIMING_CALIBRATIONS or not formed:
            break
        # move each candidate to the measured formation times (the barrier sets the nucleation delay)
        for start, t in zip(starts, t_form):
            start["nucleation_barrier_eV"] = calibrated_barrier_eV(start, data, formed, t)
    choice.t_form_after_s = [[t[k] for k in formed] for t in t_form]
    choice.costs = [robust_cost(problem.residual(c), loss, f_scale) for c in currents]
    choice.chosen = int(np.argmin(choice.costs))
    return choice


def _best_event_start(data, start, vary, fixed_values, rtol, event_weight, horizon_factor, loss, f_scale):
    """The best of the drop / refill / ECM grid around ``start`` (:func:`memcompact.fit.staged.event_candidates`).

    Every candidate is scored in one vectorised solver call. Returns None
    when the data show no later event (nothing to choose), else a dict:
    ``start`` (the chosen parameters), ``candidates``, ``chosen`` and the
    cost of the formula start and of the chosen one.
    """
    cands = event_candidates(data, start, vary)
    if len(cands) < 2:
        return None
    for cand in cands:
        for name, value in fixed_values.items():
            if name != SERIES and value is not None:
                cand[name] = float(value)
    names = [n for n in cands[0] if any(c[n] != cands[0][n] for c in cands[1:])]
    problem = GlobalProblem(data, cands[0], rtol=rtol, event_weight=event_weight, horizon_factor=horizon_factor)
    series = [np.array([d.series_resistance_ohm for d in data])] * len(cands)
    try:
        currents = problem.simulate([{n: c[n] for n in names} for c in cands], series)
    except (RuntimeError, FloatingPointError):
        return None
    costs = [robust_cost(problem.residual(c), loss, f_scale) for c in currents]
    best = int(np.argmin(costs))
    return {"start": cands[best], "candidates": len(cands), "chosen": best, "grid": names,
            "cost_formula": round(costs[0], 6), "cost": round(costs[best], 6)}


#: Half-width of the global method's search box around the least-squares result: log10-fitted
#: parameters [decades]; linear ones get this share of their bound range [1].
GLOBAL_BOX_DECADES = 1.0
GLOBAL_BOX_SHARE = 0.25


def _curves_rms(problem, residual):
    """Log-current RMS [decades] of each curve (compliance plateau left out) from a :meth:`GlobalProblem.residual`."""
    out, at = [], 0
    for d in problem.data:
        r = np.asarray(residual[at:at + d.log_i.size])[~d.plateau]
        at += d.log_i.size + len(d.marks)
        out.append(float(np.sqrt(np.mean(r ** 2))) if r.size else 0.0)
    return out


#: Offsets of the coordinate scan [decades of a log10 parameter, or shares of a linear one's bound range].
COORDINATE_OFFSETS = (-0.04, -0.02, -0.01, -0.005, 0.005, 0.01, 0.02, 0.04)
#: Rounds of the coordinate scan (each: one vectorised solver call and, on a better point, a least-squares polish).
COORDINATE_ROUNDS = 2


def _coordinate_stage(mres, objective, local, problem, rms_decades, loss, f_scale,
                      offsets=COORDINATE_OFFSETS, rounds=COORDINATE_ROUNDS):
    """Scan each fitted parameter alone around the ``least_squares`` result; polish from the best point.

    An abrupt event (a refill or a drop a few samples long) makes the
    residual steep in the one parameter that dates it: a 4 % change of
    ``refill_rate_per_Vs`` moves a refill by ~14 s, and ``least_squares``'
    forward differences (:data:`LOG_STEP`, 2.3 %) can stop on the slope
    beside the minimum (``xtol``). Each round evaluates every varied
    parameter at ``offsets`` (log10 parameters in decades, linear ones as
    shares of their bound range, clipped to the bounds), all in one
    vectorised solver call, and polishes with ``least_squares`` from the
    lowest robust cost if it beats the current one. Runs only where a
    curve is above ``rms_decades`` after ``least_squares`` (like the global
    stage, which then runs only if this one has not brought every curve
    under it). Returns the better result and a record.
    """
    def rms_of(result):
        return _curves_rms(problem, result.residual)

    before = rms_of(mres)
    record = {"threshold_decades": rms_decades, "rms_before": [round(r, 4) for r in before], "rounds": 0}
    if max(before) <= rms_decades:
        return mres, record
    for _ in range(rounds):
        x0 = objective.values(mres.params)
        cost0 = robust_cost(mres.residual, loss, f_scale)
        rows = []
        for j, name in enumerate(objective.var_names):
            par = mres.params[name]
            span = 1.0 if name.startswith("log10_") else (
                par.max - par.min if np.isfinite(par.max - par.min) else max(abs(par.value), 1.0))
            for off in offsets:
                x = x0.copy()
                x[j] = float(np.clip(x0[j] + off * span, par.min, par.max))
                if x[j] != x0[j]:
                    rows.append(x)
        if not rows:
            break
        costs = [robust_cost(r, loss, f_scale) for r in objective.evaluate(rows)]
        best = int(np.argmin(costs))
        record["rounds"] += 1
        if costs[best] >= cost0:
            break
        start = mres.params.copy()
        for name, value in zip(objective.var_names, rows[best]):
            start[name].value = float(value)
        polished = local(start)
        if robust_cost(polished.residual, loss, f_scale) >= cost0:
            break
        mres = polished
        if max(rms_of(mres)) <= rms_decades:
            break
    record["rms_after"] = [round(r, 4) for r in rms_of(mres)]
    return mres, record


def _global_stage(mres, residual, local, problem, sets_for, current_values, method, rms_decades, max_nfev, loss,
                  f_scale):  # noqa: PLR0913
    """lmfit's global ``method`` where ``least_squares`` from the staged start left a curve above ``rms_decades``.

    The search box is the least-squares result +- ``GLOBAL_BOX_DECADES``
    (log10 parameters) or +- ``GLOBAL_BOX_SHARE`` of the bound range
    (linear ones), within the parameter bounds; ``local`` (least_squares)
    polishes the global method's best point. Returns the better of the two
    results (robust cost) and a record of what ran.
    """
    def rms_of(result):
        return _curves_rms(problem, result.residual)

    before = rms_of(mres)
    record = {"method": method, "threshold_decades": rms_decades, "rms_before": [round(r, 4) for r in before],
              "ran": False}
    if max(before) <= rms_decades:
        return mres, record
    pars = mres.params.copy()
    for name in pars:
        par = pars[name]
        if not par.vary:
            continue
        if name.startswith("log10_"):
            half = GLOBAL_BOX_DECADES
        else:
            span = par.max - par.min if np.isfinite(par.max - par.min) else max(abs(par.value), 1.0)
            half = GLOBAL_BOX_SHARE * span
        par.set(min=max(par.min, par.value - half), max=min(par.max, par.value + half))
    import lmfit

    kws = {"seed": 0, "polish": False, "popsize": 5} if method == "differential_evolution" else {"seed": 0}
    try:
        gres = lmfit.minimize(residual, pars, method=method, max_nfev=max_nfev, **kws)
    except (ValueError, RuntimeError) as exc:
        record.update(ran=False, error=str(exc))
        return mres, record
    start = mres.params.copy()
    for name in start:
        if start[name].vary:
            start[name].value = float(np.clip(gres.params[name].value, start[name].min, start[name].max))
    polished = local(start)
    costs = [robust_cost(r.residual, loss, f_scale) for r in (mres, polished)]
    keep = polished if costs[1] < costs[0] else mres
    record.update(ran=True, nfev=int(gres.nfev), cost_before=round(costs[0], 6), cost_after=round(costs[1], 6),
                  kept="global" if keep is polished else "least_squares", rms_after=[round(r, 4) for r in rms_of(keep)])
    return keep, record


def _card_name(card):
    """How the notes name a given card: its preset or file name, else ``the given card``."""
    if isinstance(card, dict):
        return f"card {card['preset']}" if card.get("preset") else "the given card"
    return f"card {card}"


def _seconds(values):
    return ", ".join(f"{t:.3g}" for t in values) + " s"


def _given_card_record(card, given, starts, labels, choice, data):
    """``fit.start.card``: what became of a given card at the start, and the one-line note saying so.

    ``given`` holds the card's values (``fix`` applied) before the
    calibration, ``starts[0]`` the card as calibrated. The note is empty
    when the fit started from the card as given.
    """
    name = _card_name(card)
    measured = [d.marks["t_form_s"][2] for d in data if "t_form_s" in d.marks]
    b0, b1 = given["nucleation_barrier_eV"], starts[0]["nucleation_barrier_eV"]
    recalibrated = bool(abs(b1 - b0) > 1e-9)
    chosen, costs = choice.chosen, choice.costs
    record = {"name": name, "chosen": chosen == 0, "recalibrated": recalibrated,
              "nucleation_barrier_eV": {"card": b0, "start": b1},
              "cost": round(costs[0], 6) if costs else None,
              "t_form_s": {"data": measured,
                           "card": (choice.t_form_before_s or [None])[0] or None,
                           "calibrated": (choice.t_form_after_s or [None])[0] or None}}
    formed_at = ""
    if record["t_form_s"]["card"]:
        formed_at = f"its model formed at {_seconds(record['t_form_s']['card'])} (data: {_seconds(measured)}); "
    how = f"recalibrated (nucleation_barrier_eV {b0:.4g} -> {b1:.4g} eV)" if recalibrated else "as given"
    if chosen == 0:
        best_other = min(costs[1:]) if len(costs) > 1 else None
        scored = f", scored best of {len(starts)} starts" if best_other is not None else ""
        record["reason"] = f"the card {how}{scored}"
        record["note"] = ""
        if recalibrated:
            record["note"] = (f"start: {name} was {how} to form at the measured time: {formed_at}the fit started "
                              f"from it" + (f" (cost {costs[0]:.4g}, best automatic start {best_other:.4g})"
                                            if best_other is not None else ""))
        return record
    changed = [n for n in given if not np.isclose(starts[chosen][n], given[n], rtol=1e-9, atol=0.0)]
    record["changed_from_card"] = changed
    record["reason"] = (f"the {labels[chosen]} start cost {costs[chosen]:.4g}, the card {how} {costs[0]:.4g}")
    record["note"] = (f"start: {name} was only a starting point: {formed_at}{how} it cost {costs[0]:.4g}, the "
                      f"{labels[chosen]} start from the data {costs[chosen]:.4g}, so the fit started from that one "
                      f"(changed from the card: {', '.join(changed)})")
    return record


def fit_it(curves, card=None, vary=None, fix=(), noise_floor_A=None, compliance_A=None, series_resistance_ohm=None,
           auto_start=None, loss="soft_l1", f_scale=0.1, event_weight=1.0, max_nfev=60, rtol=1e-3,
           horizon_factor=10.0, progress=False, global_method="differential_evolution", global_rms_decades=0.3,
           global_max_nfev=40):
    """Fit the compact model to constant-voltage I-t curves (global fit, shared device parameters).

    Parameters
    ----------
    curves : sequence of memcompact.io.ITCurve or path
        Constant-voltage stress curves (CSV files are read with
        :func:`memcompact.io.read_it_csv`; bad files raise
        :class:`~memcompact.errors.DataFileError`).
    card : dict or path or str, optional
        Starting card (dict, JSON file or preset name); default the
        ``ag_sio2`` preset. A given card is one candidate start, scored
        against the automatic ones built on its values (see ``auto_start``);
        its nucleation barrier is first moved to the measured formation
        times when the barrier is fitted. ``card["fit"]["start"]["card"]``
        of the result records what became of it, and a note in
        ``warnings`` says when it was recalibrated or not the start chosen.
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
        Starting values from the data's events
        (:func:`memcompact.fit.start.starting_candidates`, on the card's
        values). None (default): the automatic candidates, plus the card
        itself when one is given; True: the automatic candidates only;
        False: the card only (still moved to the measured formation times).
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
        A model whose events are not all within the record is run on to this
        multiple of the longest record [1].
    progress : bool
        Progress on stderr.
    global_method : str or None
        lmfit global method (``differential_evolution`` or ``basinhopping``)
        run when the staged start and ``least_squares`` leave a curve above
        ``global_rms_decades``: it searches a box around the
        ``least_squares`` result (:data:`GLOBAL_BOX_DECADES`), and
        ``least_squares`` polishes its best point; the better of the two
        fits is kept (``card["fit"]["global"]`` records it). None: never.
    global_rms_decades : float
        Log-current RMS [decades] above which the global method runs.
    global_max_nfev : int
        Budget of residual evaluations of the global method (the default, 40,
        is about one ``differential_evolution`` population for the usual
        4-8 fitted parameters: a seeded multi-start in the box, each
        start one solver call, before the polish).

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
    from memcompact.fit.mixed import fit_mixed, read_curve
    curves = [read_curve(c) for c in curves]
    if any(getattr(c, "kind", None) == "waveform" or getattr(c, "is_constant_voltage", True) is False
           for c in curves):
        # sweeps, pulses, any V(t): memcompact.fit.mixed (stress curves in the set are fitted with them)
        return fit_mixed(curves, card=card, vary=vary, fix=fix, noise_floor_A=noise_floor_A,
                         compliance_A=compliance_A, series_resistance_ohm=series_resistance_ohm,
                         auto_start=auto_start, loss=loss, f_scale=f_scale, event_weight=event_weight,
                         max_nfev=max_nfev, rtol=rtol, horizon_factor=horizon_factor, progress=progress)
    data = [c if isinstance(c, CurveData) else
            prepare_curve(c, noise_floor_A=noise_floor_A, compliance_A=compliance_A,
                          series_resistance_ohm=series_resistance_ohm) for c in curves]
    notes = []
    fixed_values = dict(fix) if isinstance(fix, dict) else dict.fromkeys(fix)
    fix = tuple(fixed_values)
    _check_names(fix, "fix")
    card_start = _start_params(card)
    if vary is None:
        vary = default_vary(data)
    else:
        vary = tuple(vary)
        _check_names(vary, "vary")
    # a given card is a candidate start of its own (first), next to the automatic ones built on its values
    starts, labels = [], []
    if card is not None and auto_start is not True:
        starts.append(dict(card_start))
        labels.append("card")
    if card is None or auto_start is not False:
        auto = starting_candidates(data, card_start, vary=vary)
        starts += auto
        labels += ["automatic"] + [f"automatic (bridging share {100 * share:g} %)" for share in
                                   CANDIDATE_GROWTH_SHARES][:len(auto) - 1]
    if card is None or auto_start is not False:
        # drops, refills and ECM jumps: their parameters from the data (memcompact.fit.staged)
        starts[len(starts) - len(auto):] = [event_start_values(data, s) for s in auto]
    for start in starts:
        for name, value in fixed_values.items():
            if name != SERIES:
                # held at the given value, else at the starting card's (not at a data-derived guess)
                start[name] = float(card_start[name] if value is None else value)
        validate_params(start)
    given = dict(starts[0]) if labels[0] == "card" else None
    vary = tuple(n for n in dict.fromkeys(vary) if n not in fix)
    # the timing calibration moves the nucleation barrier: only when it is fitted
    choice = _best_start(data, starts, rtol, event_weight, horizon_factor, loss, f_scale,
                         calibrate="nucleation_barrier_eV" in vary)
    chosen = choice.chosen
    start = starts[chosen]
    staged = _best_event_start(data, start, vary, fixed_values, rtol, event_weight, horizon_factor, loss, f_scale)
    if staged is not None:
        start = starts[chosen] = staged["start"]
    start_record = {"candidates": len(starts), "chosen": chosen, "chosen_from": labels[chosen], "labels": labels,
                    "costs": [round(c, 6) for c in choice.costs]}
    if staged is not None:
        start_record["events"] = {k: v for k, v in staged.items() if k != "start"}
    if given is not None:
        start_record["card"] = _given_card_record(card, given, starts, labels, choice, data)
        if start_record["card"]["note"]:
            notes.append(start_record["card"]["note"])
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
    objective = LeastSquaresObjective(problem, var_names, series0, bar)
    sets_for, current_values = objective.sets_for, objective.values
    residual, jacobian = objective.residual, objective.jacobian

    with bar:
        if var_names:
            mres = lmfit.minimize(residual, pars, method="least_squares", Dfun=jacobian, max_nfev=max_nfev,
                                  loss=loss, f_scale=f_scale, x_scale="jac")
        else:
            mres = lmfit.minimize(residual, pars, method="least_squares", max_nfev=1)
        global_record = coordinate_record = None
        if var_names and global_method:
            def local(p):
                return lmfit.minimize(residual, p, method="least_squares", Dfun=jacobian, max_nfev=max_nfev,
                                      loss=loss, f_scale=f_scale, x_scale="jac")
            mres, coordinate_record = _coordinate_stage(mres, objective, local, problem, global_rms_decades, loss,
                                                        f_scale)
            mres, global_record = _global_stage(mres, residual, local, problem, sets_for, current_values,
                                                global_method, global_rms_decades, global_max_nfev, loss, f_scale)
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
    result.card["fit"]["start"] = start_record
    if coordinate_record is not None:
        result.card["fit"]["coordinate"] = coordinate_record
    if global_record is not None:
        result.card["fit"]["global"] = global_record
        if global_record.get("ran"):
            result.card["fit"]["method"] = f"least_squares + {global_method}"
    return result


__all__ = ["FitResult", "FitWarning", "GlobalProblem", "SERIES", "fit_it"]
