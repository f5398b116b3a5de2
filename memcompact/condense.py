"""Condensation: from the cluster chain (microscopic) to a compact-model card that keeps its physics.

:func:`condense` runs the chain simulator (:mod:`memcompact.chain`) under
constant-voltage stress at several voltages (at least 4 for the slope to be
measured, not assumed), the same seeds at every voltage (at least 5, so the
median is a device's typical delay, not one seed's luck), and builds a card
in four steps:

1. **Statistics of the chain** (:func:`chain_statistics`): per voltage, each
   seed's formation time (the chain's own ``events['t_form_s']``), their
   median (a seed that does not form counts as the latest), and the share of
   seeds that show a spontaneous drop, a refill and an ECM jump with the
   median delays between them; over the voltages, the slope of
   ``log10(median t_form)`` vs ``V`` (decades per volt, a least-squares line,
   :func:`delay_slope_decades_per_V`).
2. **Analytic calibration** of the parameters that set the delay and its
   slope: :func:`memcompact.fit.starting_values` (eq. 1 condensed,
   ``t = ln(11) t0 exp((dG - alpha N_c z f V) / kT)``: the slope gives
   ``alpha f``, the intercept the barrier ``dG``), then
   :func:`calibrate_formation`: Gauss-Newton on ``(dG, ln(alpha f))`` so the
   compact model's own formation time (nucleation plus bridging, simulated)
   meets the chain's median at every voltage.
3. **Events** (:func:`calibrate_events`): where the majority of seeds show a
   drop (AE depletion, the seed paper's Fig. 5a), the AE reservoir
   ``reservoir_m3`` is chosen so the compact model drops as long after
   formation as the chain does; with a refill (Fig. 5h-j) the refill rate
   ``refill_rate_per_Vs`` so it comes back as soon; with an ECM jump (Fig. 6)
   the thermal resistance ``thermal_resistance_K_per_W`` and the flank
   growth velocity ``radial_velocity_m_per_s`` so the slowly thickening
   filament heats past ``ecm_temperature_K`` as late. Each is a vectorised scan of the
   compact model (one solver call per parameter, every voltage at once),
   scored on ``log`` of the delays.
4. **Fit** with :func:`memcompact.fit.fit_it` (the one fitting machinery: log
   current and formation-time residuals) to the median-delay run of each
   voltage, from the calibrated card; then steps 2-3 once more on the fitted
   card (the fit weighs levels against timing and may move the delays by tens
   of percent) and the card is scored on the curves again
   (``fit_it`` with nothing varied), so ``curves`` and ``rms_decades`` in it
   describe the card as saved.

The card records where it came from (``condensed_from``): the chain
parameters, voltages, seeds, each seed's formation time, the medians, the
slope of chain and card, the event shares and delays of chain and card.

Why the median run is fitted: nucleation in the chain is stochastic, so one
seed per voltage gives delays that scatter by tens of percent and need not
even fall with voltage; the compact model is deterministic and describes the
typical device.

:func:`condense_variant` maps a chain variant (e.g. a small AE reservoir, or
strong Joule heating) at one voltage onto a copy of a condensed card: same
nucleation voltage dependence, the barrier moved to the variant's median
delay, the event parameters calibrated as in step 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from memcompact.errors import InputError
from memcompact.events import EVENT_TIME_KEYS, detect_events
from memcompact.fit import fit_it, log_current
from memcompact.model.cards import preset_params
from memcompact.model.parameters import PARAMETER_TABLE, complete_params, validate_params
from memcompact.model.solver import integrate
from memcompact.model.stimulus import constant

#: Compact parameters fitted by default (event parameters are added when the chain shows the event).
DEFAULT_VARY = ("nucleation_barrier_eV", "nucleation_voltage_fraction", "growth_activation_eV",
                "tunnel_resistance_ohm")

#: Event -> compact parameters that set its delay (the events are calibrated in this order).
EVENT_PARAMETERS = {"drop": ("reservoir_m3", "contact_gap_max_m"), "refill": ("refill_rate_per_Vs",),
                    "ecm": ("thermal_resistance_K_per_W", "radial_velocity_m_per_s")}

#: Values scanned per event parameter (log spaced; several parameters of one event: their product grid).
#: The contact gap sets the drop's depth (tunnelling across it): with a fitted decay length of
#: 1.56 nm the default 4 nm took the demo's drop variant down 0.45 decade, not the detector's 1.
EVENT_SCANS = {"reservoir_m3": np.logspace(-27.0, -21.0, 25), "contact_gap_max_m": np.logspace(-8.7, -8.0, 4),
               "refill_rate_per_Vs": np.logspace(-4.0, 2.0, 25),
               "thermal_resistance_K_per_W": np.logspace(3.0, 8.0, 11),
               "radial_velocity_m_per_s": np.logspace(-8.0, 1.0, 10)}

#: Current floor of the plots and level comparisons [A].
NOISE_FLOOR_A = 1e-13

#: Default stress voltages [V] (4 voltages over 1.5 V: at 40 nm the chain delay falls ~0.4 decade/V there).
DEFAULT_VOLTAGES_V = (2.5, 3.0, 3.5, 4.0)

#: A voltage whose median delay is shorter than this share of the run is run again, shorter [1].
EARLY_SHARE = 0.05
#: Such a rerun lasts this many median delays [1].
RERUN_DELAYS = 4.0


def chain_detect_events(time_s, current_A, window_s=None):
    """Events of a simulated curve with the chain's own settings (:func:`memcompact.chain.simulate_chain`).

    The chain's curves are dated by this rule, and so are the compact model's
    after their formation (:func:`model_detect_events`): formation needs a
    2.5-decade rise to >= 0.1 uA, an ECM jump a rise of >= 1 mA (the paper's
    "> 1 mA", Fig. 6a). ``window_s``: as in :func:`memcompact.events.detect_events`.
    """
    from memcompact.chain.simulate import ECM_MIN_RISE_A, FORM_MIN_A, SIM_NOISE_FLOOR_A

    return detect_events(time_s, current_A, noise_floor_A=SIM_NOISE_FLOOR_A, ecm_min_rise_A=ECM_MIN_RISE_A,
                         form_min_A=FORM_MIN_A, window_s=window_s)


def _formation_level_A(first_A):
    """Current that dates a compact model's formation [A]: the chain's rule (a 2.5-decade rise to at
    least 0.1 uA) as a threshold over the current ``first_A`` just after the start."""
    from memcompact.chain.simulate import FORM_MIN_A

    return np.maximum(FORM_MIN_A, 10 ** 2.5 * np.maximum(first_A, 1e-18))


def model_detect_events(time_s, current_A):
    """Events of a compact-model curve: formation by the threshold rule, the rest by the chain's rule.

    The chain bridges in one abrupt step; the compact model may rise in one
    monotone sweep longer than the chain detector's 5 % window (a card's
    8-decade rise over 150 s of a 500 s run), where :func:`chain_detect_events`
    dates nothing, and a drop after such a rise went unseen too. Formation is
    therefore dated as in :func:`model_formation_times_s`: the first sample at
    which ``|I|`` reaches ``max(0.1 uA, 10**2.5 |I(t_1)|)`` (``t_1``, the
    first sample after the start). Drop, refill and ECM jump are then dated
    by the chain's rule on the curve from that sample on, with the chain's
    window (5 % of the whole run). On an abrupt rise both rules date the same
    sample; on a slow one the chain's rule can take a later step (a refill
    2.5 decades up within its window) for the formation.
    """
    from memcompact.chain.simulate import SIM_NOISE_FLOOR_A

    t = np.asarray(time_s, dtype=float)
    i = np.abs(np.asarray(current_A, dtype=float))
    above = np.nonzero(i[1:] >= _formation_level_A(i[min(1, t.size - 1)]))[0]
    if not above.size or t.size - (int(above[0]) + 1) < 3:  # no formation, or nothing after it to date
        events = {**chain_detect_events(t, i), **dict.fromkeys(EVENT_TIME_KEYS)}
        events["t_form_s"] = float(t[int(above[0]) + 1]) if above.size else None
        return events
    j = int(above[0]) + 1
    # the curve from formation on, behind one sample at the floor: formation is dated at t[j]
    t_after = np.concatenate([[t[j] - 0.5 * (t[j] - t[j - 1])], t[j:]])
    i_after = np.concatenate([[SIM_NOISE_FLOOR_A], i[j:]])
    # the window detect_events takes by default for the whole run (5 %, at least two sample spacings)
    after = chain_detect_events(t_after, i_after, window_s=max(0.05 * (t[-1] - t[0]), 2.0 * float(np.min(np.diff(t)))))
    after["t_form_s"] = float(t[j])
    after["i_before_form_A"] = float(np.median(np.maximum(i[:j], SIM_NOISE_FLOOR_A)))
    return after


def _finite(value):
    """``float(value)``, or None when it is not finite (JSON has no NaN)."""
    return float(value) if value is not None and np.isfinite(value) else None


def _median_or_nan(values):
    """Median where a NaN (never happened) counts as the latest; NaN when the majority never happened."""
    v = np.where(np.isnan(values), np.inf, values)
    m = float(np.median(v)) if v.size else np.inf
    return m if np.isfinite(m) else float("nan")


@dataclass
class ChainStatistics:
    """What the chain does at each voltage, over its seeds (:func:`chain_statistics`).

    Attributes
    ----------
    voltages_V : list of float
        Stress voltages [V].
    seeds : list of int
        Seeds run at every voltage.
    duration_s : list of float
        Length of the runs at each voltage [s].
    form_s : numpy.ndarray
        Formation time of each (voltage, seed) [s]; NaN: no formation.
    event_s : dict of numpy.ndarray
        ``drop``, ``refill``, ``ecm``: time of the event of each (voltage, seed) [s]; NaN: none.
    """

    voltages_V: list
    seeds: list
    duration_s: list
    form_s: np.ndarray
    event_s: dict = field(default_factory=dict)

    @property
    def median_form_s(self):
        """Median formation time per voltage [s] (NaN when most seeds do not form)."""
        return np.array([_median_or_nan(row) for row in self.form_s])

    def share(self, event):
        """Share of the seeds that show ``event`` (``form``, ``drop``, ``refill``, ``ecm``) per voltage [1]."""
        times = self.form_s if event == "form" else self.event_s[event]
        return np.mean(np.isfinite(times), axis=1)

    def shows(self, event):
        """Per voltage: True when the majority of seeds show ``event``."""
        return self.share(event) > 0.5

    def median_delay_s(self, event):
        """Median delay of ``event`` after the one before it, over the seeds that show it, per voltage [s].

        ``drop`` and ``ecm`` are timed from formation, ``refill`` from the drop;
        NaN where no seed shows it.
        """
        start = self.event_s["drop"] if event == "refill" else self.form_s
        delay = self.event_s[event] - start
        return np.array([float(np.median(d[np.isfinite(d)])) if np.isfinite(d).any() else np.nan for d in delay])

    def slope_decades_per_V(self):
        """Slope and intercept of ``log10(median t_form [s])`` vs ``V`` (:func:`delay_slope_decades_per_V`)."""
        return delay_slope_decades_per_V(self.voltages_V, self.median_form_s)

    def to_dict(self):
        """JSON-ready record (NaN -> None)."""
        def clean(a):
            return [[None if not np.isfinite(x) else float(x) for x in row] for row in np.atleast_2d(a)]
        slope, intercept = self.slope_decades_per_V()
        return {"voltages_V": [float(v) for v in self.voltages_V], "seeds": [int(s) for s in self.seeds],
                "duration_s": [float(d) for d in self.duration_s], "seed_form_s": clean(self.form_s),
                "median_form_s": clean(self.median_form_s)[0],
                "slope_decades_per_V": _finite(slope), "intercept_decades": _finite(intercept),
                "event_share": {e: [float(x) for x in self.share(e)] for e in ("form", "drop", "refill", "ecm")},
                "median_delay_s": {e: clean(self.median_delay_s(e))[0] for e in ("drop", "refill", "ecm")}}


def delay_slope_decades_per_V(voltages_V, t_form_s):
    """Least-squares line through ``log10(t_form [s])`` vs ``V``: (slope [decades/V], intercept [decades]).

    Voltages without a formation (NaN) are left out; (NaN, NaN) with fewer than 2 left.
    """
    v = np.asarray(voltages_V, dtype=float)
    t = np.asarray(t_form_s, dtype=float)
    ok = np.isfinite(t) & (t > 0)
    if np.unique(v[ok]).size < 2:
        return float("nan"), float("nan")
    slope, intercept = np.polyfit(v[ok], np.log10(t[ok]), 1)
    return float(slope), float(intercept)


def chain_statistics(runs, voltages_V, seeds, duration_s):
    """:class:`ChainStatistics` of chain runs ``runs[voltage][seed]`` (:class:`memcompact.chain.ChainResult`)."""
    def times(key):
        return np.array([[np.nan if r.events.get(key) is None else float(r.events[key]) for r in row]
                         for row in runs], dtype=float)
    return ChainStatistics(voltages_V=[float(v) for v in voltages_V], seeds=[int(s) for s in seeds],
                           duration_s=[float(d) for d in duration_s], form_s=times("t_form_s"),
                           event_s={"drop": times("t_drop_s"), "refill": times("t_refill_s"),
                                    "ecm": times("t_ecm_s")})


def run_chain_set(chain_params, voltages_V, seeds, duration_s, n_samples=300, aperture_s="interval",
                  progress=False):
    """Chain runs at every voltage with the same seeds; each voltage's run length follows its delay.

    The voltages run from the lowest up. The first lasts ``duration_s``; each
    next one lasts ``RERUN_DELAYS`` times the delay the line through the lower
    voltages' medians predicts (at most ``duration_s``). A voltage whose
    median delay falls in the first ``EARLY_SHARE`` of its runs is run again
    over ``RERUN_DELAYS`` median delays (so formation is resolved, however
    steep the delay); one whose seeds mostly do not form within a shortened
    run is run again over ``duration_s``.

    Returns
    -------
    runs : list of list of ChainResult
        ``runs[k][j]``: voltage ``k`` (in the given order), seed ``seeds[j]``.
    durations : list of float
        Run length per voltage [s].
    """
    from memcompact.chain import simulate_chain

    voltages = [float(v) for v in voltages_V]
    order = np.argsort(voltages)
    runs, durations = [None] * len(voltages), [None] * len(voltages)
    done_v, done_t = [], []

    def run_at(v, d):
        out = []
        for s in seeds:
            if progress:
                print(f"condense: chain run at {v:g} V, seed {s}, {d:.3g} s", flush=True)
            out.append(simulate_chain(chain_params, voltage_V=v, duration_s=d, seed=int(s), n_samples=n_samples,
                                      aperture_s=aperture_s))
        return out

    for k in order:
        v = voltages[k]
        d = float(duration_s)
        if len(done_v) >= 2:
            slope, intercept = delay_slope_decades_per_V(done_v, done_t)
            if np.isfinite(slope) and slope < 0:
                d = min(d, RERUN_DELAYS * 10 ** (intercept + slope * v))
        elif done_v:
            d = min(d, RERUN_DELAYS * done_t[0])
        group = run_at(v, d)
        for _ in range(3):
            med = _median_or_nan(np.array([np.nan if r.events.get("t_form_s") is None else r.events["t_form_s"]
                                           for r in group]))
            if np.isnan(med) and d < duration_s:
                d = float(duration_s)
            elif np.isfinite(med) and med < EARLY_SHARE * d:
                d = RERUN_DELAYS * med
            else:
                break
            group = run_at(v, d)
        runs[k], durations[k] = group, d
        if np.isfinite(med):
            done_v.append(v)
            done_t.append(med)
    return runs, durations


def model_currents_A(params, voltages_V, time_s, series_resistance_ohm, rtol=1e-3):
    """Compact-model currents [A] under constant voltages, shape (devices, T), one solver call.

    ``params`` values may be per-device arrays (a scan); ``voltages_V`` is per device.
    """
    voltages = np.asarray(voltages_V, dtype=float)
    sol = integrate(complete_params(dict(params)), constant(1.0, float(time_s[-1])), t_eval=np.asarray(time_s),
                    n_devices=voltages.size, voltage_scale=voltages, series_resistance_ohm=series_resistance_ohm,
                    rtol=rtol)
    return sol.current_A


simulate_curves = model_currents_A


def model_formation_times_s(params, voltages_V, horizon_s, series_resistance_ohm, samples=800):
    """Compact-model formation time [s] at each voltage (NaN: not within ``horizon_s``), one solver call.

    The chain's rule (:func:`chain_detect_events`: a rise of 2.5 decades to at
    least 0.1 uA) as a threshold: the first time the current reaches
    ``max(0.1 uA, 10**2.5 * I(0))``, interpolated in ``log t`` on a log grid
    of ``samples`` points over seven decades below the longest horizon
    (the compact model rises in one sweep, so the first crossing is the
    rise the detector finds). ``horizon_s`` may be per voltage; parameter
    values may be per-device arrays.
    """
    voltages = np.atleast_1d(np.asarray(voltages_V, dtype=float))
    horizon = np.broadcast_to(np.asarray(horizon_s, dtype=float), voltages.shape)
    top = float(horizon.max())
    t = np.concatenate([[0.0], np.logspace(np.log10(top) - 7.0, np.log10(top), samples)])
    current = np.abs(model_currents_A(params, voltages, t, series_resistance_ohm))
    level = _formation_level_A(current[:, 1])
    out = np.full(voltages.size, np.nan)
    for k in range(voltages.size):
        above = np.nonzero(current[k, 1:] >= level[k])[0]
        if not above.size:
            continue
        j = int(above[0]) + 1
        if j <= 1:
            out[k] = t[1]
            continue
        y0, y1 = np.log10(max(current[k, j - 1], 1e-30)), np.log10(current[k, j])
        w = (np.log10(level[k]) - y0) / (y1 - y0) if y1 > y0 else 1.0
        tk = float(10 ** (np.log10(t[j - 1]) + w * (np.log10(t[j]) - np.log10(t[j - 1]))))
        out[k] = tk if tk <= horizon[k] else np.nan
    return out


def _set_voltage_product(params, product):
    """Set ``nucleation_alpha * nucleation_voltage_fraction`` to ``product``: the fraction first, alpha if it must."""
    f_spec, a_spec = PARAMETER_TABLE["nucleation_voltage_fraction"], PARAMETER_TABLE["nucleation_alpha"]
    f = float(np.clip(product / params["nucleation_alpha"], f_spec.lower, f_spec.upper))
    params["nucleation_voltage_fraction"] = f
    params["nucleation_alpha"] = float(np.clip(product / f, a_spec.lower, a_spec.upper))


def calibrate_formation(params, voltages_V, target_s, series_resistance_ohm, iterations=6, tolerance=0.08):
    """Move the nucleation barrier and voltage sensitivity so the model forms at ``target_s`` [s] at each voltage.

    Gauss-Newton (least squares on ``ln t_model - ln t_target`` over the
    voltages) on ``x = (dG, ln(alpha f))`` of eq. (1) as condensed in the
    model (``nucleation_barrier_eV``; ``nucleation_alpha *
    nucleation_voltage_fraction``, the fraction moved first): the barrier
    sets the level of the delay, ``alpha f`` its slope. The model's formation
    time (nucleation plus bridging) is simulated, not estimated
    (:func:`model_formation_times_s`), for the point and its two finite
    differences in one solver call. A model that does not form within 30x
    the target at some voltage gets a lower barrier (0.15 eV) and is looked
    at again. Stops when every voltage is within ``tolerance`` (relative);
    returns the best point seen.

    Returns
    -------
    dict
        The calibrated parameters (a copy).
    """
    p = dict(params)
    v = np.asarray(voltages_V, dtype=float)
    target = np.asarray(target_s, dtype=float)
    ok = np.isfinite(target)
    v, target = v[ok], target[ok]
    if v.size == 0:
        return p
    horizon = 30.0 * target
    bar = PARAMETER_TABLE["nucleation_barrier_eV"]
    best, best_cost = dict(p), np.inf
    for _ in range(iterations):
        x = np.array([p["nucleation_barrier_eV"], np.log(p["nucleation_alpha"] * p["nucleation_voltage_fraction"])])
        h = np.array([0.02, 0.1])
        trial = []
        for j in range(3):
            q = dict(p)
            xj = x.copy()
            if j:
                xj[j - 1] += h[j - 1]
            q["nucleation_barrier_eV"] = float(np.clip(xj[0], bar.lower, bar.upper))
            _set_voltage_product(q, float(np.exp(xj[1])))
            trial.append(q)
        names = ("nucleation_barrier_eV", "nucleation_voltage_fraction", "nucleation_alpha")
        scan = dict(p)
        for name in names:
            scan[name] = np.repeat([q[name] for q in trial], v.size)
        t_model = model_formation_times_s(scan, np.tile(v, 3), np.tile(horizon, 3),
                                          series_resistance_ohm).reshape(3, v.size)
        if np.isnan(t_model[0]).any():
            # no formation within 30x the target at some voltage: lower the barrier and look again
            p["nucleation_barrier_eV"] = float(np.clip(x[0] - 0.15, bar.lower, bar.upper))
            continue
        r0 = np.log(t_model[0] / target)
        cost = float(np.sum(r0 ** 2))
        if cost < best_cost:
            best, best_cost = dict(p), cost
        if np.all(np.abs(r0) < np.log1p(tolerance)):
            break
        t_model = np.where(np.isnan(t_model), horizon, t_model)
        jac = np.column_stack([(np.log(t_model[j + 1] / target) - r0) / h[j] for j in range(2)])
        if v.size < 2 or np.ptp(v) == 0:
            jac[:, 1] = 0.0
        step = np.linalg.lstsq(jac, -r0, rcond=None)[0]
        step = np.clip(step, [-0.3, -1.0], [0.3, 1.0])
        p["nucleation_barrier_eV"] = float(np.clip(x[0] + step[0], bar.lower, bar.upper))
        _set_voltage_product(p, float(np.exp(x[1] + step[1])))
    p = best if np.isfinite(best_cost) else p
    validate_params(p)
    return p


def _delays_of(e):
    """(drop - form, refill - drop, ecm - form) [s] from detected events ``e``, NaN where absent."""
    def dt(a, b):
        return np.nan if e[a] is None or e[b] is None else float(e[a] - e[b])
    return {"drop": dt("t_drop_s", "t_form_s"), "refill": dt("t_refill_s", "t_drop_s"),
            "ecm": dt("t_ecm_s", "t_form_s")}


def model_event_delays(params, voltages_V, duration_s, series_resistance_ohm, samples=600):
    """The compact model's event delays at each voltage: dict event -> array [s] (NaN: absent).

    Per voltage on its own run length ``duration_s`` (scalar or per voltage),
    dated by :func:`model_detect_events`; parameter values may be per-voltage arrays.
    Besides ``drop``, ``refill`` and ``ecm``, ``form`` holds the formation
    time itself (NaN: the model does not form within the run).
    """
    voltages = np.atleast_1d(np.asarray(voltages_V, dtype=float))
    durations = np.broadcast_to(np.asarray(duration_s, dtype=float), voltages.shape)
    out = {e: np.full(voltages.size, np.nan) for e in ("form", "drop", "refill", "ecm")}
    for d in np.unique(durations):
        sel = np.nonzero(durations == d)[0]
        t = np.linspace(0.0, d, samples + 1)
        sub = {k: (np.asarray(v)[sel] if np.ndim(v) == 1 and np.size(v) == voltages.size else v)
               for k, v in params.items()}
        current = model_currents_A(sub, voltages[sel], t, series_resistance_ohm)
        for j, k in enumerate(sel):
            events = model_detect_events(t, current[j])
            out["form"][k] = np.nan if events["t_form_s"] is None else float(events["t_form_s"])
            for e, val in _delays_of(events).items():
                out[e][k] = val
    return out


def calibrate_events(params, stats, series_resistance_ohm, events=("drop", "refill", "ecm")):
    """Map the chain's drop, refill and ECM jump onto the card's reservoir and thermal parameters.

    For each event the majority of seeds show at some voltage
    (:meth:`ChainStatistics.shows`), its parameters (:data:`EVENT_PARAMETERS`)
    are scanned over :data:`EVENT_SCANS` (every grid point at every such voltage,
    one solver call per run length) and the point whose delays are
    closest to the chain's median delays in ``log`` (a missing event costs
    as much as a factor of 100, and so does a formation the card loses) is
    kept; the card's own values are scored too and kept on a tie, so a
    scan in which no point shows the event changes nothing (it once took
    the smallest reservoir, 1e-27 m^3, which cannot build the filament: the
    demo's drop variant then never formed). The AE reservoir sets when the
    filament's growth has used up the contact (drop) and the contact gap how
    deep the current then falls, the refill rate how
    soon surface diffusion restores it (refill), the thermal resistance and
    the flank growth velocity when the slowly thickening filament's Joule
    heating passes ``ecm_temperature_K`` (ECM jump). Events the chain
    does not show are not touched; with no drop anywhere the reservoir is
    left as it is.

    Returns
    -------
    params : dict
        Calibrated copy.
    shown : list of str
        The events the chain shows and that were calibrated.
    """
    p = dict(params)
    shown = []
    v_all = np.asarray(stats.voltages_V)
    dur_all = np.asarray(stats.duration_s)
    joint = "drop" in events and "refill" in events and stats.shows("drop").any() and stats.shows("refill").any()
    for event in events:
        mask = stats.shows(event)
        if not mask.any():
            continue
        shown.append(event)
        if event == "refill" and joint:
            continue                                   # calibrated together with the drop
        group = ("drop", "refill") if event == "drop" and joint else (event,)
        names = tuple(n for e in group for n in EVENT_PARAMETERS[e])
        scans = [EVENT_SCANS[n][::2] if len(group) > 1 and EVENT_SCANS[n].size > 10 else EVENT_SCANS[n]
                 for n in names]
        grid = np.array(np.meshgrid(*scans, indexing="ij")).reshape(len(names), -1)
        grid = np.hstack([np.array([[float(p[n])] for n in names]), grid])   # the card's values first
        v, dur = v_all[mask], dur_all[mask]
        scan = dict(p)
        for name, values in zip(names, grid):
            scan[name] = np.repeat(values, v.size)
        size = grid.shape[1]
        delays = model_event_delays(scan, np.tile(v, size), np.tile(dur, size), series_resistance_ohm)
        miss = np.log(100.0)
        cost = np.zeros(size)
        for e in group:
            target = stats.median_delay_s(e)[mask]
            d = delays[e].reshape(size, v.size)
            ok = np.isfinite(d) & np.isfinite(target)
            cost += np.where(ok, np.abs(np.log(np.maximum(d, 1e-12) / np.where(ok, target, 1.0))),
                             np.where(np.isfinite(target), miss, 0.0)).sum(axis=1)
        lost = ~np.isfinite(delays["form"].reshape(size, v.size)) & np.isfinite(stats.median_form_s[mask])
        cost += miss * lost.sum(axis=1)
        best = int(np.argmin(cost))
        for name, values in zip(names, grid):
            p[name] = float(values[best])
    validate_params(p)
    return p, shown


@dataclass
class CondenseResult:
    """Outcome of :func:`condense` / :func:`condense_variant`.

    Attributes
    ----------
    card : dict
        The compact-model card (DESIGN section 5) with ``condensed_from``.
    curves : list of memcompact.io.ITCurve
        The chain I-t curves it was fitted to (the median-delay run per voltage).
    chain_results : list of list
        All chain runs (:class:`memcompact.chain.ChainResult`), per voltage.
    stats : ChainStatistics
        The chain's formation and event statistics.
    fit : memcompact.fit.FitResult
        The card scored on ``curves`` (``fit.card`` is ``card`` without ``condensed_from``).
    model_current_A : numpy.ndarray
        Compact-model current on each curve's time grid, shape (curves, T) (list if grids differ).
    """

    card: dict
    curves: list
    chain_results: list
    stats: ChainStatistics
    fit: object
    model_current_A: list


def _median_runs(runs):
    """Per voltage, the index of the run with the median formation time (not forming counts as latest)."""
    out = []
    for group in runs:
        t = [np.inf if r.events.get("t_form_s") is None else r.events["t_form_s"] for r in group]
        out.append(int(np.argsort(t, kind="stable")[len(t) // 2]))
    return out


def _start_params(metal, chain_params):
    start = preset_params("ag_sio2" if metal == "Ag" else "cu_sio2")
    for name, value in (("thickness_m", chain_params.thickness_m), ("temperature_K", chain_params.temperature_K)):
        spec = PARAMETER_TABLE[name]
        start[name] = float(np.clip(value, spec.lower, spec.upper))
    return start


def _score(curves, params, series):
    """The card's curves, RMS and events on the chain curves: ``fit_it`` with nothing varied."""
    return fit_it(curves, card={"params": params}, vary=(), auto_start=False, series_resistance_ohm=series,
                  max_nfev=1)


def _model_record(params, stats, series, scored):
    """The card's formation times, slope and event delays at the chain's voltages (for ``condensed_from``).

    Dated by :func:`model_detect_events` on the card's current over each
    median chain curve's time grid (``scored``).
    """
    v = np.asarray(stats.voltages_V)
    t, delays = [], {e: [] for e in ("drop", "refill", "ecm")}
    for data, current in zip(scored.data, scored.model_current_A):
        events = model_detect_events(data.curve.time_s, current)
        t.append(np.nan if events["t_form_s"] is None else events["t_form_s"])
        for e, d in _delays_of(events).items():
            delays[e].append(d)
    slope, _ = delay_slope_decades_per_V(v, t)

    def clean(a):
        return [None if not np.isfinite(x) else float(x) for x in a]
    return {"form_s": clean(t), "slope_decades_per_V": _finite(slope),
            "delay_s": {e: clean(d) for e, d in delays.items()}}


def condense(voltages_V=DEFAULT_VOLTAGES_V, metal="Ag", thickness_m=40e-9, duration_s=1000.0, seed=1,
             seeds_per_voltage=5, n_samples=300, chain_overrides=None, aperture_s="interval", vary=DEFAULT_VARY,
             event_weight=20.0, max_nfev=30, progress=False):
    """Run the chain at several voltages and seeds and condense it into a compact-model card.

    Parameters
    ----------
    voltages_V : sequence of float
        Constant stress voltages [V] (at least 2; 4 or more to measure the slope).
    metal : str
        Chain preset (``Ag``, ``Cu``, ``Ni``, ``Pt``).
    thickness_m : float
        Film thickness [m].
    duration_s : float
        Longest chain run [s] (the lowest voltage's; higher voltages run
        shorter, see :func:`run_chain_set`).
    seed : int
        First seed; every voltage runs seeds ``seed ... seed + seeds_per_voltage - 1``
        (the same devices at each voltage: common random numbers, so seed
        scatter does not masquerade as a voltage dependence).
    seeds_per_voltage : int
        Chain runs per voltage (odd numbers make the median one run's delay).
    n_samples : int
        Samples per chain curve.
    chain_overrides : dict, optional
        Chain parameters to change from the preset (e.g. ``reservoir_m3``).
    aperture_s : float or "interval"
        Measurement aperture of the chain curves (see :func:`memcompact.chain.simulate_chain`):
        the bridging flicker is read as an instrument would, as its mean.
    vary : sequence of str
        Compact parameters fitted besides the event parameters the chain calls for.
    event_weight : float
        Weight of the formation-time residuals in the fit.
    max_nfev : int
        Fit budget (residual evaluations).
    progress : bool
        Progress on stdout/stderr.

    Returns
    -------
    CondenseResult

    Raises
    ------
    InputError
        Fewer than 2 positive voltages, no seeds, or a voltage where most seeds do not form.
    """
    from memcompact.chain import preset

    voltages = [float(v) for v in voltages_V]
    if len(set(voltages)) < 2 or any(not np.isfinite(v) or v <= 0 for v in voltages):
        raise InputError("condense needs at least 2 different positive, finite voltages")
    if int(seeds_per_voltage) < 1:
        raise InputError("seeds_per_voltage must be >= 1")
    chain_params = preset(metal, thickness_m=thickness_m, **(chain_overrides or {}))
    seeds = [int(seed) + j for j in range(int(seeds_per_voltage))]
    runs, durations = run_chain_set(chain_params, voltages, seeds, duration_s, n_samples, aperture_s, progress)
    stats = chain_statistics(runs, voltages, seeds, durations)
    median = stats.median_form_s
    if np.isnan(median).any():
        bad = [f"{v:g} V" for v, m in zip(voltages, median) if np.isnan(m)]
        raise InputError(f"condense: most chain seeds do not form within {duration_s:g} s at {', '.join(bad)}; "
                         f"give a longer --duration or higher voltages")
    picks = _median_runs(runs)
    curves = [replace(runs[k][m].curve, source=f"chain_{v:g}V.csv") for k, (v, m) in enumerate(zip(voltages, picks))]
    series = float(chain_params.series_resistance_Ohm)
    start = _start_params(metal, chain_params)
    return _condense_card(start, curves, runs, stats, picks, chain_params, series, vary, event_weight, max_nfev,
                          progress, analytic=True)


def _condense_card(start, curves, runs, stats, picks, chain_params, series, vary, event_weight, max_nfev, progress,
                   analytic=True, variant_of=None):
    from memcompact.fit import prepare_curve, starting_values

    params = dict(start)
    data = [prepare_curve(c, series_resistance_ohm=series) for c in curves]
    if analytic:
        params = starting_values(data, params, vary=tuple(vary) + ("nucleation_alpha",))
    params = calibrate_formation(params, stats.voltages_V, stats.median_form_s, series)
    params, shown = calibrate_events(params, stats, series)
    if not any(e == "drop" for e in shown):
        params["reservoir_m3"] = PARAMETER_TABLE["reservoir_m3"].upper   # no depletion in the chain: none in the card
    # a rise slower than bridging the film makes it identifies the tunnelling decay length (fit.start.default_vary)
    from memcompact.fit import default_vary
    decay = tuple(n for n in default_vary(data) if n == "tunnel_decay_m") if analytic else ()
    fit_vary = tuple(dict.fromkeys(tuple(vary) + decay + tuple(n for e in shown for n in EVENT_PARAMETERS[e])))
    fitted = fit_it(curves, card={"params": params}, vary=fit_vary, auto_start=False, series_resistance_ohm=series,
                    loss="linear", event_weight=event_weight, max_nfev=max_nfev, progress=progress,
                    global_method=None)
    params = dict(fitted.params)
    # the fit weighs levels against timing: put the delays and events back where the chain has them
    params = calibrate_formation(params, stats.voltages_V, stats.median_form_s, series)
    params, _ = calibrate_events(params, stats, series, events=shown)
    scored = _score(curves, params, series)
    card = dict(scored.card)
    chain_slope, _ = stats.slope_decades_per_V()
    card["condensed_from"] = {
        "metal": chain_params.metal, **stats.to_dict(),
        "seeds_per_voltage": len(stats.seeds), "median_seeds": [stats.seeds[m] for m in picks],
        "series_resistance_ohm": series,
        "chain_params": {k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                         for k, v in chain_params.to_dict().items()},
        "chain_events_shown": shown, "varied": list(fit_vary),
        "fit": {"rms_decades": [float(c["rms_decades"]) for c in fitted.card["curves"]],
                "redchi": float(fitted.card["redchi"]), "max_nfev": int(max_nfev)},
        "card": _model_record(params, stats, series, scored),
    }
    if variant_of is not None:
        card["condensed_from"]["variant_of"] = variant_of
    return CondenseResult(card=card, curves=curves, chain_results=runs, stats=stats, fit=scored,
                          model_current_A=list(scored.model_current_A))


def condense_variant(card, chain_overrides, voltage_V, duration_s, seed=1, seeds=5, n_samples=300,
                     aperture_s="interval", event_weight=20.0, max_nfev=15, progress=False):
    """A variant of a condensed card for a chain variant at one voltage (e.g. small reservoir, strong heating).

    The chain of ``card["condensed_from"]`` with ``chain_overrides`` runs at
    ``voltage_V`` for ``seeds`` seeds. The variant keeps the card's voltage
    dependence (``nucleation_voltage_fraction``, ``nucleation_alpha``: one
    voltage cannot measure it), takes the variant's film thickness and
    temperature, moves the barrier to the variant's median delay, maps its
    drop, refill and ECM jump (:func:`calibrate_events`) and fits the
    levels, growth and event parameters to one run: the median-delay one
    among the runs that show every event most seeds show.

    Parameters
    ----------
    card : dict
        A card from :func:`condense`.
    chain_overrides : dict
        Chain parameters changed from those the card came from.
    voltage_V : float
        Stress voltage [V].
    duration_s : float
        Length of each run [s].

    Returns
    -------
    CondenseResult
    """
    from memcompact.chain import ChainParams, validate
    from memcompact.model import card_params

    src = card["condensed_from"]
    base = dict(src["chain_params"])
    base["initial_clusters"] = tuple(tuple(c) for c in base.get("initial_clusters", ()))
    chain_params = validate(ChainParams(**base)).replace(**chain_overrides)
    seed_list = [int(seed) + j for j in range(int(seeds))]
    runs, durations = run_chain_set(chain_params, [voltage_V], seed_list, duration_s, n_samples, aperture_s,
                                    progress)
    stats = chain_statistics(runs, [voltage_V], seed_list, durations)
    if np.isnan(stats.median_form_s).any():
        raise InputError(f"condense variant: most chain seeds do not form within {duration_s:g} s at {voltage_V:g} V")
    # the curve fitted and shown: the median-delay run among those with every event most seeds show
    shown = [e for e in ("drop", "refill", "ecm") if stats.shows(e)[0]]
    with_events = [j for j in range(len(seed_list)) if all(np.isfinite(stats.event_s[e][0, j]) for e in shown)]
    order = sorted(with_events, key=lambda j: stats.form_s[0, j] if np.isfinite(stats.form_s[0, j]) else np.inf)
    picks = [order[len(order) // 2]] if order else _median_runs(runs)
    curves = [replace(runs[0][picks[0]].curve, source=f"chain_{voltage_V:g}V_variant.csv")]
    series = float(chain_params.series_resistance_Ohm)
    vary = ("nucleation_barrier_eV", "growth_activation_eV", "tunnel_resistance_ohm")
    start = card_params(card)
    for name, value in (("thickness_m", chain_params.thickness_m), ("temperature_K", chain_params.temperature_K)):
        spec = PARAMETER_TABLE[name]
        start[name] = float(np.clip(value, spec.lower, spec.upper))
    result = _condense_card(start, curves, runs, stats, picks, chain_params, series, vary,
                            event_weight, max_nfev, progress, analytic=False,
                            variant_of={"chain_overrides": dict(chain_overrides),
                                        "card_voltages_V": src["voltages_V"]})
    return result


def level_errors_decades(time_s, chain_A, model_A, t_chain_s, t_model_s):
    """Median |log10 model - log10 chain| [decades] before (t < 0.8 t_form) and after formation.

    After formation means after 1.2x the later of the two formation times, so
    the comparison is of levels, not of timing.
    """
    lc = log_current(chain_A, NOISE_FLOOR_A)
    lm = log_current(model_A, NOISE_FLOOR_A)
    before = time_s < 0.8 * t_chain_s
    after = time_s > 1.2 * max(t_chain_s, t_model_s)
    diff = np.abs(lm - lc)
    return (float(np.median(diff[before])) if before.any() else 0.0,
            float(np.median(diff[after])) if after.any() else 0.0)


def plot_delay_vs_voltage(result, ax):
    """Formation delay vs voltage: every chain seed, the chain's medians and line, the card's delays."""
    stats = result.stats
    v = np.asarray(stats.voltages_V)
    for j in range(len(stats.seeds)):
        ax.semilogy(v, stats.form_s[:, j], "o", ms=3, color="0.6", label="chain, each seed" if j == 0 else None)
    ax.semilogy(v, stats.median_form_s, "s", color="k", label="chain median")
    slope, intercept = stats.slope_decades_per_V()
    vv = np.linspace(v.min(), v.max(), 50)
    rec = result.card["condensed_from"]["card"]
    t_card = np.array([np.nan if t is None else t for t in rec["form_s"]])
    if np.isfinite(slope):
        ax.semilogy(vv, 10 ** (intercept + slope * vv), "k:", lw=1, label=f"chain fit {slope:.2f} dec/V")
    card_slope = rec["slope_decades_per_V"]
    ax.semilogy(v, t_card, "-^", color="C0",
                label="compact card" + ("" if card_slope is None else f" {card_slope:.2f} dec/V"))
    ax.set(xlabel="stress voltage [V]", ylabel="formation time [s]")
    ax.legend(fontsize=7)


def plot_condensation(result, path):
    """Chain curves and the condensed compact model (one panel per voltage) and the delay vs voltage."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from memcompact.io import atomic_savefig

    n = len(result.curves)
    fig, axes = plt.subplots(n + 1, 1, figsize=(7, 2.2 * (n + 1)), squeeze=False)
    src = result.card["condensed_from"]
    for ax, curve, model_i, v, c in zip(axes[:n, 0], result.curves, result.model_current_A, src["voltages_V"],
                                        result.card["curves"]):
        ax.semilogy(curve.time_s, np.maximum(np.abs(curve.current_A), NOISE_FLOOR_A), ".", ms=2, color="0.4",
                    label="cluster chain (median-delay seed)")
        ax.semilogy(curve.time_s, np.maximum(np.abs(model_i), NOISE_FLOOR_A), color="C0",
                    label=f"compact card (rms {c['rms_decades']:.2f} dec)")
        ax.set_ylabel(f"|I| [A] at {v:g} V")
        ax.set_xlabel("time [s]")
        ax.legend(loc="best", fontsize=7)
    axes[0, 0].set_title("Condensation: chain I-t curves and the condensed compact card")
    plot_delay_vs_voltage(result, axes[n, 0])
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=110)
    plt.close(fig)


__all__ = ["CondenseResult", "ChainStatistics", "DEFAULT_VARY", "DEFAULT_VOLTAGES_V", "EVENT_PARAMETERS",
           "calibrate_events", "calibrate_formation", "chain_detect_events", "chain_statistics", "condense",
           "condense_variant", "delay_slope_decades_per_V", "level_errors_decades", "model_currents_A",
           "model_detect_events", "model_event_delays", "model_formation_times_s", "plot_condensation",
           "plot_delay_vs_voltage", "run_chain_set", "simulate_curves"]
