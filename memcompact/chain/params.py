"""Parameters of the cluster-chain simulator: one table, units in the names.

Each field of :class:`ChainParams` carries its unit (in its name and in
``PARAMETER_TABLE``), its bounds and a one-line meaning. ``validate`` refuses
an out-of-range value with :class:`~memcompact.errors.ParameterError` naming
the parameter; nothing is clipped silently. Metal-specific values come from
:func:`memcompact.chain.presets.preset`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from memcompact.errors import ParameterError

INF = math.inf


def _p(default, unit, low, high, doc, low_open=False):
    return field(default=default, metadata=dict(unit=unit, low=low, high=high, doc=doc, low_open=low_open))


@dataclass(frozen=True)
class ChainParams:
    """All parameters of one chain simulation (SI units; see ``PARAMETER_TABLE``).

    Build one with :func:`memcompact.chain.presets.preset` (``preset("Ag")``)
    and change fields with :meth:`replace`. ``initial_clusters`` is a tuple of
    ``(x_m, radius_m, oxidation_scale)`` for clusters present at t = 0 (the
    embedded-cluster samples of Fig. 1-2); ``oxidation_scale = 0`` suppresses
    a cluster's oxidation (the downstream sphere of the Methods simulation).
    """

    metal: str = "Ag"
    # --- device and measurement loop -------------------------------------
    thickness_m: float = _p(40e-9, "m", 2e-9, 1e-6, "dielectric thickness L", low_open=True)
    column_radius_m: float = _p(2.5e-9, "m", 0.3e-9, 50e-9, "radius of the conduction column in which ions drift and clusters form")
    cell_size_m: float = _p(0.5e-9, "m", 0.1e-9, 5e-9, "grid cell of the ion-density profile")
    series_resistance_Ohm: float = _p(500.0, "Ohm", 0.0, 1e12, "series resistance of the measurement loop")
    compliance_A: float = _p(1e-4, "A", 1e-12, 10.0, "current compliance of the source")
    parallel_leakage_S: float = _p(1e-13, "S", 0.0, 1e-3, "leakage conductance of the device outside the column (HRS floor)")
    division_conductance_S_m: float = _p(2e-15, "S m", 1e-30, 1e-6, "dielectric admittance x gap sigma_d setting the field division; gaps whose tunnelling exceeds sigma_d/g are shorted")
    relative_permittivity: float = _p(3.9, "1", 1.0, 100.0, "relative permittivity of the dielectric (SiO2: 3.9)")
    temperature_K: float = _p(300.0, "K", 150.0, 900.0, "ambient temperature T_0")
    # --- metal (preset) ------------------------------------------------------
    ion_charge: int = _p(1, "1", 1, 4, "ion charge number z")
    atomic_volume_m3: float = _p(1.71e-29, "m^3", 1e-30, 1e-28, "atomic volume Omega")
    resistivity_Ohm_m: float = _p(1.6e-7, "Ohm m", 1e-9, 1e-4, "resistivity of nanoscale metal (clusters, filament)")
    fermi_wavevector_per_m: float = _p(1.2e10, "1/m", 1e9, 3e10, "Fermi wavevector k_F (Sharvin contact conductance)")
    exchange_rate_per_m2_s: float = _p(1e17, "1/(m^2 s)", 0.0, 1e30, "redox exchange rate Gamma_0 at 300 K")
    overpotential_saturation_V: float = _p(1.0, "V", 0.05, 10.0, "overpotential at which electron transfer saturates (Marcus reorganisation scale)")
    transfer_coefficient: float = _p(0.3, "1", 0.01, 0.99, "anodic charge-transfer coefficient alpha")
    redox_activation_eV: float = _p(0.6, "eV", 0.0, 3.0, "activation energy of the exchange rate")
    mobility_m2_per_Vs: float = _p(1e-17, "m^2/(V s)", 0.0, 1e-6, "ion mobility mu at 300 K")
    hopping_activation_eV: float = _p(0.8, "eV", 0.0, 3.0, "activation energy of ion hopping")
    hop_distance_m: float = _p(0.25e-9, "m", 0.05e-9, 2e-9, "hopping distance a")
    # --- knobs ---------------------------------------------------------------
    mobility_scale: float = _p(1.0, "1", 0.0, 1e12, "multiplies the preset mobility mu")
    redox_scale: float = _p(1.0, "1", 0.0, 1e12, "multiplies the preset exchange rate Gamma_0 (and nucleation attempts)")
    # --- bipolar electrodes ---------------------------------------------------
    cos_lambda: float = _p(0.0, "1", -0.99, 0.99, "cos of the angle where a cluster's polarization changes sign")
    pole_growth_fraction: float = _p(0.0, "1", 0.0, 1.0, "share of a pole deposit/dissolution that moves that pole's edge (1: the Methods' fixed outer span)")
    electrode_polarization_length_m: float = _p(5e-9, "m", 0.0, 50e-9, "length l_e giving the AE (and IE deposit) overpotential E*l_e")
    ae_oxidation_scale: float = _p(1.0, "1", 0.0, 1e6, "multiplies the AE oxidation (0: inert electrode, no ion supply)")
    # --- nucleation (eq. 1) ---------------------------------------------------
    critical_nucleus_atoms: int = _p(3, "1", 1, 50, "atoms in the critical nucleus N_c")
    nucleation_surface_eV: float = _p(0.95, "eV", 0.0, 20.0, "surface term Phi(N_c) of eq. 1")
    strain_eV_per_atom: float = _p(0.1, "eV", 0.0, 5.0, "strain energy per atom epsilon of eq. 1 (mean of the defect map)")
    defect_strain_spread: float = _p(0.5, "1", 0.0, 5.0, "relative spread of the seeded defect map of strain energies")
    ie_strain_eV_per_atom: float = _p(0.0, "eV", 0.0, 5.0, "strain energy per atom of a nucleus on the inert electrode (heterogeneous nucleation)")
    interface_strain_reduction: float = _p(0.7, "1", 0.0, 1.0, "fractional strain reduction at the AE interface (defect-rich interface layer)")
    interface_defect_depth_m: float = _p(4e-9, "m", 1e-11, 1e-6, "depth of the defect-rich layer at the AE interface")
    void_strain_factor: float = _p(0.3, "1", 0.0, 1.0, "strain term multiplier where a cluster left a void")
    void_mobility_factor: float = _p(3.0, "1", 1.0, 1e3, "ion mobility multiplier in a void channel")
    nucleation_length_m: float = _p(2.5e-9, "m", 0.0, 50e-9, "length l_n giving the voltage drop at a site, Delta phi = E*l_n")
    nucleation_exclusion_m: float = _p(0.5e-9, "m", 0.0, 20e-9, "no nucleation closer than this to a cluster or the AE (ions join it instead)")
    nucleation_attempt_rate_per_s: float = _p(5e7, "1/s", 0.0, 1e15, "attempt frequency nu of nucleation per site (1/t0)")
    nucleation_scale: float = _p(1.0, "1", 0.0, 1e12, "multiplies the nucleation rate (0: no nucleation)")
    ion_density_max_per_m3: float = _p(5e27, "1/m^3", 1e22, 1e29, "largest ion density in the dielectric (site limit)")
    neck_fraction: float = _p(0.1, "1", 0.01, 1.0, "contact radius of two touching clusters / the smaller radius")
    # --- tunnelling ------------------------------------------------------------
    barrier_eV: float = _p(2.0, "eV", 0.1, 10.0, "tunnelling barrier height")
    effective_mass_ratio: float = _p(0.023, "1", 0.001, 2.0, "tunnelling effective mass m*/m_e")
    # --- active electrode reservoir ----------------------------------------------
    reservoir_m3: float = _p(1e-20, "m^3", 0.0, 1e-12, "metal in the AE's local reservoir at the contact")
    contact_radius_m: float = _p(5e-9, "m", 0.3e-9, 1e-6, "radius of the AE/dielectric contact")
    contact_gap_max_m: float = _p(2e-9, "m", 0.1e-9, 20e-9, "width of the gap once depletion has used up the AE contact region")
    refill_velocity_m_per_s: float = _p(3e-12, "m/s", 0.0, 1.0, "surface-diffusion refill speed of the contact at 1e8 V/m and 300 K")
    refill_activation_eV: float = _p(0.4, "eV", 0.0, 3.0, "activation energy of surface diffusion")
    # --- IE deposit (conventional ECM filament) -----------------------------------
    ecm_filament_radius_m: float = _p(2.5e-9, "m", 0.3e-9, 50e-9, "radius of the solid filament growing from the IE")
    sintering_attempt_rate_per_s: float = _p(1e13, "1/s", 0.0, 1e16, "attempt frequency of the sintering of necks between touching metal")
    sintering_activation_eV: float = _p(1.5, "eV", 0.0, 10.0, "activation energy of the sintering of necks between touching metal")
    # --- heating --------------------------------------------------------------------
    thermal_resistance_K_per_W: float = _p(2e5, "K/W", 0.0, 1e9, "thermal resistance R_th of the filament region")
    thermal_time_constant_s: float = _p(1e-9, "s", 1e-15, 1.0, "thermal time constant tau_th", low_open=True)
    max_temperature_rise_K: float = _p(900.0, "K", 1.0, 3000.0, "largest temperature rise (smooth saturation)")
    # --- numerics ---------------------------------------------------------------------
    max_relative_change: float = _p(0.1, "1", 1e-4, 0.5, "largest relative change of a cluster volume per step")
    max_gap_change_m: float = _p(0.05e-9, "m", 1e-13, 1e-9, "largest change of a narrow gap per step")
    initial_clusters: tuple = ()

    def replace(self, **changes):
        """Return a copy with ``changes`` applied, validated."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            name = sorted(unknown)[0]
            raise ParameterError(name, f"unknown parameter (known: {', '.join(parameter_names())})")
        return validate(dataclasses.replace(self, **changes))

    def to_dict(self):
        """Plain-JSON dictionary of every parameter (``initial_clusters`` as lists)."""
        d = dataclasses.asdict(self)
        d["initial_clusters"] = [list(map(float, c)) for c in self.initial_clusters]
        return d


def parameter_names():
    """Names of all parameters, in table order."""
    return [f.name for f in dataclasses.fields(ChainParams)]


#: name -> (unit, low, high, meaning) for every numeric parameter.
PARAMETER_TABLE = {
    f.name: (f.metadata["unit"], f.metadata["low"], f.metadata["high"], f.metadata["doc"])
    for f in dataclasses.fields(ChainParams) if f.metadata
}


def validate(params):
    """Check every parameter; return ``params`` unchanged.

    Raises
    ------
    ParameterError
        A value that is not a finite number, or outside its bounds, naming
        the parameter, its unit and its range; a malformed
        ``initial_clusters`` entry.
    """
    for f in dataclasses.fields(params):
        value = getattr(params, f.name)
        if f.name == "metal":
            if not isinstance(value, str) or not value:
                raise ParameterError("metal", f"must be a non-empty string, got {value!r}")
            continue
        if f.name == "initial_clusters":
            _check_initial(params, value)
            continue
        meta = f.metadata
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError(f.name, f"must be a number [{meta['unit']}], got {value!r}")
        if not math.isfinite(value):
            raise ParameterError(f.name, f"must be finite [{meta['unit']}], got {value!r}")
        low, high = meta["low"], meta["high"]
        below = value <= low if meta["low_open"] else value < low
        if below or value > high:
            bracket = "(" if meta["low_open"] else "["
            raise ParameterError(f.name, f"{value!r} {meta['unit']} is outside {bracket}{low:g}, {high:g}]")
        if f.type in ("int", int) and int(value) != value:
            raise ParameterError(f.name, f"must be an integer, got {value!r}")
    return params


def _check_initial(params, clusters):
    if not isinstance(clusters, tuple):
        raise ParameterError("initial_clusters", "must be a tuple of (x_m, radius_m, oxidation_scale)")
    last_hi = 0.0
    for k, c in enumerate(clusters):
        if len(c) != 3 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in c):
            raise ParameterError("initial_clusters", f"entry {k} must be 3 finite numbers (x_m, radius_m, oxidation_scale)")
        x, r, s = c
        if r <= 0 or s < 0:
            raise ParameterError("initial_clusters", f"entry {k}: radius must be > 0 and oxidation_scale >= 0")
        if x - r < last_hi or x + r > params.thickness_m:
            raise ParameterError("initial_clusters", f"entry {k}: must lie inside the film, sorted, not overlapping")
        last_hi = x + r
