"""Automatic starting values and the default set of fitted parameters, from the data's events.

Nothing here needs a hand-given guess: formation times, levels before and
after formation, drops and ECM jumps come from
:func:`memcompact.events.detect_events` (run in :func:`memcompact.fit.data.prepare_curve`).
"""

from __future__ import annotations

import numpy as np

from memcompact.fit.data import formation_rise
from memcompact.model.parameters import PARAMETER_TABLE, validate_params

BOLTZMANN_EV_PER_K = 8.617333262e-5
BARRIER_SOFTNESS_EV = 0.025
"""Width of the model's soft barrier floor ``barrier(a) = w softplus(a / w)`` (memcompact.model.expr) [eV]."""

#: Always fitted when the data show formation: delay, bridging speed, ON level, OFF level.
CORE_VARY = ("nucleation_barrier_eV", "growth_activation_eV", "tunnel_resistance_ohm", "leakage_conductance_S")
GROWTH_SHARE_MIN = 0.05
"""Smallest share of the formation delay given to bridging the film (an abrupt formation) [1]."""
GROWTH_SHARE_MAX = 0.8
"""Largest share of the delay given to bridging; a slower rise widens the tunnelling decay length [1]."""
RESOLVED_RISE_SAMPLES = 8.0
"""A formation rise over fewer sampling intervals than this is not resolved [1]."""
CANDIDATE_GROWTH_SHARES = (0.05, 0.15, 0.4, 0.8)
"""Shares of the delay spent bridging the film tried as starts by :func:`starting_candidates` [1]."""


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


def bridging_share(data, params=None):
    """Share of the formation delay the front needs to bridge the film, from the measured rise.

    The model's tunnelling current rises one decade per ``ln(10) *
    tunnel_decay_m`` of gap closed, so a front bridging the film (thickness
    ``L``) in a share ``s`` of the delay ``t_form`` rises ``D`` decades in
    ``D ln(10) decay s t_form / L``. Setting that to the measured rise
    (:func:`memcompact.fit.data.formation_rise`) gives
    ``s = L rise_s / (t_form D ln(10) decay)`` per curve; the median over
    the curves is returned, unclipped (> ``GROWTH_SHARE_MAX``: the rise is
    slower than bridging alone makes it with this decay length). Rises
    shorter than ``RESOLVED_RISE_SAMPLES`` sampling intervals are taken as
    unresolved (abrupt) and left out.

    Parameters
    ----------
    data : list of memcompact.fit.data.CurveData
    params : dict, optional
        ``thickness_m`` [m] and ``tunnel_decay_m`` [m] (default: the table's).

    Returns
    -------
    float or None
        None when no curve has a resolved rise.
    """
    params = params or {}
    thickness_nm = params.get("thickness_m", PARAMETER_TABLE["thickness_m"].default) * 1e9
    decade_nm = np.log(10.0) * params.get("tunnel_decay_m", PARAMETER_TABLE["tunnel_decay_m"].default) * 1e9
    shares = []
    for d in data:
        rise = formation_rise(d)
        if rise is None or rise[0] < RESOLVED_RISE_SAMPLES * float(np.median(np.diff(d.curve.time_s))):
            continue  # no rise, or one the sampling does not resolve (an abrupt formation)
        rise_s, decades = rise
        shares.append(thickness_nm * rise_s / (d.marks["t_form_s"][2] * decades * decade_nm))
    return float(np.median(shares)) if shares else None


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
    - The parameters a drop, a refill or an ECM jump set
      (:func:`memcompact.fit.staged.event_vary`): ``reservoir_m3``,
      ``contact_gap_max_m`` and ``radial_velocity_m_per_s`` for a
      spontaneous drop (AE depletion), ``refill_rate_per_Vs`` when it also
      comes back, ``thermal_resistance_K_per_W``, ``radius_ecm_growth_m``
      and ``radial_velocity_m_per_s`` for an ECM jump.
    - ``tunnel_decay_m`` when the formation rises more slowly than bridging
      the film within the delay can make it (:func:`bridging_share` above
      ``GROWTH_SHARE_MAX``): the slope of the log-linear rise then
      identifies the decay length.
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
    from memcompact.fit.staged import event_vary
    vary += [n for n in event_vary(data) if n not in vary]
    share = bridging_share(data)
    if share is not None and share > GROWTH_SHARE_MAX:
        vary.append("tunnel_decay_m")
    return tuple(vary)


def _effective_barrier_eV(params, voltage_V):
    """``nucleation_barrier_eV - alpha N_c z f V`` [eV]: the barrier the forward nucleation rate sees."""
    k_v = params["nucleation_alpha"] * params["nucleus_atoms"] * params["ion_charge"]
    return params["nucleation_barrier_eV"] - k_v * params["nucleation_voltage_fraction"] * voltage_V


def nucleation_delay_s(params, voltage_V):
    """Nucleation delay [s] of eq. (1) as the model has it: ``ln(11) t0 exp(barrier(dG - alpha N_c z f V) / kT)``.

    ``barrier(a) = w softplus(a / w)`` (``BARRIER_SOFTNESS_EV``, the model's
    ``barrier()``): a drive beyond the barrier leaves the delay at about
    ``ln(11) t0``, it does not make it shorter.
    """
    kt = BOLTZMANN_EV_PER_K * params["temperature_K"]
    a = _effective_barrier_eV(params, voltage_V) / BARRIER_SOFTNESS_EV
    effective = BARRIER_SOFTNESS_EV * (np.logaddexp(0.0, a))
    return float(np.log(11.0) * params["nucleation_time_s"] * np.exp(effective / kt))


def nucleation_barrier_for_delay_eV(params, voltage_V, delay_s):
    """Nucleation barrier [eV] that gives a nucleation delay ``delay_s`` [s] at ``voltage_V`` [V].

    Inverts :func:`nucleation_delay_s` (eq. 1 condensed into the model):
    ``t = ln(11) t0 exp(barrier(dG - alpha N_c z f V) / kT)``. A delay
    shorter than the drive-saturated ``ln(11) t0 2**(w/kT)`` asks for an
    effective barrier below zero; it gets a barrier 10 softness widths
    below the drive (the delay then is at its floor).
    """
    kt = BOLTZMANN_EV_PER_K * params["temperature_K"]
    b = kt * np.log(delay_s / (np.log(11.0) * params["nucleation_time_s"]))
    w = BARRIER_SOFTNESS_EV
    # inverse of w softplus(a / w); a = b for b >> w
    a = b + w * np.log(-np.expm1(-b / w)) if b > 1e-3 * w else -10.0 * w
    return float(params["nucleation_barrier_eV"] - _effective_barrier_eV(params, voltage_V) + a)


def starting_values(data, params, vary=(), growth_share=None):
    """Starting compact parameters from the curves' events (no hand-given guess needed).

    The formation delay is taken as nucleation-limited (eq. 1):
    ``t_form = ln(11) t0 exp((dG - alpha N_c z f V) / kT)``, so a straight line
    through ``ln t_form`` vs ``V`` gives the voltage fraction ``f`` (slope) and
    the barrier ``dG`` (intercept). Tip growth gets the same voltage
    sensitivity, and its barrier is set so bridging the film takes the share
    of the delay that the measured rise of the current asks for
    (:func:`bridging_share`, kept between 5 and 80 %); the nucleation delay is
    the rest. A rise slower than that (with ``tunnel_decay_m`` fitted) widens
    the decay length instead. The tunnelling resistance comes from the
    current level after formation (upper decile), the leakage from the level
    before. No
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
    growth_share : float, optional
        Share of the delay spent bridging the film [1] (default: from the
        data's rise, see above).
    """
    out = dict(params)
    if growth_share is None:
        share = bridging_share(data, out)
        if share is not None and share > GROWTH_SHARE_MAX and "tunnel_decay_m" in vary:
            out["tunnel_decay_m"] = _clip("tunnel_decay_m", out["tunnel_decay_m"] * share / GROWTH_SHARE_MAX)
        growth_share = float(np.clip(share if share is not None else GROWTH_SHARE_MIN,
                                     GROWTH_SHARE_MIN, GROWTH_SHARE_MAX))
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
        dg = np.mean([nucleation_barrier_for_delay_eV(out, v, (1.0 - growth_share) * t) for v, t in pairs])
        out["nucleation_barrier_eV"] = _clip("nucleation_barrier_eV", dg)
        v_mid, t_mid = pairs[len(pairs) // 2]
        # bridge the film (in nm) in the growth share of the delay at the middle voltage
        drive = out["transfer_coefficient"] * out["ion_charge"] * out["growth_voltage_fraction"] * v_mid
        velocity_nm_s = out["thickness_m"] * 1e9 / (growth_share * t_mid)
        ea = drive + kt * np.log(out["growth_velocity_m_per_s"] * 1e9 / velocity_nm_s)
        out["growth_activation_eV"] = _clip("growth_activation_eV", ea)
    else:
        t_end = max(float(d.curve.time_s[-1]) for d in data)
        v_max = max(abs(d.voltage_V) for d in data)
        out["nucleation_barrier_eV"] = _clip("nucleation_barrier_eV",
                                             nucleation_barrier_for_delay_eV(out, v_max, 10 * t_end))
    # level after formation: the upper decile of the current once formed (drops and noise aside),
    # before any drop or ECM jump
    on = []
    for d in data:
        if "t_form_s" in d.marks:
            later = [d.marks[k][2] for k in ("t_drop_s", "t_ecm_s") if k in d.marks]
            t = d.curve.time_s
            formed = (t >= d.marks["t_form_s"][2]) & (t < min(later, default=np.inf))
            after = np.abs(d.curve.current_A[formed])
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


def starting_candidates(data, params, vary=()):
    """Starting points for the fit: :func:`starting_values` first, then a grid of bridging shares.

    How the delay splits between nucleation and bridging the film (and the
    decay length, when fitted) decides how steep the model's formation rise
    is; the least-squares fit keeps the split it starts with, so
    :func:`memcompact.fit.fit_it` scores every candidate in one vectorised
    solver call and starts from the best. The grid is
    ``CANDIDATE_GROWTH_SHARES``; with ``tunnel_decay_m`` fitted and a
    measured rise (:func:`bridging_share`) slower than a candidate's share
    gives, that candidate's decay length is widened to keep the measured
    rise. Data without a formation give the one start.

    Parameters
    ----------
    data : list of memcompact.fit.data.CurveData
    params : dict
        Parameters to start from.
    vary : sequence of str
        Parameters that will be fitted.

    Returns
    -------
    list of dict
    """
    first = starting_values(data, params, vary)
    if not any("t_form_s" in d.marks for d in data):
        return [first]
    measured = bridging_share(data, params) if "tunnel_decay_m" in vary else None
    out = [first]
    for share in CANDIDATE_GROWTH_SHARES:
        start = starting_values(data, params, vary, growth_share=share)
        if measured is not None and measured > share:
            # keep the measured rise: bridging in a smaller share needs a proportionally longer decay
            start["tunnel_decay_m"] = _clip("tunnel_decay_m", params["tunnel_decay_m"] * measured / share)
        out.append(start)
    return out


__all__ = ["CANDIDATE_GROWTH_SHARES", "CORE_VARY", "GROWTH_SHARE_MAX", "GROWTH_SHARE_MIN", "RESOLVED_RISE_SAMPLES",
           "bridging_share", "default_vary", "delay_is_flat", "nucleation_barrier_for_delay_eV", "nucleation_delay_s",
           "starting_candidates", "starting_values"]
