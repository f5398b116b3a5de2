"""Condensation: from the cluster chain (microscopic) to a compact-model card.

:func:`condense` runs the chain simulator (:mod:`memcompact.chain`) under
constant-voltage stress at several voltages, then fits the compact model
(:mod:`memcompact.model`) to all those I-t curves at once with lmfit
(shared parameters, residuals on log10 of the current with a noise floor).
The card it returns records the chain parameters, voltages and seeds it came
from, the fit statistics and each curve's events.

Which compact parameters are fitted (:data:`DEFAULT_VARY`), and why:

- ``nucleation_barrier_eV`` and ``nucleation_voltage_fraction``: the chain's
  nucleation delay and its voltage dependence (eq. 1);
- ``growth_activation_eV``: how fast the cluster chain bridges the film;
- ``tunnel_resistance_ohm``: the current level once the chain touches the IE.

``leakage_conductance_S`` (the chain's HRS floor) is set from the data before
the fit and held: left free, it trades the HRS level against the chain's
gradual, noisy rise.

Parameters spanning decades are fitted in log10 space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memcompact.errors import InputError
from memcompact.events import detect_events
from memcompact.model.cards import CARD_VERSION, MODEL_NAME, preset_params
from memcompact.model.parameters import PARAMETER_TABLE, validate_params
from memcompact.model.solver import integrate
from memcompact.model.stimulus import constant
from memcompact.progress import Progress

#: Compact parameters fitted by default.
DEFAULT_VARY = ("nucleation_barrier_eV", "nucleation_voltage_fraction", "growth_activation_eV",
                "tunnel_resistance_ohm")

#: Current floor of the log residuals [A]: readings below count as the floor.
NOISE_FLOOR_A = 1e-13


@dataclass
class CondenseResult:
    """Outcome of :func:`condense`.

    Attributes
    ----------
    card : dict
        The compact-model card (DESIGN section 5) with ``condensed_from``.
    curves : list of memcompact.io.ITCurve
        The chain I-t curves it was fitted to.
    chain_results : list
        The chain runs (:class:`memcompact.chain.ChainResult`).
    fit : lmfit.minimizer.MinimizerResult
        The lmfit result (``fit_report`` works on it).
    model_current_A : numpy.ndarray
        Compact-model current on each curve's time grid, shape (curves, T).
    """

    card: dict
    curves: list
    chain_results: list
    fit: object
    model_current_A: np.ndarray


def _log_current(current_A, floor_A=NOISE_FLOOR_A):
    return np.log10(np.maximum(np.abs(current_A), floor_A))


def simulate_curves(params, voltages_V, time_s, series_resistance_ohm, rtol=1e-3):
    """Compact-model currents [A] for constant-voltage curves, one device per voltage.

    Parameters
    ----------
    params : dict
        Compact parameters (scalars).
    voltages_V : sequence of float
        Stress voltage of each curve [V].
    time_s : numpy.ndarray
        Common output times [s].
    series_resistance_ohm : float
        Resistance of the measurement loop [Ohm].
    """
    sol = integrate(params, constant(1.0, float(time_s[-1])), t_eval=time_s, n_devices=len(voltages_V),
                    voltage_scale=np.asarray(voltages_V, dtype=float),
                    series_resistance_ohm=series_resistance_ohm, rtol=rtol)
    return sol.current_A


def fit_curves(curves, voltages_V, series_resistance_ohm, start_params, vary=DEFAULT_VARY, max_nfev=200,
               progress=False):
    """Fit the compact model to constant-voltage I-t curves sharing one time grid.

    Parameters
    ----------
    curves : list of memcompact.io.ITCurve
        Curves with the same ``time_s``.
    voltages_V : sequence of float
        Their stress voltages [V].
    series_resistance_ohm : float
        Loop resistance [Ohm] of the measurement.
    start_params : dict
        Starting compact parameters.
    vary : sequence of str
        Parameters to fit (others stay at ``start_params``).
    max_nfev : int
        Budget of model evaluations.

    Returns
    -------
    params : dict
        Fitted parameters.
    result : lmfit.minimizer.MinimizerResult
    """
    import lmfit

    unknown = [name for name in vary if name not in PARAMETER_TABLE]
    if unknown:
        raise InputError(f"cannot vary unknown parameter(s) {unknown}; allowed: {', '.join(sorted(PARAMETER_TABLE))}")
    time_s = curves[0].time_s
    data = np.array([_log_current(c.current_A) for c in curves])
    fit_params = lmfit.Parameters()
    for name in vary:
        spec = PARAMETER_TABLE[name]
        value = float(start_params[name])
        if spec.log_scale:
            fit_params.add(f"log10_{name}", value=np.log10(value), min=np.log10(spec.lower), max=np.log10(spec.upper))
        else:
            fit_params.add(name, value=value, min=spec.lower, max=spec.upper)
    bar = Progress("condense fit", max_nfev, unit=" evals", enabled=progress)

    def unpack(p):
        out = dict(start_params)
        for name in vary:
            out[name] = 10.0 ** p[f"log10_{name}"].value if PARAMETER_TABLE[name].log_scale else p[name].value
        return out

    def residual(p):
        params = unpack(p)
        try:
            model = simulate_curves(params, voltages_V, time_s, series_resistance_ohm)
        except RuntimeError:
            return np.full(data.size, 10.0)
        bar.update(bar.done + 1)
        return (_log_current(model) - data).ravel()

    with bar:
        result = lmfit.minimize(residual, fit_params, method="least_squares", max_nfev=max_nfev)
    return unpack(result.params), result


def starting_values(curves, voltages_V, series_resistance_ohm, params):
    """Starting compact parameters from the curves' events (no hand-given guess needed).

    The formation delay is taken as nucleation-limited (eq. 1):
    ``t_form = ln(11) t0 exp((dG - alpha N_c z f V) / kT)``, so a straight line
    through ``ln t_form`` vs ``V`` gives the voltage fraction ``f`` (slope) and
    the barrier ``dG`` (intercept). Tip growth gets the same voltage
    sensitivity, and its barrier is set so bridging the film takes ~5 % of the
    delay; the tunnelling resistance from the current
    level after formation (upper decile), the leakage from the level before.

    Parameters
    ----------
    curves : list of memcompact.io.ITCurve
        Constant-voltage curves.
    voltages_V : sequence of float
        Their voltages [V].
    series_resistance_ohm : float
        Loop resistance [Ohm].
    params : dict
        Parameters to start from (returned updated, as a new dict).
    """
    out = dict(params)
    kt = 8.617333262e-5 * out["temperature_K"]
    events = [detect_events(c.time_s, c.current_A) for c in curves]
    pairs = [(v, e["t_form_s"]) for v, e in zip(voltages_V, events) if e.get("t_form_s")]
    k_v = out["nucleation_alpha"] * out["nucleus_atoms"] * out["ion_charge"]
    if len(pairs) >= 2 and len({v for v, _ in pairs}) >= 2:
        v_arr = np.array([p[0] for p in pairs])
        ln_t = np.log([max(p[1], 1e-9) for p in pairs])
        slope, _ = np.polyfit(v_arr, ln_t, 1)
        # the drive must beat the reverse reaction at the lowest voltage (N_c z e f V > 3 kT),
        # or forward and backward rates balance and nothing forms, whatever the slope says
        v_min = float(v_arr.min())
        f_floor = 3 * kt / (out["nucleus_atoms"] * out["ion_charge"] * v_min)
        out["nucleation_voltage_fraction"] = float(np.clip(max(-slope * kt / k_v, f_floor), 1e-3, 1.0))
        # tip growth with the same voltage sensitivity, so bridging stays a small part of the delay
        k_g = out["transfer_coefficient"] * out["ion_charge"]
        g_floor = 3 * kt / (out["ion_charge"] * v_min)
        out["growth_voltage_fraction"] = float(np.clip(max(-slope * kt / k_g, g_floor), 1e-3, 1.0))
    if pairs:
        f = out["nucleation_voltage_fraction"]
        dg = np.mean([kt * np.log(0.9 * t / (np.log(11.0) * out["nucleation_time_s"])) + k_v * f * v
                      for v, t in pairs])
        spec = PARAMETER_TABLE["nucleation_barrier_eV"]
        out["nucleation_barrier_eV"] = float(np.clip(dg, spec.lower, spec.upper))
        v_mid, t_mid = pairs[len(pairs) // 2]
        # bridge the film (in nm) in ~5 % of the delay at the middle voltage
        drive = out["transfer_coefficient"] * out["ion_charge"] * out["growth_voltage_fraction"] * v_mid
        velocity_nm_s = out["thickness_m"] * 1e9 / (0.05 * t_mid)
        ea = drive + kt * np.log(out["growth_velocity_m_per_s"] * 1e9 / velocity_nm_s)
        spec = PARAMETER_TABLE["growth_activation_eV"]
        out["growth_activation_eV"] = float(np.clip(ea, spec.lower, spec.upper))
    # level after formation: the upper decile of the current once formed (drops and noise aside)
    on = [(v, np.percentile(np.abs(c.current_A[c.time_s >= e["t_form_s"]]), 90))
          for c, v, e in zip(curves, voltages_V, events) if e.get("t_form_s")]
    if on:
        r_total = float(np.median([v / i for v, i in on])) - series_resistance_ohm
        radius_nm = (out["radius_initial_m"] + out["radius_growth_m"]) * 1e9
        spec = PARAMETER_TABLE["tunnel_resistance_ohm"]
        out["tunnel_resistance_ohm"] = float(np.clip(max(r_total, 1e2) * radius_nm ** 2, spec.lower, spec.upper))
    off = [abs(c.current_A[1]) / abs(v) for c, v in zip(curves, voltages_V) if abs(c.current_A[1]) > 0]
    if off:
        spec = PARAMETER_TABLE["leakage_conductance_S"]
        out["leakage_conductance_S"] = float(np.clip(np.median(off), spec.lower, spec.upper))
    validate_params(out)
    return out


#: Parameters that set when formation happens (fitted first, on event times).
TIMING_PARAMETERS = ("nucleation_barrier_eV", "nucleation_voltage_fraction", "growth_activation_eV")


def formation_time_s(time_s, current_A, rise_decades=3.0):
    """First time [s] the current is ``rise_decades`` above its first sample (linear interpolation in log I)."""
    log_i = _log_current(current_A)
    target = log_i[0] + rise_decades
    above = np.nonzero(log_i >= target)[0]
    if not above.size or above[0] == 0:
        return None
    k = above[0]
    frac = (target - log_i[k - 1]) / (log_i[k] - log_i[k - 1])
    return float(time_s[k - 1] + frac * (time_s[k] - time_s[k - 1]))


def fit_formation_times(curves, voltages_V, series_resistance_ohm, start_params, vary=TIMING_PARAMETERS,
                        max_nfev=60):
    """Fit the timing parameters to the curves' formation times (log-time residuals).

    A smooth first stage before the full fit: the I-t residual of an abrupt
    event changes in steps as the event moves across samples, an event time
    moves continuously.
    """
    import lmfit

    time_s = curves[0].time_s
    targets = [formation_time_s(c.time_s, c.current_A) for c in curves]
    use = [k for k, t in enumerate(targets) if t is not None]
    if not use:
        return dict(start_params), None
    fit_params = lmfit.Parameters()
    for name in vary:
        spec = PARAMETER_TABLE[name]
        fit_params.add(name, value=float(start_params[name]), min=spec.lower, max=spec.upper)
    horizon = 10.0 * time_s[-1]
    t_long = np.linspace(0.0, horizon, 20 * time_s.size)

    def residual(p):
        params = dict(start_params, **{name: p[name].value for name in vary})
        model = simulate_curves(params, [voltages_V[k] for k in use], t_long, series_resistance_ohm)
        out = []
        for row, k in zip(model, use):
            t_model = formation_time_s(t_long, row)
            out.append(np.log(t_model if t_model else horizon) - np.log(targets[k]))
        return np.array(out)

    result = lmfit.minimize(residual, fit_params, method="least_squares", max_nfev=max_nfev)
    return dict(start_params, **{name: result.params[name].value for name in vary}), result


def condense(voltages_V=(3.5, 4.0, 4.5), metal="Ag", thickness_m=40e-9, duration_s=300.0, seed=1,
             n_samples=300, chain_overrides=None, vary=DEFAULT_VARY, max_nfev=200, progress=False):
    """Run the chain at several voltages and fit a compact-model card to it.

    Parameters
    ----------
    voltages_V : sequence of float
        Constant stress voltages [V] (at least 2).
    metal : str
        Chain preset (``Ag``, ``Cu``, ``Ni``, ``Pt``).
    thickness_m : float
        Film thickness [m].
    duration_s : float
        Length of each chain run [s].
    seed : int
        Seed of the first run; run k uses ``seed + k``.
    n_samples : int
        Samples per curve used in the fit.
    chain_overrides : dict, optional
        Chain parameters to change from the preset (e.g. ``reservoir_m3``).
    vary : sequence of str
        Compact parameters to fit.
    max_nfev : int
        Fit budget (model evaluations).
    progress : bool
        Progress on stderr.

    Returns
    -------
    CondenseResult
    """
    from dataclasses import replace

    from memcompact.chain import preset, simulate_chain

    voltages = [float(v) for v in voltages_V]
    if len(voltages) < 2 or any(not np.isfinite(v) or v <= 0 for v in voltages):
        raise InputError("condense needs at least 2 positive, finite voltages")
    chain_params = replace(preset(metal), thickness_m=thickness_m, **(chain_overrides or {}))
    results = []
    for k, v in enumerate(voltages):
        if progress:
            print(f"condense: chain run {k + 1}/{len(voltages)} at {v:g} V", flush=True)
        results.append(simulate_chain(chain_params, voltage_V=v, duration_s=duration_s, seed=seed + k,
                                      n_samples=n_samples))
    curves = [r.curve for r in results]
    series = float(chain_params.series_resistance_Ohm)
    start = preset_params("ag_sio2" if metal == "Ag" else "cu_sio2")
    start["thickness_m"] = float(np.clip(thickness_m, PARAMETER_TABLE["thickness_m"].lower,
                                         PARAMETER_TABLE["thickness_m"].upper))
    spec = PARAMETER_TABLE["reservoir_m3"]
    start["reservoir_m3"] = float(np.clip(chain_params.reservoir_m3, spec.lower, spec.upper))
    start = starting_values(curves, voltages, series, start)
    timing = [name for name in vary if name in TIMING_PARAMETERS]
    if timing:
        start, _ = fit_formation_times(curves, voltages, series, start, vary=timing, max_nfev=max_nfev // 2)
    params, fit = fit_curves(curves, voltages, series, start, vary=vary, max_nfev=max_nfev, progress=progress)
    validate_params(params)
    model_i = simulate_curves(params, voltages, curves[0].time_s, series)
    stderr = {}
    for name in vary:
        key = f"log10_{name}" if PARAMETER_TABLE[name].log_scale else name
        err = fit.params[key].stderr
        if err is not None and np.isfinite(err):
            stderr[name] = float(err * np.log(10) * params[name]) if key != name else float(err)
    card = {
        "model": MODEL_NAME, "version": CARD_VERSION,
        "params": {k: float(v) for k, v in params.items() if k in PARAMETER_TABLE},
        "chisqr": float(fit.chisqr), "redchi": float(fit.redchi), "stderr": stderr,
        "events": _events_or_none(results[len(results) // 2].curve),
        "condensed_from": {
            "metal": metal, "voltages_V": voltages, "duration_s": duration_s, "seeds": [seed + k for k in range(len(voltages))],
            "series_resistance_ohm": series,
            "chain_params": {k: (float(v) if isinstance(v, (int, float)) else v)
                             for k, v in chain_params.to_dict().items()},
            "chain_events": [_events_or_none(c) for c in curves],
            "varied": list(vary),
        },
    }
    return CondenseResult(card=card, curves=curves, chain_results=results, fit=fit, model_current_A=model_i)


def _events_or_none(curve):
    ev = detect_events(curve.time_s, curve.current_A)
    return {k: (None if ev.get(k) is None else float(ev[k])) for k in ("t_form_s", "t_drop_s", "t_ecm_s")}


def plot_condensation(result, path):
    """Chain curves and the condensed compact model, log current vs time, one panel per voltage."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from memcompact.io import atomic_savefig

    n = len(result.curves)
    fig, axes = plt.subplots(n, 1, figsize=(7, 2.2 * n), sharex=True, squeeze=False)
    for ax, curve, model_i, v in zip(axes[:, 0], result.curves, result.model_current_A,
                                     result.card["condensed_from"]["voltages_V"]):
        ax.semilogy(curve.time_s, np.maximum(np.abs(curve.current_A), NOISE_FLOOR_A), ".", ms=2, color="0.4",
                    label="cluster chain")
        ax.semilogy(curve.time_s, np.maximum(np.abs(model_i), NOISE_FLOOR_A), color="C0", label="compact model")
        ax.set_ylabel(f"|I| [A] at {v:g} V")
    axes[0, 0].legend(loc="best", fontsize=8)
    axes[0, 0].set_title("Condensation: chain I-t curves and the fitted compact model")
    axes[-1, 0].set_xlabel("time [s]")
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=110)
    plt.close(fig)


__all__ = ["CondenseResult", "DEFAULT_VARY", "condense", "fit_curves", "plot_condensation", "simulate_curves"]
