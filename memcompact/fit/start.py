"""Automatic starting values and the default set of fitted parameters, from the data's events.

Nothing here needs a hand-given guess: formation times, levels before and
after formation, drops and ECM jumps come from
:func:`memcompact.events.detect_events` (run in :func:`memcompact.fit.data.prepare_curve`).
"""

from __future__ import annotations

import numpy as np

from memcompact.model.parameters import PARAMETER_TABLE, validate_params

BOLTZMANN_EV_PER_K = 8.617333262e-5

#: Always fitted when the data show formation: delay, bridging speed, ON level, OFF level.
CORE_VARY = ("nucleation_barrier_eV", "growth_activation_eV", "tunnel_resistance_ohm", "leakage_conductance_S")


def _clip(name, value):
    spec = PARAMETER_TABLE[name]
    return float(np.clip(value, spec.lower, spec.upper))


def _delay_slope_per_V(data):
    """Slope of ln(formation time) vs voltage [1/V] over the curves that form (None: < 2 voltages)."""
    pairs = [(d.voltage_V, d.marks["t_form_s"][2]) for d in data if "t_form_s" in d.marks]
    if len({v for v, _ in pairs}) < 2:
        return None
    v = np.array([p[0] for p in pairs])
    return float(np.polyfit(v, np.log([max(p[1], 1e-9) for p in pairs]), 1)[0])


def delay_is_flat(data, params=None):
    """True when the delay falls with voltage more weakly than ``nucleation_alpha`` = its value allows.

    The smallest workable voltage fraction (``N_c z e f V = 3 kT`` at the
    lowest voltage) already makes the delay fall with slope
    ``-alpha * 3 / V_min`` [1/V]; a measured slope less than twice that
    (a supply-limited device, like the cluster chain) needs a smaller
    transfer coefficient ``nucleation_alpha``.
    """
    slope = _delay_slope_per_V(data)
    if slope is None:
        return False
    alpha = (params or {}).get("nucleation_alpha", PARAMETER_TABLE["nucleation_alpha"].default)
    v_min = min(abs(d.voltage_V) for d in data if "t_form_s" in d.marks)
    return -slope < 2 * alpha * 3.0 / v_min


def default_vary(data):
    """Parameters fitted by default for these curves (see docs/fitting.md).

    - ``nucleation_barrier_eV``, ``growth_activation_eV``: when formation
      happens and how long the chain takes to bridge the film;
      ``tunnel_resistance_ohm``: the ON level; ``leakage_conductance_S``:
      the OFF (HRS) level.
    - ``nucleation_voltage_fraction`` only with formation at >= 2 voltages:
      one voltage cannot identify the voltage dependence of the delay; and
      ``nucleation_alpha`` too when the delay hardly falls with voltage
      (:func:`delay_is_flat`).
    - ``reservoir_m3`` when a curve shows a spontaneous drop (AE depletion),
      ``refill_rate_per_Vs`` when it also comes back, and
      ``thermal_resistance_K_per_W`` when it shows an ECM jump.
    - Data without formation: only ``leakage_conductance_S`` (the timing
      parameters are not identified, the card keeps their start values).

    Parameters
    ----------
    data : list of memcompact.fit.data.CurveData
    """
    formed = [d for d in data if "t_form_s" in d.marks]
    if not formed:
        return ("leakage_conductance_S",)
    vary = list(CORE_VARY)
    if len({d.voltage_V for d in formed}) >= 2:
        vary.insert(1, "nucleation_voltage_fraction")
        if delay_is_flat(data):
            vary.insert(2, "nucleation_alpha")
    if any("t_drop_s" in d.marks for d in data):
        vary.append("reservoir_m3")
        if any(d.events.get("t_refill_s") is not None for d in data):
            vary.append("refill_rate_per_Vs")
    if any("t_ecm_s" in d.marks for d in data):
        vary.append("thermal_resistance_K_per_W")
    return tuple(vary)


def nucleation_barrier_for_delay_eV(params, voltage_V, delay_s):
    """Nucleation barrier [eV] that gives a nucleation delay ``delay_s`` [s] at ``voltage_V`` [V].

    Inverts the nucleation rate of eq. (1) condensed into the model:
    ``t = ln(11) t0 exp((dG - alpha N_c z f V) / kT)``.
    """
    kt = BOLTZMANN_EV_PER_K * params["temperature_K"]
    k_v = params["nucleation_alpha"] * params["nucleus_atoms"] * params["ion_charge"]
    return (kt * np.log(delay_s / (np.log(11.0) * params["nucleation_time_s"]))
            + k_v * params["nucleation_voltage_fraction"] * voltage_V)


def starting_values(data, params, vary=()):
    """Starting compact parameters from the curves' events (no hand-given guess needed).

    The formation delay is taken as nucleation-limited (eq. 1):
    ``t_form = ln(11) t0 exp((dG - alpha N_c z f V) / kT)``, so a straight line
    through ``ln t_form`` vs ``V`` gives the voltage fraction ``f`` (slope) and
    the barrier ``dG`` (intercept). Tip growth gets the same voltage
    sensitivity, and its barrier is set so bridging the film takes ~5 % of the
    delay. The tunnelling resistance comes from the current level after
    formation (upper decile), the leakage from the level before. No
    formation anywhere: the barrier is set so the model forms only after
    10x the longest record (the data then bound the delay from below).
    No drop in any curve: an infinite reservoir (no depletion).

    When ``nucleation_alpha`` is fitted and the delay depends on voltage more
    weakly than the smallest workable voltage fraction allows (a
    supply-limited device such as the cluster chain, whose delay is flat in
    V), the voltage fraction is set to give ``N_c z e f V = 6 kT`` at the
    lowest voltage (nucleation well past the reverse reaction) and the
    transfer coefficient ``alpha`` takes the measured slope.

    Parameters
    ----------
    data : list of memcompact.fit.data.CurveData
    params : dict
        Parameters to start from (returned updated, as a new dict).
    vary : sequence of str
        Parameters that will be fitted (``nucleation_alpha`` enables the
        flat-delay start above).
    """
    out = dict(params)
    kt = BOLTZMANN_EV_PER_K * out["temperature_K"]
    pairs = sorted((d.voltage_V, d.marks["t_form_s"][2]) for d in data if "t_form_s" in d.marks)
    k_v = out["nucleation_alpha"] * out["nucleus_atoms"] * out["ion_charge"]
    if len({v for v, _ in pairs}) >= 2:
        v_arr = np.array([p[0] for p in pairs])
        ln_t = np.log([max(p[1], 1e-9) for p in pairs])
        slope, _ = np.polyfit(v_arr, ln_t, 1)
        # the drive must beat the reverse reaction at the lowest voltage (N_c z e f V > 3 kT),
        # or forward and backward rates balance and nothing forms, whatever the slope says
        v_min = float(np.abs(v_arr).min())
        f_floor = 3 * kt / (out["nucleus_atoms"] * out["ion_charge"] * v_min)
        if "nucleation_alpha" in vary and delay_is_flat(data, out):
            f_flat = 6 * kt / (out["nucleus_atoms"] * out["ion_charge"] * v_min)
            out["nucleation_voltage_fraction"] = _clip("nucleation_voltage_fraction", f_flat)
            alpha = max(-slope, 0.0) * kt / (f_flat * out["nucleus_atoms"] * out["ion_charge"])
            out["nucleation_alpha"] = _clip("nucleation_alpha", alpha)
            k_v = out["nucleation_alpha"] * out["nucleus_atoms"] * out["ion_charge"]
        else:
            out["nucleation_voltage_fraction"] = _clip("nucleation_voltage_fraction", max(-slope * kt / k_v, f_floor))
        k_g = out["transfer_coefficient"] * out["ion_charge"]
        g_floor = 3 * kt / (out["ion_charge"] * v_min)
        out["growth_voltage_fraction"] = _clip("growth_voltage_fraction", max(-slope * kt / k_g, g_floor))
    if pairs:
        dg = np.mean([nucleation_barrier_for_delay_eV(out, v, 0.9 * t) for v, t in pairs])
        out["nucleation_barrier_eV"] = _clip("nucleation_barrier_eV", dg)
        v_mid, t_mid = pairs[len(pairs) // 2]
        # bridge the film (in nm) in ~5 % of the delay at the middle voltage
        drive = out["transfer_coefficient"] * out["ion_charge"] * out["growth_voltage_fraction"] * v_mid
        velocity_nm_s = out["thickness_m"] * 1e9 / (0.05 * t_mid)
        ea = drive + kt * np.log(out["growth_velocity_m_per_s"] * 1e9 / velocity_nm_s)
        out["growth_activation_eV"] = _clip("growth_activation_eV", ea)
    else:
        t_end = max(float(d.curve.time_s[-1]) for d in data)
        v_max = max(abs(d.voltage_V) for d in data)
        out["nucleation_barrier_eV"] = _clip("nucleation_barrier_eV",
                                             nucleation_barrier_for_delay_eV(out, v_max, 10 * t_end))
    # level after formation: the upper decile of the current once formed (drops and noise aside)
    on = []
    for d in data:
        if "t_form_s" in d.marks:
            after = np.abs(d.curve.current_A[d.curve.time_s >= d.marks["t_form_s"][2]])
            if after.size:
                on.append((abs(d.voltage_V), np.percentile(after, 90), d.series_resistance_ohm))
    if on:
        r_total = float(np.median([v / i - rs for v, i, rs in on]))
        radius_nm = (out["radius_initial_m"] + out["radius_growth_m"]) * 1e9
        out["tunnel_resistance_ohm"] = _clip("tunnel_resistance_ohm", max(r_total, 1e2) * radius_nm ** 2)
    off = []
    for d in [d for d in data if "t_form_s" in d.marks] or data:
        t_form = d.marks["t_form_s"][2] if "t_form_s" in d.marks else np.inf
        before = np.abs(d.curve.current_A[d.curve.time_s < 0.8 * t_form])
        if before.size:
            off.append(max(np.median(before), d.noise_floor_A) / abs(d.voltage_V))
    if off:
        out["leakage_conductance_S"] = _clip("leakage_conductance_S", np.median(off))
    if not any("t_drop_s" in d.marks for d in data):
        out["reservoir_m3"] = PARAMETER_TABLE["reservoir_m3"].upper
    validate_params(out)
    return out


__all__ = ["CORE_VARY", "default_vary", "delay_is_flat", "nucleation_barrier_for_delay_eV", "starting_values"]
