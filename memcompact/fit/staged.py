"""Staged starts for curves that do more than form: depletion drop, refill and ECM jump.

The formation start (:mod:`memcompact.fit.start`) fixes when the filament
bridges the film and the ON level. What the current does afterwards is set
by other parameters of the compact model (memcompact/model/equations.py,
DESIGN section 2.2), each read off the data here:

Depletion drop (``t_drop``, depth ``D`` decades below the level before it)
    The AE contact breaks when the reservoir falls below
    ``reservoir_critical`` (``contact``); the nanogap it opens,
    ``contact_gap_nm = contact_gap_max * sigmoid(...)``, adds the tunnelling
    resistance ``R_t (exp(gap / decay) - 1) / area`` (``r_contact_ohm``), so
    the current falls ``gap / (ln 10 decay)`` decades:
    ``contact_gap_max_m = D ln(10) tunnel_decay_m``.
    The reservoir drains by the metal the filament takes (``reservoir``
    derivative: ``pi r^2 v_front`` at the tip, ``2 pi r l v_radial`` at the
    flank). A filament that thickens from ``radius_initial`` by
    ``radius_growth`` at a steady flank velocity ``v`` over
    ``GROWTH_SPAN`` times the formation-to-drop time has taken
    ``pi L r(t_drop)^2`` (film thickness ``L``) when the contact breaks, so
    ``reservoir_m3 = pi L r(t_drop)^2 / (1 - reservoir_critical)`` and
    ``v`` sets ``radial_velocity_m_per_s`` through the Butler-Volmer flank
    branch (``v_flank_reduce_nm_s``). Without a refill in the data,
    ``refill_rate_per_Vs`` = 0 (the contact never comes back).

Refill (``t_refill``)
    ``refill_per_s = k V (1 - reservoir)`` (Arrhenius factor 1 at 300 K)
    brings the reservoir from what growth left, ``r_min = 1 - pi L
    r_sat^2 / reservoir_m3``, back to ``reservoir_critical`` in
    ``ln((1 - r_min) / (1 - r_c)) / (k V)``, so
    ``k = ln((1 - r_min) / (1 - r_c)) / (V (t_refill - t_grown))``.

ECM jump (``t_ecm``, from ``I_on`` to ``I_ecm``)
    Every term of ``g_filament_S`` scales with the cross-section
    ``radius^2``, so the ECM wire's radius is ``r_sat sqrt(R_on / R_ecm)``
    with ``R = V / I - R_series`` the device resistances:
    ``radius_ecm_growth_m = r_sat (sqrt(R_on / R_ecm) - 1)``. The jump starts
    when Joule heating ``R_th V I`` (``heating_K``) brings the filament near
    ``ecm_temperature_K`` (``ecm_mode``); a slow flank growth
    (``radial_velocity_m_per_s`` as for the drop) feeds the runaway, whose
    onset the thermal resistance times: the formula value
    ``R_th = (T_ecm - T_amb) / (V I_on)`` (hot enough at once) is the top of
    a grid scanned below it.

The formulas give a centre; :func:`event_candidates` spreads a small grid
around it (the couplings the formulas leave out: refill during the drain,
the heating's feedback on the flank velocity), and
:func:`memcompact.fit.core.fit_it` scores every candidate in one vectorised
solver call and starts ``least_squares`` from the best.
"""

from __future__ import annotations

import itertools

import numpy as np

from memcompact.fit.start import BARRIER_SOFTNESS_EV, BOLTZMANN_EV_PER_K, _clip
from memcompact.model.parameters import PARAMETER_TABLE

#: The flank growth that drains the reservoir runs over this multiple of the formation-to-drop time [1].
GROWTH_SPAN = 1.5
#: Radial growth of the cool filament used for a depletion drop, relative to its initial radius [1]
#: (small: the ON level hardly changes while the filament drains the reservoir).
DROP_GROWTH_SHARE = 0.25
#: With a refill, the flank keeps draining the reservoir for this share of the drop-to-refill time [1]:
#: the deeper the drain, the faster (steeper) the refill that brings it back at the measured time.
REFILL_GROWTH_SHARE = 0.5
#: Grid factors around the formula values [1].
RESERVOIR_FACTORS = (0.7, 1.0, 1.4)
RADIAL_FACTORS = (0.5, 1.0, 2.0)
REFILL_FACTORS = (0.3, 1.0, 3.0)
THERMAL_FACTORS = tuple(10.0 ** np.linspace(-0.3, 0.3, 5))
#: Parameters each event adds to the fit (see :func:`event_vary`).
DROP_VARY = ("reservoir_m3", "contact_gap_max_m", "radial_velocity_m_per_s")
REFILL_VARY = ("refill_rate_per_Vs",)
ECM_VARY = ("thermal_resistance_K_per_W", "radius_ecm_growth_m", "radial_velocity_m_per_s")


def _levels(d):
    ev = d.events
    return (np.log10(ev["i_after_form_A"]), np.log10(ev.get("i_before_drop_A") or ev["i_after_form_A"]),
            np.log10(ev["i_after_drop_A"]) if ev.get("i_after_drop_A") else None,
            np.log10(ev["i_after_ecm_A"]) if ev.get("i_after_ecm_A") else None)


def _temperature_K(params, voltage_V, current_A):
    """Filament temperature at a current (``heating_K``, ``temp_K``) [K]."""
    p = params
    heat = p["heating_max_K"] * np.tanh(p["thermal_resistance_K_per_W"] * abs(voltage_V * current_A)
                                        / p["heating_max_K"])
    return p["temperature_K"] + heat


def radial_velocity_for(params, voltage_V, velocity_nm_s, temperature_K):
    """``radial_velocity_m_per_s`` [m/s] that makes the flank grow at ``velocity_nm_s`` (``v_flank_reduce_nm_s``)."""
    p = params
    drive = p["transfer_coefficient"] * p["ion_charge"] * p["radial_voltage_fraction"] * abs(voltage_V)
    a = (p["radial_activation_eV"] - drive) / BARRIER_SOFTNESS_EV
    barrier = BARRIER_SOFTNESS_EV * np.logaddexp(0.0, a)
    return velocity_nm_s * 1e-9 * np.exp(barrier / (BOLTZMANN_EV_PER_K * temperature_K))


def refill_drive_V(params, voltage_V):
    """``refill_per_s / (refill_rate_per_Vs (1 - reservoir))`` [V]: ``0.05 softplus(V / 0.05)`` times the Arrhenius factor."""
    p = params
    arrhenius = np.exp(p["refill_activation_eV"] * (1.0 / (BOLTZMANN_EV_PER_K * 300.0)
                                                    - 1.0 / (BOLTZMANN_EV_PER_K * p["temperature_K"])))
    return float(arrhenius * 0.05 * np.logaddexp(0.0, voltage_V / 0.05))


def _used_share(bridge_m3, flank_m3_s, refill_per_s, t_s, reservoir_m3):
    """``1 - reservoir`` at ``t_s`` after formation: ``du/dt = flank / R - a u``, ``u(0) = bridge / R`` [1]."""
    a = refill_per_s
    if a * t_s < 1e-9:
        return (bridge_m3 + flank_m3_s * t_s) / reservoir_m3
    e = np.exp(-a * t_s)
    return (flank_m3_s * (1.0 - e) / a + bridge_m3 * e) / reservoir_m3


def drained_reservoir_m3(bridge_m3, flank_m3_s, refill_per_s, drop_after_s, reservoir_critical):
    """Reservoir [m^3] that reaches ``reservoir_critical`` ``drop_after_s`` after formation.

    The filament takes ``bridge_m3`` at once (the front crossing the film)
    and then ``flank_m3_s`` per second (flank growth), while the refill
    gives back ``a (1 - reservoir)`` per second (``refill_per_s`` = a): the
    ``reservoir`` derivative of the model with a steady flank velocity.
    Solved for ``1 - reservoir = 1 - reservoir_critical`` at the drop.
    """
    return _used_share(bridge_m3, flank_m3_s, refill_per_s, drop_after_s, 1.0) / (1.0 - reservoir_critical)


def refill_and_reservoir(bridge_m3, flank_m3_s, drop_after_s, growth_s, refill_after_s, reservoir_critical):
    """Refill rate ``a`` [1/s] and reservoir [m^3] that put the drop and the refill at the measured times.

    Growth drains the reservoir (:func:`drained_reservoir_m3`, the drop)
    until ``growth_s`` after formation; then the refill alone brings
    ``u = 1 - reservoir`` back down, ``u(t) = u(growth_s) exp(-a (t -
    growth_s))``, through ``1 - reservoir_critical`` at ``refill_after_s``.
    One equation in ``a`` (the reservoir follows from the drop), solved by
    bisection (``scipy.optimize.brentq``).
    """
    from scipy.optimize import brentq

    uc = 1.0 - reservoir_critical
    tail_s = max(refill_after_s - growth_s, 1e-6)

    def excess(a):
        reservoir = drained_reservoir_m3(bridge_m3, flank_m3_s, a, drop_after_s, reservoir_critical)
        return np.log(_used_share(bridge_m3, flank_m3_s, a, growth_s, reservoir) / uc) - a * tail_s

    lo, hi = 1e-9 / tail_s, 50.0 / tail_s
    a = brentq(excess, lo, hi) if excess(lo) > 0 > excess(hi) else np.log(2.0) / tail_s
    return float(a), float(drained_reservoir_m3(bridge_m3, flank_m3_s, a, drop_after_s, reservoir_critical))


def _thin_cool_filament(out):
    """Make the cool filament's radial growth ``DROP_GROWTH_SHARE`` of its radius, keeping the ON level.

    A drop or a jump timed by slow flank growth would otherwise show the
    growth as a rise of the ON level (the current scales with ``radius^2``);
    ``tunnel_resistance_ohm`` is scaled so the saturated filament passes the
    same current.
    """
    r0 = out["radius_initial_m"] * 1e9
    old_sat = r0 + out["radius_growth_m"] * 1e9
    growth_nm = DROP_GROWTH_SHARE * r0
    out["tunnel_resistance_ohm"] = _clip("tunnel_resistance_ohm", out["tunnel_resistance_ohm"]
                                         * ((r0 + growth_nm) / old_sat) ** 2)
    out["radius_growth_m"] = growth_nm * 1e-9


def runaway_heating_K(params, radius_nm):
    """Joule heating [K] at which the ECM runaway starts for a filament of ``radius_nm``.

    The heat lets the radius grow towards ``radius_top_nm = r_sat + (r_hi -
    r_sat) ecm_mode(T)``, ``ecm_mode = sigmoid((T - T_ecm) / 25 K)``; a wider
    filament passes more current, ``heating ~ radius^2``, so a radius step
    ``dr`` heats by ``2 heating dr / r``. The loop runs away once its gain
    ``(r_hi - r_sat) ecm_mode (1 - ecm_mode) / 25 K * 2 heating / r`` reaches
    one; solved for the heating (``scipy.optimize.brentq``).
    """
    from scipy.optimize import brentq

    p = params
    span_nm = p["radius_ecm_growth_m"] * 1e9
    top_K = p["ecm_temperature_K"] - p["temperature_K"]

    def gain_minus_one(heat_K):
        m = 1.0 / (1.0 + np.exp(-(p["temperature_K"] + heat_K - p["ecm_temperature_K"]) / 25.0))
        return span_nm * m * (1.0 - m) / 25.0 * 2.0 * heat_K / radius_nm - 1.0

    hi = max(top_K, 1.0)
    if span_nm <= 0 or gain_minus_one(hi) < 0:
        return float(hi)
    return float(brentq(gain_minus_one, 1e-6, hi))


def _first(data, key):
    """(curve, mark time [s]) of the first curve with event ``key`` in its marks (None: none)."""
    for d in data:
        if key in d.marks:
            return d, d.marks[key][2]
    return None, None


def event_vary(data):
    """Parameters the data's later events add to the fit: drop, refill, ECM (in that order, no repeats)."""
    vary = []
    if any("t_drop_s" in d.marks for d in data):
        vary += DROP_VARY
        if any("t_refill_s" in d.marks for d in data):
            vary += REFILL_VARY
    if any("t_ecm_s" in d.marks for d in data):
        vary += ECM_VARY
    return tuple(dict.fromkeys(vary))


def event_start_values(data, params):
    """Starting values of the drop, refill and ECM parameters from the data (formulas of the module doc).

    Parameters
    ----------
    data : list of memcompact.fit.data.CurveData
    params : dict
        The formation start (returned updated, as a new dict).
    """
    out = dict(params)
    d_drop, t_drop = _first(data, "t_drop_s")
    d_ecm, t_ecm = _first(data, "t_ecm_s")
    if d_drop is None and d_ecm is None:
        return out
    length_nm = out["thickness_m"] * 1e9
    decay_nm = out["tunnel_decay_m"] * 1e9
    r0 = out["radius_initial_m"] * 1e9
    if d_drop is not None:
        d = d_drop
        t_form = d.marks["t_form_s"][2]
        _, top, low, _ = _levels(d)
        depth = max(top - low, 0.5)
        out["contact_gap_max_m"] = _clip("contact_gap_max_m", depth * np.log(10.0) * decay_nm * 1e-9)
        _thin_cool_filament(out)
        # the sharpest contact the model allows: the drop and the refill each pass ~4 widths of reservoir
        out["reservoir_width"] = PARAMETER_TABLE["reservoir_width"].lower
        growth_nm = out["radius_growth_m"] * 1e9
        span_s = GROWTH_SPAN * max(t_drop - t_form, 1e-6)
        t_refill = d.marks.get("t_refill_s", (None, None, None))[2]
        if t_refill is not None:
            span_s = min(span_s, t_drop - t_form + REFILL_GROWTH_SHARE * (t_refill - t_drop))
        v_nm_s = growth_nm / span_s
        temp = _temperature_K(out, d.voltage_V, 10 ** top)
        out["radial_velocity_m_per_s"] = _clip("radial_velocity_m_per_s",
                                               radial_velocity_for(out, d.voltage_V, v_nm_s, temp))
        rc = out["reservoir_critical"]
        bridge_m3 = np.pi * length_nm * r0 ** 2 * 1e-27
        flank_m3_s = 2 * np.pi * length_nm * (r0 + 0.5 * growth_nm) * v_nm_s * 1e-27
        if t_refill is None:
            out["reservoir_m3"] = _clip("reservoir_m3", drained_reservoir_m3(bridge_m3, flank_m3_s, 0.0,
                                                                             t_drop - t_form, rc))
            out["refill_rate_per_Vs"] = 0.0
        else:
            a, reservoir = refill_and_reservoir(bridge_m3, flank_m3_s, t_drop - t_form, span_s, t_refill - t_form, rc)
            out["reservoir_m3"] = _clip("reservoir_m3", reservoir)
            out["refill_rate_per_Vs"] = _clip("refill_rate_per_Vs", a / refill_drive_V(out, d.voltage_V))
    if d_ecm is not None:
        d = d_ecm
        on, _, _, high = _levels(d)
        series = d.series_resistance_ohm
        v = abs(d.voltage_V)
        r_on = max(v / 10 ** on - series, 1.0)
        r_ecm = max(v / 10 ** high - series, 1.0)
        if d_drop is None:
            _thin_cool_filament(out)
        r_sat = r0 + out["radius_growth_m"] * 1e9
        grow = r_sat * (np.sqrt(max(r_on / r_ecm, 1.0)) - 1.0)
        out["radius_ecm_growth_m"] = _clip("radius_ecm_growth_m", grow * 1e-9)
        t_form = d.marks["t_form_s"][2]
        if d_drop is None:
            # the cool filament thickens slowly; its heating crosses the runaway threshold at the jump
            v_nm_s = out["radius_growth_m"] * 1e9 / (GROWTH_SPAN * max(t_ecm - t_form, 1e-6))
            out["radial_velocity_m_per_s"] = _clip(
                "radial_velocity_m_per_s", radial_velocity_for(out, d.voltage_V, v_nm_s,
                                                               _temperature_K(out, d.voltage_V, 10 ** on)))
            r_jump = r0 + v_nm_s * (t_ecm - t_form)
        else:
            r_jump = r_sat
        heat_K = runaway_heating_K(out, r_jump)
        i_jump = 10 ** on * (r_jump / r_sat) ** 2
        out["thermal_resistance_K_per_W"] = _clip("thermal_resistance_K_per_W", heat_K / (v * i_jump))
    return out


def event_candidates(data, params, vary=None):
    """Candidate starts for curves with drops, refills or ECM jumps: the formula values and a grid around them.

    Parameters
    ----------
    data : list of memcompact.fit.data.CurveData
    params : dict
        The start (already through :func:`event_start_values`).
    vary : sequence of str, optional
        Only these parameters are spread (default: all of the grid's).

    Returns
    -------
    list of dict
        The given start first (alone when the data show formation only).
    """
    centre = dict(params)
    axes = []
    if any("t_drop_s" in d.marks for d in data):
        axes.append(("reservoir_m3", RESERVOIR_FACTORS))
        axes.append(("radial_velocity_m_per_s", RADIAL_FACTORS))
        if any("t_refill_s" in d.marks for d in data):
            axes.append(("refill_rate_per_Vs", REFILL_FACTORS))
    if any("t_ecm_s" in d.marks for d in data):
        axes.append(("thermal_resistance_K_per_W", THERMAL_FACTORS))
        if not any("t_drop_s" in d.marks for d in data):
            axes.append(("radial_velocity_m_per_s", RADIAL_FACTORS))
    axes = list({name: f for name, f in axes if vary is None or name in vary}.items())
    if not axes:
        return [centre]
    out = [centre]
    names = [a[0] for a in axes]
    for factors in itertools.product(*(a[1] for a in axes)):
        if all(f == 1.0 for f in factors):
            continue
        cand = dict(centre)
        for name, f in zip(names, factors):
            cand[name] = _clip(name, centre[name] * f)
        out.append(cand)
    return out


__all__ = ["DROP_VARY", "ECM_VARY", "GROWTH_SPAN", "REFILL_VARY", "event_candidates", "event_start_values",
           "event_vary", "radial_velocity_for"]
