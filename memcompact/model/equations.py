"""The compact model's equations: the one definition every backend is made from.

The cluster chain (:mod:`memcompact.chain`) condenses into four state
variables, each with a physical meaning, plus the filament temperature as a
quasi-static (algebraic) variable:

=============  ====  ==========================================================
state          unit  meaning (chain physics it condenses)
=============  ====  ==========================================================
nucleation     1     progress towards the first stable nucleus: 1 = nucleated
                     (eq. 1, stochastic nucleation near the AE)
gap_nm         nm    distance the filament front still has to bridge to the IE
                     (cluster splitting-merging, eqs. 2-3, or ECM growth)
radius_nm      nm    radius of the conducting filament (ECM thickening)
reservoir      1     share of the AE interface metal left (depletion / refill)
=============  ====  ==========================================================

The temperature's time constant is sub-nanosecond, many decades below the
ionic time scales, so it follows the Joule power instantly:
``T = T_amb + dT_max * tanh(R_th * P / dT_max)``. This removes a needlessly
stiff state and keeps the model C1 (see docs/model.md).

Variables available in the expressions: ``V`` (voltage across the device,
active electrode minus inert electrode [V]), the states, every parameter of
:mod:`memcompact.model.parameters` and the :data:`CONSTANTS`. Expressions use
the smooth language of :mod:`memcompact.model.expr`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Physical constants used by the equations.
CONSTANTS = {
    "boltzmann_eV_per_K": 8.617333262e-5,  # k_B [eV/K], CODATA 2018
    "pi": math.pi,
}


@dataclass(frozen=True)
class State:
    """A state variable: name, unit, bounds and initial value (expressions of parameters)."""

    name: str
    unit: str
    lower: str
    upper: str
    initial: str
    atol: float
    description: str


@dataclass(frozen=True)
class Equation:
    """A named intermediate quantity: ``name = expression`` [unit]."""

    name: str
    expression: str
    unit: str
    description: str


STATES = (
    State("nucleation", "1", "0", "1.1", "0", 2e-3,
          "nucleation progress: time integral of the nucleation rate; 1 = stable nucleus"),
    State("gap_nm", "nm", "gap_min_m*1e9", "thickness_m*1e9", "thickness_m*1e9", 2e-3,
          "tunnelling gap between filament front and inert electrode"),
    State("radius_nm", "nm", "radius_initial_m*1e9",
          "(radius_initial_m + radius_growth_m + radius_ecm_growth_m)*1e9", "radius_initial_m*1e9", 2e-3,
          "filament radius"),
    State("reservoir", "1", "0", "1", "1", 2e-3,
          "share of the active-electrode interface metal left"),
)

E = Equation
#: Intermediate quantities in evaluation order. Those before ``conductance_S``
#: depend on the states only (never on ``V``), so a series resistor can be
#: solved exactly: ``V = V_applied / (1 + conductance_S * R_series)``.
EQUATIONS = (
    # ---- geometry in nm (states are in nm to keep them O(1) for solvers)
    E("thickness_nm", "thickness_m*1e9", "nm", "film thickness"),
    E("gap_min_nm", "gap_min_m*1e9", "nm", "smallest gap"),
    E("window_nm", "window_m*1e9", "nm", "width of the smooth windows"),
    E("decay_nm", "tunnel_decay_m*1e9", "nm", "tunnelling decay length"),
    E("radius_lo_nm", "radius_initial_m*1e9", "nm", "smallest filament radius"),
    E("radius_hi_nm", "(radius_initial_m + radius_growth_m + radius_ecm_growth_m)*1e9", "nm",
      "largest filament radius (ECM wire)"),
    E("radius_sat_nm", "radius_initial_m*1e9 + radius_growth_m*1e9", "nm",
      "largest radius of the cool, cluster-built filament"),
    E("gap_eff_nm", "gap_min_nm + window_nm*softplus((gap_nm - gap_min_nm)/window_nm)", "nm",
      "gap kept smoothly above gap_min"),
    E("radius_eff_nm", "radius_lo_nm + window_nm*softplus((radius_nm - radius_lo_nm)/window_nm)", "nm",
      "radius kept smoothly above its floor"),
    E("length_nm", "window_nm*softplus((thickness_nm - gap_eff_nm)/window_nm)", "nm",
      "metallic filament length"),
    E("area_ratio", "radius_eff_nm**2", "1", "filament cross-section relative to a 1 nm radius"),
    # ---- electron transport (states only)
    E("g_tunnel_S", "area_ratio*exp(-(gap_eff_nm - gap_min_nm)/decay_nm)/tunnel_resistance_ohm", "S",
      "tunnelling conductance of the remaining gap"),
    E("contact_gap_nm", "contact_gap_max_m*1e9*sigmoid((reservoir_critical - reservoir)/reservoir_width)",
      "nm", "nanogap opened at the AE by depletion"),
    E("r_contact_ohm",
      "(contact_resistance_ohm + tunnel_resistance_ohm*(exp(contact_gap_nm/decay_nm) - 1))/area_ratio",
      "Ohm", "AE contact: metallic, or tunnelling across the depletion gap"),
    E("r_body_ohm", "filament_resistivity_ohm_m*length_nm*1e-9/(pi*(radius_eff_nm*1e-9)**2)", "Ohm",
      "resistance of the metallic filament body"),
    E("g_filament_S", "g_tunnel_S/(1 + g_tunnel_S*(r_contact_ohm + r_body_ohm))", "S",
      "gap, body and contact in series"),
    E("conductance_S", "g_filament_S + leakage_conductance_S", "S", "device conductance"),
    E("tip_share", "1/(1 + g_tunnel_S*(r_contact_ohm + r_body_ohm))", "1",
      "share of the device voltage across the tip gap (the rest drops at contact and body)"),
    # ---- Joule heating (quasi-static) and Arrhenius factors
    E("heating_K", "heating_max_K*tanh(thermal_resistance_K_per_W*V*V*g_filament_S/heating_max_K)", "K",
      "filament temperature rise from Joule power"),
    E("temp_K", "temperature_K + heating_K", "K", "filament temperature"),
    E("inv_kT", "1/(boltzmann_eV_per_K*temp_K)", "1/eV", "1/(k_B T)"),
    E("inv_kT_ambient", "1/(boltzmann_eV_per_K*temperature_K)", "1/eV", "1/(k_B T_ambient)"),
    E("forward_bias", "sigmoid(V/0.01)", "1", "smooth sign of V: 1 for V > 0, 0 for V < 0"),
    E("supply", "sigmoid(reservoir/0.002 - 5)", "1",
      "ion supply to the film from the AE (0 only when the interface metal is used up)"),
    E("contact", "sigmoid((reservoir - reservoir_critical)/reservoir_width)", "1",
      "1 while the AE is in contact with the filament, 0 once depletion broke it"),
    # ---- nucleation (eq. 1): rate ~ exp(-(dG0 - alpha N_c z e dphi)/kT) / t0
    E("nucleation_drive_eV", "nucleus_atoms*ion_charge*nucleation_voltage_fraction*V", "eV",
      "N_c z e dphi of eq. (1), dphi = share of V at the nucleation site"),
    E("nucleation_forward_per_s",
      "exp(-barrier(nucleation_barrier_eV - nucleation_alpha*nucleation_drive_eV)*inv_kT)/nucleation_time_s",
      "1/s", "rate of nucleus formation, at most 1/t0"),
    E("nucleation_backward_per_s",
      "exp(-barrier(nucleation_barrier_eV + (1 - nucleation_alpha)*nucleation_drive_eV)*inv_kT)/nucleation_time_s",
      "1/s", "rate of nucleus dissolution"),
    E("nucleated", "sigmoid((nucleation - 1)/0.02)", "1", "1 once a stable nucleus exists"),
    # ---- filament front: Butler-Volmer deposition limited by ion hopping
    E("tip_drive_eV", "ion_charge*growth_voltage_fraction*V*tip_share", "eV",
      "z e eta at the filament tip (overpotential: a share of the voltage across the tip gap)"),

    E("grow_gate", "nucleated*supply", "1", "growth needs a nucleus and ion supply from the AE"),
    E("grow_window", "tanh((gap_nm - gap_min_nm)/window_nm)", "1",
      "room to grow: 0 at gap_min, < 0 below it"),
    E("dissolve_window", "tanh((thickness_nm - gap_nm)/window_nm)", "1",
      "filament left to dissolve: 0 when it is gone (gap = thickness), < 0 beyond"),
    E("v_reduce_nm_s",
      "1e9*growth_velocity_m_per_s*exp(-barrier(growth_activation_eV - transfer_coefficient*tip_drive_eV)*inv_kT)",
      "nm/s", "Butler-Volmer reduction branch at the tip (Gamma_red of eq. 2) as a front velocity"),
    E("v_oxidise_nm_s",
      "1e9*growth_velocity_m_per_s*exp(-barrier(growth_activation_eV + (1 - transfer_coefficient)*tip_drive_eV)*inv_kT)",
      "nm/s", "Butler-Volmer oxidation branch at the tip (Gamma_ox of eq. 2) as a front velocity"),
    E("v_redox_nm_s", "v_reduce_nm_s - v_oxidise_nm_s", "nm/s",
      "Butler-Volmer front velocity (reduction minus oxidation) if deposition limited"),
    E("hop_work_eV", "ion_charge*hop_distance_m*1e9*V*tip_share/(2*gap_eff_nm)", "eV",
      "z e a E / 2 with the field E = V_tip / gap"),
    E("v_hop_nm_s",
      "1e9*hop_velocity_m_per_s*(exp(-barrier(hop_activation_eV - hop_work_eV)*inv_kT)"
      " - exp(-barrier(hop_activation_eV + hop_work_eV)*inv_kT))", "nm/s",
      "ion drift velocity by field-assisted hopping, at most a*nu0"),
    E("v_hop_floor_nm_s", "1e-3*1e9*hop_velocity_m_per_s*exp(-hop_activation_eV*inv_kT)", "nm/s",
      "a thousandth of the zero-field hopping velocity (keeps the series limit smooth at V = 0)"),
    E("transport_share",
      "1/(1 + sqrt(v_redox_nm_s**2 + v_hop_floor_nm_s**2)/sqrt(v_hop_nm_s**2 + v_hop_floor_nm_s**2))", "1",
      "deposition and ion transport in series: the share of the redox velocity that hopping lets through"),
    E("front_reduce_window",
      "grow_gate*(forward_bias*grow_window + (1 - forward_bias)*tanh((gap_nm - gap_min_nm)/window_nm + 4))", "1",
      "window of the reduction branch: stops it at gap_min (guard 4 windows below gap_min where V < 0)"),
    E("front_oxidise_window",
      "forward_bias*grow_gate*tanh((thickness_nm - gap_nm)/window_nm + 4) + (1 - forward_bias)*dissolve_window",
      "1", "window of the oxidation branch: stops it when the filament is gone (guard 4 windows past it"
      " where V > 0)"),
    E("v_front_nm_s",
      "transport_share*(v_reduce_nm_s*front_reduce_window - v_oxidise_nm_s*front_oxidise_window)", "nm/s",
      "front velocity (> 0: growth), deposition and transport in series, each Butler-Volmer branch"
      " within its window"),
    # ---- lateral growth (ECM thickening), thermally activated
    E("formed", "sigmoid((gap_min_nm + 1 - gap_nm)/0.1)", "1", "1 once the front is within ~1 nm of the IE"),
    E("ecm_mode", "sigmoid((temp_K - ecm_temperature_K)/25)", "1",
      "1 once the filament is hot enough for conventional ECM growth (ions reach the IE)"),
    E("radius_top_nm", "radius_sat_nm + (radius_hi_nm - radius_sat_nm)*ecm_mode", "nm",
      "radius the filament can reach: a thin bootstrapped filament when cool, a thick ECM wire when hot"),
    E("radial_gate", "formed*supply*sigmoid((radius_top_nm - radius_nm)/window_nm - 4)", "1",
      "lateral growth needs a formed filament, ion supply, and a radius below what the heat allows"),
    E("flank_drive_eV", "ion_charge*radial_voltage_fraction*V", "eV",
      "z e eta at the filament flank"),
    E("v_flank_reduce_nm_s",
      "1e9*radial_velocity_m_per_s*exp(-barrier(radial_activation_eV - transfer_coefficient*flank_drive_eV)*inv_kT)",
      "nm/s", "Butler-Volmer reduction branch at the filament flank"),
    E("v_flank_oxidise_nm_s",
      "1e9*radial_velocity_m_per_s*exp(-barrier(radial_activation_eV + (1 - transfer_coefficient)*flank_drive_eV)"
      "*inv_kT)", "nm/s", "Butler-Volmer oxidation branch at the filament flank"),
    E("flank_net_nm_s", "v_flank_reduce_nm_s - v_flank_oxidise_nm_s", "nm/s",
      "net Butler-Volmer rate at the flank, red - ox: > 0 deposits, < 0 dissolves"),
    E("flank_exchange_nm_s", "v_flank_reduce_nm_s + v_flank_oxidise_nm_s", "nm/s",
      "both Butler-Volmer branches at the flank, red + ox"),
    E("flank_deposit_nm_s",
      "max(flank_net_nm_s, 0)**2/(max(flank_net_nm_s, 0) + 0.01*flank_exchange_nm_s + 1e-300)", "nm/s",
      "net lateral deposition rate, red - ox where positive; C1 at zero: (red + ox) s^2/(s + 0.01) of the net"
      " direction s = (red - ox)/(red + ox), written so that each branch appears three times"),
    E("flank_dissolve_nm_s",
      "max(-flank_net_nm_s, 0)**2/(max(-flank_net_nm_s, 0) + 0.01*flank_exchange_nm_s + 1e-300)", "nm/s",
      "net lateral dissolution rate, ox - red where positive (the exchange itself moves no metal)"),
    E("radial_reduce_window", "radial_gate*tanh((radius_hi_nm - radius_nm)/window_nm)", "1",
      "window of lateral deposition: stops it at the largest radius and at what the heat allows"),
    E("radial_oxidise_window", "tanh((radius_nm - radius_lo_nm)/window_nm)", "1",
      "window of lateral dissolution: stops it at the smallest radius"),
    E("v_radial_nm_s", "flank_deposit_nm_s*radial_reduce_window - flank_dissolve_nm_s*radial_oxidise_window",
      "nm/s", "lateral growth rate: the net Butler-Volmer rate at the filament flank, within its window"
      " (a wire wider than the heat allows neither grows nor dissolves under forward bias: it is retained)"),
    # ---- metal balance of the AE reservoir
    E("filament_growth_m3_s",
      "pi*(radius_eff_nm*1e-9)**2*v_front_nm_s*1e-9 + 2*pi*radius_eff_nm*1e-9*length_nm*1e-9*v_radial_nm_s*1e-9",
      "m^3/s", "metal volume taken from (> 0) or returned to (< 0) the AE"),
    E("reservoir_take_window", "forward_bias*tanh(reservoir/0.002) + (1 - forward_bias)*tanh(reservoir/0.002 + 4)",
      "1", "reduction stops taking metal from an empty reservoir (guard 4 widths below empty where V < 0)"),
    E("reservoir_return_window",
      "forward_bias*tanh((1 - reservoir)/0.002 + 4) + (1 - forward_bias)*tanh((1 - reservoir)/0.002)", "1",
      "oxidation stops returning metal to a full reservoir, the excess goes to the bulk electrode"
      " (guard 4 widths past full where V > 0)"),
    E("reservoir_take_per_s",
      "(pi*(radius_eff_nm*1e-9)**2*1e-9*transport_share*v_reduce_nm_s*front_reduce_window"
      " + 2*pi*radius_eff_nm*1e-9*length_nm*1e-18*flank_deposit_nm_s*radial_reduce_window)"
      "*reservoir_take_window/reservoir_m3", "1/s",
      "share of the AE reservoir taken per second by reduction at the tip and the flank, within the take window"),
    E("reservoir_return_per_s",
      "(pi*(radius_eff_nm*1e-9)**2*1e-9*transport_share*v_oxidise_nm_s*front_oxidise_window"
      " + 2*pi*radius_eff_nm*1e-9*length_nm*1e-18*flank_dissolve_nm_s*radial_oxidise_window)"
      "*reservoir_return_window/reservoir_m3", "1/s",
      "share of the AE reservoir returned per second by oxidation at the tip and the flank, within the return"
      " window"),
    E("refill_per_s",
      "refill_rate_per_Vs*exp(refill_activation_eV*(1/(boltzmann_eV_per_K*300) - inv_kT_ambient))*0.05*softplus(V/0.05)"
      "*(1 - reservoir)", "1/s",
      "field-driven surface diffusion refills the AE interface under positive bias (seed paper Fig. 5h-j);"
      " Arrhenius in the ambient temperature (the bulk electrode stays near ambient)"),
)
del E

#: Time derivatives of the states [state unit / s].
DERIVATIVES = {
    "nucleation": "nucleation_forward_per_s*(1.1 - nucleation) - nucleation_backward_per_s*nucleation",
    "gap_nm": "-v_front_nm_s",
    "radius_nm": "v_radial_nm_s",
    # metal returned by oxidation minus metal taken by reduction, at the tip and the flank, each
    # within its own reservoir window (filament_growth_m3_s is the same sum without them), plus the refill
    "reservoir": "reservoir_return_per_s - reservoir_take_per_s + refill_per_s",
}

#: Current through the device from the active to the inert electrode [A].
CURRENT = "conductance_S*V"

#: Quantities reported besides the states.
OUTPUTS = ("conductance_S", "temp_K", "g_filament_S")
