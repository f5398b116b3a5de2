"""One time step of the chain: fields, rates, transport, growth, nucleation.

:func:`compute_rates` evaluates, for the present state and voltage, the
circuit (tunnelling gaps in series, leakage, series resistor), the field in
every gap (clusters are equipotentials: the voltage divides over the gaps),
the Butler-Volmer oxidation rates of the AE and of each cluster's downstream
pole (polarization E r, seed paper Fig. 1q), the hopping drift and the
nucleation rates (eq. 1). :func:`choose_step` picks dt so that no cluster
volume, narrow gap or contact changes too much and nucleation lands on its
event; :func:`advance` applies the step (eqs. 2-3 through the transport).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from memcompact.chain.bipolar import (capture_fraction, cluster_polarization_V, finite_gap_overpotential_V,
                                      pole_area_m2, pole_field_enhancement)
from memcompact.chain.geometry import gaps_m, pole_edge_update, sphere_volume_m3
from memcompact.chain.kinetics import (arrhenius_factor, butler_volmer_rate, hopping_drift_velocity, hopping_mobility,
                                      saturated_overpotential_V)
from memcompact.chain.constants import BOLTZMANN_EV_PER_K
from memcompact.chain.nucleation import nucleation_free_energy, nucleation_rate
from memcompact.chain.reservoir import contact_supply_factor, surface_refill_rate_m3_per_s
from memcompact.chain.thermal import joule_temperature_K, relax_temperature_K, sintering_rate_per_s
from memcompact.chain.transport import drift_ions
from memcompact.chain.tunnelling import (circuit_solution, coulomb_blockade_exponent, field_division_V,
                                         sharvin_conductance_S, tunnelling_decay_per_m, wire_resistance_Ohm)

REFERENCE_K = 300.0
#: The film counts as bridged once no conductor gap is wider than this [m].
BRIDGED_GAP_M = 2e-9
REFILL_REFERENCE_FIELD_V_PER_M = 1e8


@dataclass
class Rates:
    """Everything computed from one state at one voltage (SI units)."""

    direction: int
    gaps: np.ndarray           # between all neighbours (n clusters -> n + 1)
    conductor_gaps: np.ndarray  # between the AE, column-spanning clusters and the IE
    gap_voltage: np.ndarray
    gap_field: np.ndarray
    current_A: float
    device_voltage_V: float
    power_W: float
    free_cells: np.ndarray
    passed: np.ndarray
    outflow: np.ndarray
    source_rate: float
    emission: np.ndarray       # per cluster, index order [1/s]
    capture: np.ndarray        # per cluster, index order
    nucleation: np.ndarray     # per cell [1/s]
    refill_m3_per_s: float
    covered: np.ndarray
    attached: int              # clusters connected to the source electrode
    reduction_rate: np.ndarray  # per cell, rate of reduction on the next cluster's upstream pole [1/s]
    reduction_owner: np.ndarray  # per cell, that cluster (drift order), -1 for none
    ie_nucleation: float       # rate of the first nucleus on the IE [1/s]


def electrode_field_V_per_m(gap_voltage_V, distance_m, direction, min_distance_m):
    """Mean field in front of the source electrode's plane [V/m].

    The electrode is a plane; a cluster touching it (or shorted to it by
    tunnelling) screens only its own footprint. The rest of the plane sees the
    potential of the first conductor at a different potential, across the
    whole distance to it: the largest of (potential difference / distance)
    over the conductors downstream.

    Parameters
    ----------
    gap_voltage_V : numpy.ndarray
        Voltage across each conductor gap, AE side first [V].
    distance_m : numpy.ndarray
        Distance from the source plane to the near face of the conductor
        closing each gap, in the same order [m].
    direction : int
        +1: the AE is the source; -1: the IE (its deposit) is.
    min_distance_m : float
        Smallest distance [m].

    Returns
    -------
    tuple of float
        (field [V/m], the potential difference it is taken over [V]).
    """
    v = np.abs(gap_voltage_V)
    d = np.asarray(distance_m)
    if direction < 0:
        v, d = v[::-1], d[::-1]
    field = np.cumsum(v) / np.maximum(d, min_distance_m)
    q = int(np.argmax(field))
    return float(field[q]), float(np.cumsum(v)[q])


def compute_rates(st, voltage_V):
    """Fields, currents and rates of state ``st`` at applied ``voltage_V`` [V].

    Only clusters that span the conduction column (capture fraction 1, r >=
    r_col / sqrt(3)) are conductors of the chain: the voltage divides over the
    gaps between them. Smaller nuclei float in the field of the gap they sit
    in (they do not short the column around them).
    """
    p = st.p
    n = st.x.size
    T = st.temperature_K
    xa, xc = st.ae_surface_m, st.ie_tip_m
    g_all = gaps_m(xa, xc, st.x, st.r)
    span = st.r * math.sqrt(3.0) >= p.column_radius_m
    cx, cr = st.x[span], st.r[span]
    m = cx.size
    g = gaps_m(xa, xc, cx, cr)
    # --- circuit: electrons tunnel gap by gap through every cluster ----------------------
    big = 1.0
    r_ie = st.ie_radius_m if st.ie_height_m > 0 else big
    a = np.minimum(np.minimum(np.concatenate(([big], st.r)), np.concatenate((st.r, [r_ie]))),
                   p.column_radius_m)
    j = np.arange(n + 1)
    neck = p.neck_fraction + (1.0 - p.neck_fraction) * st.sintering  # hot necks sinter wide open
    a = np.where((j > 0) | (j < n) | (st.ie_height_m > 0), a * neck, a)  # contacts through a neck
    g_c = sharvin_conductance_S(a, p.fermi_wavevector_per_m)
    decay = tunnelling_decay_per_m(p.barrier_eV, p.effective_mass_ratio)
    g_min = p.hop_distance_m
    # tunnelling resistance of each gap; a nucleus too small to span the column is
    # a poor stepping stone (Coulomb blockade), smoothly lifted as it grows
    block = coulomb_blockade_exponent(st.r, p.column_radius_m / math.sqrt(3.0), p.relative_permittivity, T)
    half = 0.5 * np.concatenate(([0.0], block)) + 0.5 * np.concatenate((block, [0.0]))
    r_sub = np.exp(np.minimum(decay * g_all + half, 690.0)) / g_c
    r_metal = float(np.sum(wire_resistance_Ohm(p.resistivity_Ohm_m, 2.0 * st.r, st.r)))
    if st.ie_height_m > 0:
        r_metal += float(wire_resistance_Ohm(p.resistivity_Ohm_m, st.ie_height_m, st.ie_radius_m))
    r_chain = float(np.sum(r_sub)) + r_metal
    v_dev, current, i_chain = circuit_solution(voltage_V, min(r_chain, 1e300), p.parallel_leakage_S,
                                               p.series_resistance_Ohm, p.compliance_A)
    # the field divides over the gaps between conductors (column-spanning clusters);
    # a conductor gap's tunnelling resistance is that of the sub-gaps it contains
    q_of = np.concatenate(([0], np.cumsum(span)))
    G = 1.0 / np.bincount(q_of, weights=r_sub, minlength=m + 1)
    v_gap = field_division_V(v_dev - i_chain * r_metal, g, G, p.division_conductance_S_m, g_min)
    e_gap = v_gap / np.maximum(g, g_min)
    direction = 1 if v_dev >= 0 else -1
    ae, ve = np.abs(e_gap), np.abs(v_gap)
    # --- kinetics at the filament temperature -----------------------------------------
    T = st.temperature_K
    z = p.ion_charge
    k0 = p.exchange_rate_per_m2_s * p.redox_scale * float(arrhenius_factor(T, p.redox_activation_eV, REFERENCE_K))
    mu = float(hopping_mobility(T, p.mobility_m2_per_Vs * p.mobility_scale, p.hopping_activation_eV, REFERENCE_K))
    v_drift = hopping_drift_velocity(ae, T, mu, p.hop_distance_m, z)
    area_col = math.pi * p.column_radius_m ** 2

    def bv(eta):
        eta = saturated_overpotential_V(eta, p.overpotential_saturation_V)
        return np.maximum(butler_volmer_rate(eta, k0, p.transfer_coefficient, z, T), 0.0)

    # upstream electrode's oxidation (AE under positive bias, IE deposit under negative)
    if direction > 0:
        dist = np.concatenate((cx - cr, [xc])) - xa
    else:
        dist = xc - np.concatenate(([xa], cx + cr))
    e_src, v_src = electrode_field_V_per_m(v_gap, dist, direction, g_min)
    eta_src = finite_gap_overpotential_V(e_src * p.electrode_polarization_length_m, v_src)
    # clusters touching the source electrode (directly or through touching
    # neighbours) are part of it: the electrode emits from their tip
    n_att = 0
    if n:
        order_g = g_all if direction > 0 else g_all[::-1]
        order_span = span if direction > 0 else span[::-1]
        while n_att < n and order_span[n_att] and order_g[n_att] < p.hop_distance_m:
            n_att += 1
    # the conductor gap the electrode (or its attached tip) emits into
    g_front = g[n_att] if direction > 0 else g[::-1][n_att]
    contact = g_front / (g_front + p.hop_distance_m)  # no ion transfer across a metallic contact
    if direction > 0:
        contact *= contact_supply_factor(-xa, p.contact_gap_max_m)
        source = p.ae_oxidation_scale * float(bv(eta_src)) * area_col * contact
    else:
        source = float(bv(eta_src)) * area_col * contact if st.ie_volume_m3 > 0 else 0.0
    # clusters: downstream pole; the gap of a conductor is its downstream gap, a
    # floating nucleus sees the gap it sits in
    if n:
        gap_in = np.searchsorted(cx, st.x)
        j_down = np.where(span, gap_in + (1 if direction > 0 else 0), gap_in)
        pol = cluster_polarization_V(ae[j_down], st.r, 0.0, p.cos_lambda)
        eta = np.where(span, finite_gap_overpotential_V(pol, ve[j_down]), np.maximum(pol, 0.0))
        g_out = g_all[1:] if direction > 0 else g_all[:-1]
        emission = (st.ox_scale * bv(eta) * pole_area_m2(st.r, p.cos_lambda)
                    * g_out / (g_out + p.hop_distance_m))
        capture = capture_fraction(st.r, p.column_radius_m, ae[j_down], T, z)
        att = np.arange(n_att) if direction > 0 else np.arange(n - n_att, n)
        emission[att] = 0.0
        capture[att] = 0.0
    else:
        emission = capture = np.zeros(0)
    # --- grid: free cells, their gap, drift rates ------------------------------------
    c = st.centres
    covered = st.covered_cells() | (c >= xc)
    free = np.nonzero(~covered)[0]
    cell_gap = np.searchsorted(cx, c[free])
    passed = np.searchsorted(st.x, c[free])
    outflow = np.zeros(st.n_cells)
    outflow[free] = v_drift[cell_gap] / st.dx * np.where(st.void[free], p.void_mobility_factor, 1.0)
    if direction > 0:
        cells = free
    else:
        cells, passed = free[::-1], n - passed[::-1]
    # reduction of the ions waiting in front of each cluster on its upstream pole:
    # cathodic Butler-Volmer with the local ion concentration (rate per ion)
    red_rate = np.zeros(st.n_cells)
    red_owner = np.full(st.n_cells, -1)
    if n and free.size:
        j_up = gap_in  # the gap in front of the upstream pole
        pol_up = -cluster_polarization_V(ae[j_up], st.r, math.pi, p.cos_lambda)
        eta_red = saturated_overpotential_V(np.maximum(pol_up, 0.0), p.overpotential_saturation_V)
        k_red = (k0 * pole_area_m2(st.r, -p.cos_lambda) / st.n_max
                 * np.exp((1.0 - p.transfer_coefficient) * z * eta_red / (BOLTZMANN_EV_PER_K * T)))
        edge = st.x - st.r if direction > 0 else st.x + st.r
        pos = np.searchsorted(c[free], edge) - 1 if direction > 0 else np.searchsorted(c[free], edge)
        ok = (pos >= 0) & (pos < free.size)
        cell = free[np.clip(pos, 0, free.size - 1)]
        order_index = np.arange(n) if direction > 0 else n - 1 - np.arange(n)
        for i in np.nonzero(ok)[0]:
            if k_red[i] > red_rate[cell[i]]:
                red_rate[cell[i]] = k_red[i]
                red_owner[cell[i]] = order_index[i]
        if direction > 0:
            red_rate[:] = np.where(np.isin(np.arange(st.n_cells), free), red_rate, 0.0)
    # a full cell takes no more ions: back-pressure on the cell upstream of it
    if cells.size > 1:
        room = np.maximum(0.0, 1.0 - st.ions[cells[1:]] / st.n_max)
        outflow[cells[:-1]] *= room
    # --- nucleation (eq. 1) ----------------------------------------------------------------
    nuc = np.zeros(st.n_cells)
    if p.nucleation_scale > 0 and free.size:
        occ = st.ions[free] / st.n_max
        strain = st.strain[free] * np.where(st.void[free], p.void_strain_factor, 1.0)
        dphi = ae[cell_gap] * pole_field_enhancement(c[free], st.x, st.r) * p.nucleation_length_m
        dg = nucleation_free_energy(p.critical_nucleus_atoms, z, dphi, p.nucleation_surface_eV, strain)
        nu = p.nucleation_attempt_rate_per_s * p.nucleation_scale * math.sqrt(p.redox_scale)
        rate = nucleation_rate(dg, occ, p.critical_nucleus_atoms, nu, T)
        # within the exclusion distance of a conductor, ions join it instead
        near = c[free] - xa < p.nucleation_exclusion_m
        if n:
            surf = np.abs(c[free][:, None] - st.x[None, :]) - st.r[None, :]
            near |= np.min(surf, axis=1) < p.nucleation_exclusion_m
        nuc[free] = np.where(near, 0.0, rate)
    # the inert electrode: ions pile up in front of it until a nucleus forms on
    # it (heterogeneous nucleation, eq. 1 with the IE's strain term)
    ie_nuc = 0.0
    if direction > 0 and st.ie_volume_m3 <= 0 and free.size:
        last = free[-1]
        outflow[last] = 0.0
        if p.nucleation_scale > 0:
            dg_ie = nucleation_free_energy(p.critical_nucleus_atoms, z, ae[-1] * p.nucleation_length_m,
                                           p.nucleation_surface_eV, p.ie_strain_eV_per_atom)
            nu = p.nucleation_attempt_rate_per_s * p.nucleation_scale * math.sqrt(p.redox_scale)
            ie_nuc = float(nucleation_rate(dg_ie, st.ions[last] / st.n_max, p.critical_nucleus_atoms, nu, T))
    # --- AE refill by surface diffusion (positive bias only) ----------------------------------
    refill = 0.0
    if direction > 0 and st.reservoir_m3 < p.reservoir_m3 and p.refill_velocity_m_per_s > 0:
        refill = surface_refill_rate_m3_per_s(max(ae[0], e_src), T, p.contact_radius_m, p.refill_velocity_m_per_s,
                                              REFILL_REFERENCE_FIELD_V_PER_M, p.refill_activation_eV,
                                              REFERENCE_K)
    return Rates(direction=direction, gaps=g_all, conductor_gaps=g, gap_voltage=v_gap, gap_field=e_gap, current_A=current,
                 device_voltage_V=v_dev, power_W=abs(v_dev * current), free_cells=cells, passed=passed,
                 outflow=outflow, source_rate=source, emission=emission, capture=capture,
                 nucleation=nuc, refill_m3_per_s=refill, covered=covered,
                 attached=n_att, ie_nucleation=ie_nuc, reduction_rate=red_rate, reduction_owner=red_owner)


def choose_step(st, rt, dt_cap):
    """Largest step <= ``dt_cap`` [s] that keeps every change within the limits of ``st.p``.

    Sets ``st.step_limit`` to the name of the limit that decided (for
    diagnostics and the benchmark).
    """
    p = st.p
    limits = {"cap": dt_cap}
    n = st.x.size
    omega = st.omega
    if n:
        v = sphere_volume_m3(st.r)
        net = omega * np.abs(st.cap_rate - rt.emission)
        grow = omega * np.maximum(st.cap_rate, rt.emission)
        g = rt.gaps
        near = np.minimum(g[:-1], g[1:])
        edge = np.maximum(p.max_gap_change_m, 0.25 * near)
        allowed = np.maximum(np.minimum(p.max_relative_change * v, 2 * np.pi * st.r ** 2 * edge),
                             p.critical_nucleus_atoms * omega)
        rate = np.maximum(net, 0.05 * grow)
        with np.errstate(divide="ignore"):
            lim = np.where(rate > 0, allowed / np.where(rate > 0, rate, 1.0), np.inf)
        limits["cluster"] = float(lim.min())
    # AE contact: limit the recess change once the reservoir is nearly used up
    area_c = math.pi * p.contact_radius_m ** 2
    edge0 = max(p.max_gap_change_m, 0.25 * rt.gaps[0])
    d_res = abs(omega * rt.source_rate * (rt.direction > 0) - rt.refill_m3_per_s)
    if d_res > 0:
        room = max(area_c * edge0, 0.1 * abs(st.reservoir_m3)) if st.reservoir_m3 > 0 else area_c * edge0
        limits["reservoir"] = room / d_res
    # IE deposit tip
    dh = omega * st.sink_rate / (math.pi * p.ecm_filament_radius_m ** 2)
    if dh > 0 and rt.gaps[-1] > 0:
        limits["ie_tip"] = max(p.max_gap_change_m, 0.25 * rt.gaps[-1]) / dh
    # nucleation: land on the next event
    act = rt.nucleation > 1e-300
    if act.any():
        left = (st.threshold[act] - st.hazard[act]) / rt.nucleation[act]
        limits["nucleation"] = max(float(left.min()) * 1.000001, 1e-15)
    if rt.ie_nucleation > 0:
        limits["ie_nucleation"] = max((st.ie_threshold - st.ie_hazard) / rt.ie_nucleation * 1.000001, 1e-15)
    name = min(limits, key=limits.get)
    st.step_limit = name
    return max(limits[name], 1e-15)


def advance(st, rt, dt):
    """Apply one step of length ``dt`` [s]; return the largest relative change of the ion profile."""
    p = st.p
    s = rt.direction
    n = st.x.size
    omega = st.omega
    order = np.arange(n) if s > 0 else np.arange(n)[::-1]
    new_ions, cap, emi, src, sink = drift_ions(
        st.ions, rt.free_cells.tolist(), rt.passed.tolist(), rt.outflow, rt.source_rate,
        rt.capture[order].tolist(), rt.emission[order].tolist(), dt, st.n_max, skip=rt.attached,
        reduction_rate=rt.reduction_rate, reduction_owner=rt.reduction_owner)
    scale = np.maximum(np.maximum(new_ions, st.ions), 0.01 * st.n_max)
    ion_change = float(np.max(np.abs(new_ions - st.ions) / scale)) if st.n_cells else 0.0
    st.ions = new_ions
    covered_before = rt.covered
    if n:
        captured = np.empty(n)
        emitted = np.empty(n)
        captured[order] = cap
        emitted[order] = emi
        st.cap_rate = captured / dt
        st.ox_rate = emitted / dt
        st.film_reduced_m3 += omega * float(captured.sum())
        x, r, vol = pole_edge_update(st.x, st.r, omega * captured, omega * emitted, s, p.pole_growth_fraction)
        st.x, st.r = x, r
        st.remove_dissolved(vol, s)
    # electrodes
    area_tip = math.pi * p.ecm_filament_radius_m ** 2
    if s > 0:
        st.reservoir_m3 -= omega * src
        st.reservoir_m3 = min(p.reservoir_m3, st.reservoir_m3 + rt.refill_m3_per_s * dt) \
            if st.reservoir_m3 < p.reservoir_m3 else st.reservoir_m3
        if sink > 0:
            dv = omega * sink
            dh = min(dv / area_tip, max(st.L - st.ie_height_m - (st.x[-1] + st.r[-1] if st.x.size else st.ae_surface_m), 0.0))
            st.ie_moment_m4 += dv * (st.L - st.ie_height_m - 0.5 * dh)
            st.ie_volume_m3 += dv
            st.ie_height_m += dh
            st.ie_reduced_m3 += dv
            if st.ie_first_t is None and st.ie_volume_m3 >= p.critical_nucleus_atoms * omega:
                st.ie_first_t = st.t + dt
    else:
        st.reservoir_m3 += omega * sink
        if src > 0 and st.ie_volume_m3 > 0:
            dv = min(omega * src, st.ie_volume_m3)
            frac = dv / st.ie_volume_m3
            st.ie_moment_m4 *= 1.0 - frac
            st.ie_volume_m3 -= dv
            st.ie_height_m = max(0.0, st.ie_height_m - dv / area_tip)
            if st.ie_volume_m3 <= omega or st.ie_height_m <= 0:
                st.ie_volume_m3 = st.ie_height_m = st.ie_moment_m4 = 0.0
    st.sink_rate = sink / dt
    st.source_rate = src / dt
    if rt.conductor_gaps.max() > BRIDGED_GAP_M:  # supply while the film is not yet bridged
        st.source_emitted_m3 += omega * src
        st.unbridged_s += dt
    if rt.source_rate > 0:  # share of the electrode's redox rate that transport carried away
        st.supply_weight += dt
        st.supply_sum += dt * min(1.0, st.source_rate / rt.source_rate)
    # nucleation
    st.hazard += rt.nucleation * dt
    fire = np.nonzero((st.hazard >= st.threshold) & (rt.nucleation > 0))[0]
    if rt.ie_nucleation > 0:
        st.ie_hazard += rt.ie_nucleation * dt
        if st.ie_hazard >= st.ie_threshold:
            st.nucleate_on_ie(int(rt.free_cells[-1]))
    st.t += dt
    if fire.size:
        st.nucleate(fire.tolist())
    k_s = sintering_rate_per_s(st.temperature_K, p.sintering_attempt_rate_per_s, p.sintering_activation_eV)
    st.sintering = 1.0 - (1.0 - st.sintering) * math.exp(-k_s * dt)
    st.merge_and_attach()
    st.absorb_covered_ions()
    covered_after = st.covered_cells()
    st.void |= covered_before & ~covered_after & (st.centres < st.ie_tip_m)
    # Joule heating
    target = joule_temperature_K(rt.power_W, p.temperature_K, p.thermal_resistance_K_per_W,
                                 p.max_temperature_rise_K)
    st.temperature_K = relax_temperature_K(st.temperature_K, target, dt, p.thermal_time_constant_s)
    return ion_change
