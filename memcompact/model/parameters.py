"""The compact model's parameter table: the one place parameters are defined.

Each row gives name, unit, default (the Ag/SiO2 preset), bounds, a one-line
meaning and the source of the default. The table drives validation of cards,
the lmfit ``Parameters`` of the fitter, the Verilog-A declarations and the
ngspice subcircuit, and the parameter table in ``docs/``.

Sources: PARAMETERS.md gathers the literature values (Menzel et al., PCCP 15,
6945 (2013), doi:10.1039/C3CP50738F; the seed paper, Nat. Commun. 5, 4232
(2014)). "chosen" marks a value picked to reproduce the seed paper's Ag/SiO2
observations (formation after ~100 s at 3 V in 40 nm SiO2, depletion drop,
> 1 mA ECM jump) where no measurement was found; see docs/model.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from memcompact.errors import ParameterError


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes
    ----------
    name : str
        snake_case name, the same in Python, cards, lmfit and Verilog-A.
    unit : str
        SI unit ("1" for dimensionless).
    default : float
        Ag/SiO2 preset value.
    lower, upper : float
        Inclusive bounds; the model is finite everywhere inside them.
    description : str
        One-line meaning.
    source : str
        Where the default comes from.
    log_scale : bool
        True when the parameter spans decades (fitted in log space, sampled
        log-uniformly in property tests).
    """

    name: str
    unit: str
    default: float
    lower: float
    upper: float
    description: str
    source: str
    log_scale: bool = False


P = Parameter
PARAMETERS = (
    # --- geometry and environment
    P("thickness_m", "m", 40e-9, 5e-9, 100e-9, "dielectric film thickness L",
      "seed paper, Fig. 4 (40 nm evaporated SiO2)"),
    P("temperature_K", "K", 300.0, 200.0, 1000.0, "ambient temperature",
      "room temperature"),
    P("ion_charge", "1", 1.0, 1.0, 3.0, "ion charge number z (Ag+: 1)",
      "PARAMETERS.md (recalled)"),
    # --- nucleation, eq. (1) condensed into a rate
    P("nucleation_time_s", "s", 2e-8, 1e-14, 1e2, "nucleation prefactor t0",
      "Menzel 2013 (recalled, 2e-8 s)", log_scale=True),
    P("nucleation_barrier_eV", "eV", 1.365, 0.2, 3.0,
      "nucleation barrier at zero bias, Phi(N_c) + N_c*eps of eq. (1)",
      "chosen: Menzel's 0.8 eV plus N_c*eps ~ 0.6 eV strain in dense SiO2; gives ~100 s at 3 V"),
    P("nucleus_atoms", "1", 3.0, 1.0, 20.0, "atoms in the critical nucleus N_c",
      "Menzel 2013 (recalled)"),
    P("nucleation_alpha", "1", 0.5, 0.05, 0.95, "transfer coefficient of nucleation",
      "Menzel 2013 (recalled)"),
    P("nucleation_voltage_fraction", "1", 0.18, 0.001, 1.0,
      "share of the device voltage dropping at the nucleation site (delta phi / V)",
      "chosen: ~4.5 decades of delay per volt (Jo 2009: 2.8 dec/V in a-Si)"),
    # --- filament growth: Butler-Volmer deposition, hopping transport
    P("growth_velocity_m_per_s", "m/s", 2.5e3, 1e-6, 1e6,
      "largest velocity of the filament tip (a*nu0, barrier gone)", "Menzel 2012: a = 0.25 nm, nu0 = 1e13 Hz",
      log_scale=True),
    P("growth_activation_eV", "eV", 1.495, 0.05, 3.0,
      "activation energy of deposition at the tip in the film (electron transfer and ion release)",
      "chosen: ~100 s formation at 3 V; Menzel 2013 gives 0.6 eV for the electron transfer alone"),
    P("transfer_coefficient", "1", 0.3, 0.05, 0.95, "charge-transfer coefficient alpha",
      "Menzel 2013 (recalled, 0.3)"),
    P("growth_voltage_fraction", "1", 0.9, 0.001, 1.0,
      "share of the device voltage driving deposition at the tip (overpotential / V)", "chosen"),
    P("hop_velocity_m_per_s", "m/s", 2.5e3, 1e-6, 1e6,
      "ion hopping velocity prefactor a*nu0", "Menzel 2012: a = 0.25 nm, nu0 = 1e13 Hz", log_scale=True),
    P("hop_activation_eV", "eV", 0.5, 0.05, 2.0, "ion hopping activation energy along the filament path",
      "chosen: between 0.32 eV (fast ion conductor) and 0.6-1.0 eV (dense SiO2, PARAMETERS.md): "
      "voids along the path ease ion transport (seed paper, Fig. 4d-e)"),
    P("hop_distance_m", "m", 0.25e-9, 0.05e-9, 2e-9, "ion hopping distance a",
      "Menzel 2012 (recalled)"),
    # --- filament thickening (ECM mode)
    P("radial_velocity_m_per_s", "m/s", 0.003, 1e-20, 1e6,
      "Butler-Volmer prefactor of lateral filament growth", "chosen", log_scale=True),
    P("radial_activation_eV", "eV", 0.9, 0.05, 2.0,
      "activation energy of lateral growth (ion supply to the filament flank)", "chosen"),
    P("radial_voltage_fraction", "1", 0.5, 0.0, 1.0,
      "share of the tip-gap voltage driving lateral deposition (overpotential / V)",
      "chosen: growth stops when the device resistance nears the series resistance"),
    P("radius_initial_m", "m", 1e-9, 0.2e-9, 10e-9, "filament radius at formation",
      "chosen: 1-2 nm clusters near the tip, seed paper Fig. 4"),
    P("radius_growth_m", "m", 1e-9, 0.0, 20e-9,
      "lateral growth of the cool filament after formation (radius_initial + this)",
      "chosen: consumption that depletes a 30-40 nm device, seed paper Fig. 5"),
    P("ecm_temperature_K", "K", 450.0, 250.0, 1500.0,
      "filament temperature above which ions reach the IE: conventional ECM growth",
      "chosen: seed paper Fig. 6, transition driven by Joule heating"),
    P("radius_ecm_growth_m", "m", 13e-9, 0.0, 100e-9,
      "further lateral growth in ECM mode (largest radius = initial + growth + this)",
      "seed paper Fig. 6i (tens of nm wide base)"),
    # --- electrode reservoir, depletion and refill
    P("reservoir_m3", "m^3", 2.5e-25, 1e-27, 1e-15,
      "metal volume of the active electrode at the interface (1e-15: infinite)",
      "chosen: 30-40 nm device, seed paper Fig. 5 and Suppl. Fig. 2", log_scale=True),
    P("reservoir_critical", "1", 0.2, 0.01, 0.9, "reservoir fraction at which the AE contact breaks",
      "chosen"),
    P("reservoir_width", "1", 0.01, 0.005, 0.3, "smoothness of the contact break", "chosen"),
    P("contact_gap_max_m", "m", 4e-9, 0.1e-9, 10e-9, "nanogap opened at the AE by depletion",
      "seed paper Fig. 5e-f (a few nm)"),
    P("refill_rate_per_Vs", "1/(V s)", 0.01, 0.0, 1e3,
      "field-driven surface-diffusion refill rate per volt of positive bias, at 300 K",
      "chosen: refill within tens of s, seed paper Fig. 5h-i"),
    P("refill_activation_eV", "eV", 0.4, 0.0, 2.0, "activation energy of Ag surface diffusion",
      "chosen (Ag surface diffusion 0.1-0.5 eV)"),
    # --- electron transport
    P("tunnel_resistance_ohm", "Ohm", 5e4, 1e2, 1e9,
      "tunnelling resistance at the smallest gap for a 1 nm radius filament", "chosen", log_scale=True),
    P("tunnel_decay_m", "m", 0.434e-9, 0.1e-9, 2e-9, "tunnelling decay length (1/ln10 nm: 1 decade/nm)",
      "PARAMETERS.md (0.023 m_e, 2 eV barrier)"),
    P("gap_min_m", "m", 0.3e-9, 0.05e-9, 2e-9, "smallest tunnelling gap (touching filament)", "chosen"),
    P("contact_resistance_ohm", "Ohm", 100.0, 0.0, 1e6, "AE contact resistance for a 1 nm radius",
      "chosen"),
    P("filament_resistivity_ohm_m", "Ohm m", 1.5e-7, 1e-8, 1e-3, "resistivity of the metal filament",
      "Liu et al., Nanotechnology 19, 085711 (2008): 11.9-19.9 uOhm cm", log_scale=True),
    P("leakage_conductance_S", "S", 1e-13, 1e-18, 1e-6, "leakage through the film (HRS floor)",
      "chosen", log_scale=True),
    # --- heating
    P("thermal_resistance_K_per_W", "K/W", 5e4, 1e2, 1e8, "thermal resistance of the filament",
      "PARAMETERS.md: 1e5-1e7 K/W", log_scale=True),
    P("heating_max_K", "K", 1000.0, 10.0, 3000.0,
      "soft cap on the filament temperature rise (melting, heat spreading)", "chosen"),
    # --- numerics of the smooth windows
    P("window_m", "m", 0.02e-9, 0.005e-9, 0.5e-9, "width of the smooth state windows at the bounds",
      "numerical choice"),
)
del P

#: Parameters by name.
PARAMETER_TABLE = {p.name: p for p in PARAMETERS}


def default_params():
    """Return the default (Ag/SiO2) parameters as a new dict {name: value}."""
    return {p.name: p.default for p in PARAMETERS}


def validate_params(params, require_all=True):
    """Check parameter names and values against the table.

    Parameters
    ----------
    params : mapping
        {name: value}; values may be scalars or arrays (per device).
    require_all : bool
        True: every table parameter must be present.

    Raises
    ------
    ParameterError
        Unknown name (the message lists the allowed ones), missing name,
        non-finite value or value outside the bounds.
    """
    for name, value in params.items():
        if name not in PARAMETER_TABLE:
            allowed = ", ".join(sorted(PARAMETER_TABLE))
            raise ParameterError(name, f"unknown parameter; allowed: {allowed}")
        spec = PARAMETER_TABLE[name]
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)):
            raise ParameterError(name, f"value must be finite, got {value!r}")
        if np.any(arr < spec.lower) or np.any(arr > spec.upper):
            bad = arr[(arr < spec.lower) | (arr > spec.upper)].flat[0]
            raise ParameterError(
                name, f"value {bad:g} outside bounds [{spec.lower:g}, {spec.upper:g}]"
                      + ("" if spec.unit in ("1", "") else f" {spec.unit}"))
    if require_all:
        missing = [p.name for p in PARAMETERS if p.name not in params]
        if missing:
            raise ParameterError(missing[0], "missing (card gives no value)")


def complete_params(params=None, **overrides):
    """Defaults updated with ``params`` and ``overrides``, validated.

    Parameters
    ----------
    params : mapping, optional
        Values replacing the defaults (scalars or per-device arrays).
    **overrides
        More values, by name.

    Returns
    -------
    dict
    """
    full = default_params()
    for source in (params or {}), overrides:
        for name, value in source.items():
            if name not in PARAMETER_TABLE:
                validate_params({name: value}, require_all=False)
            full[name] = value
    validate_params(full)
    return full


def draw_params(n_devices, seed=0):
    """``n_devices`` parameter dicts drawn across the table's bounds (seeded).

    Log-uniform where the table says ``log_scale`` (and the lower bound is
    positive), uniform otherwise; one generator draws every parameter of a
    device in table order, device after device, so device k is the same for
    any ``n_devices > k``. For surveys and property tests over the whole table.
    """
    rng = np.random.default_rng(seed)
    devices = []
    for _ in range(n_devices):
        devices.append({p.name: float(10 ** rng.uniform(np.log10(p.lower), np.log10(p.upper)))
                        if p.log_scale and p.lower > 0 else float(rng.uniform(p.lower, p.upper))
                        for p in PARAMETERS})
    return devices


def parameter_table_markdown():
    """The parameter table as Markdown (for docs/)."""
    lines = ["| name | unit | default | bounds | meaning | source |", "| --- | --- | --- | --- | --- | --- |"]
    for p in PARAMETERS:
        lines.append(f"| `{p.name}` | {p.unit} | {p.default:g} | [{p.lower:g}, {p.upper:g}] | "
                     f"{p.description} | {p.source} |")
    return "\n".join(lines) + "\n"


def _check_table():
    for p in PARAMETERS:
        if not (p.lower <= p.default <= p.upper) or not all(map(math.isfinite, (p.lower, p.upper))):
            raise AssertionError(f"parameter table: bad bounds for {p.name}")


_check_table()
