"""Metal presets Ag, Cu, Ni, Pt for the chain simulator, with their sources.

Status words as in docs/PARAMETERS.md: *seen* (read in the cited source),
*recalled* (widely quoted, not re-read), *derived* (computed from other
rows), *chosen* (nothing found: chosen so that the simulator reproduces the
seed paper's observations; the observation it is tuned to is named).

==========================  ======================================================
quantity                    source
==========================  ======================================================
ion charge z                recalled (Ag+, Cu+ in SiO2; Ni2+, Pt2+)
atomic volume Omega         derived from handbook density and molar mass
resistivity                 Ag: seen, Liu et al., Nanotechnology 19, 085711
                            (2008), 11.9-19.9 uOhm cm for 20-80 nm wires;
                            Cu, Ni, Pt: recalled bulk x ~8 (same size effect
                            assumed) -- chosen
Fermi wavevector k_F        recalled, free-electron values (Ashcroft & Mermin);
                            Ni, Pt: chosen 1.0e10 1/m (not free-electron metals)
transfer coefficient        Ag: recalled 0.3 (Menzel et al., PCCP 15, 6945
                            (2013)); others chosen
redox activation            Ag: recalled 0.6 eV (Menzel 2013); others chosen
exchange rate Gamma_0       chosen: the field that dissolves a 5 nm cluster in
                            minutes is < 1 MV/cm for Ag, slightly higher for Cu,
                            3-5 MV/cm for Ni and Pt (seed paper, Fig. 2h).
                            Menzel's j0 = 3.2e5 A/m^2 is for a solid
                            electrolyte, ~10^7 x too fast for dense SiO2.
mobility mu (300 K)         chosen within PARAMETERS.md's 0.6-1.0 eV window
                            (2e-15 ... 4e-22 m^2/Vs): Ag first clusters near
                            the AE after minutes at 3 V / 40 nm (Fig. 4);
                            Ni, Pt slower (larger, more charged ions).
hopping activation          chosen 0.8 eV (dense SiO2, PARAMETERS.md window)
hop distance a              recalled 0.25 nm (Menzel 2012)
nucleation N_c, nu          recalled N_c = 3, t0 = 2e-8 s -> nu = 5e7 1/s
                            (Menzel 2013)
pole growth fraction        chosen: Ag, Cu 0 (fast surface diffusion keeps
                            clusters round); Ni, Pt 1 (refractory, low surface
                            mobility: a deposit stays on the pole it landed
                            on -- Ni grows back towards its source, Fig. 2i-l)
==========================  ======================================================
"""

from __future__ import annotations

from memcompact.chain.params import ChainParams, validate
from memcompact.errors import ParameterError

#: Metal-specific fields of each preset.
METAL_PRESETS = {
    "Ag": dict(
        ion_charge=1, atomic_volume_m3=1.71e-29, resistivity_Ohm_m=1.6e-7,
        fermi_wavevector_per_m=1.20e10, exchange_rate_per_m2_s=6e17, transfer_coefficient=0.3,
        redox_activation_eV=0.6, mobility_m2_per_Vs=4e-17, hopping_activation_eV=0.8,
    ),
    "Cu": dict(
        ion_charge=1, atomic_volume_m3=1.18e-29, resistivity_Ohm_m=1.7e-7,
        fermi_wavevector_per_m=1.36e10, exchange_rate_per_m2_s=1e17, transfer_coefficient=0.3,
        redox_activation_eV=0.65, mobility_m2_per_Vs=3e-17, hopping_activation_eV=0.85,
    ),
    "Ni": dict(
        ion_charge=2, atomic_volume_m3=1.09e-29, resistivity_Ohm_m=5.6e-7,
        fermi_wavevector_per_m=1.0e10, exchange_rate_per_m2_s=2e12, transfer_coefficient=0.3,
        redox_activation_eV=0.9, mobility_m2_per_Vs=1e-18, hopping_activation_eV=1.0,
        pole_growth_fraction=1.0,
    ),
    "Pt": dict(
        ion_charge=2, atomic_volume_m3=1.51e-29, resistivity_Ohm_m=8.5e-7,
        fermi_wavevector_per_m=1.0e10, exchange_rate_per_m2_s=4e11, transfer_coefficient=0.3,
        redox_activation_eV=1.0, mobility_m2_per_Vs=1e-18, hopping_activation_eV=1.1,
        pole_growth_fraction=1.0,
    ),
}

METALS = tuple(METAL_PRESETS)


def preset(metal="Ag", **overrides):
    """Parameters for ``metal`` (Ag, Cu, Ni or Pt), with optional overrides.

    Parameters
    ----------
    metal : str
        One of :data:`METALS` (case-insensitive).
    **overrides
        Any :class:`~memcompact.chain.params.ChainParams` field, e.g.
        ``thickness_m=20e-9`` [m] or ``mobility_scale=100`` [-].

    Returns
    -------
    ChainParams
        Validated parameters.

    Raises
    ------
    ParameterError
        Unknown metal, unknown field or a value out of bounds.
    """
    key = {m.lower(): m for m in METALS}.get(str(metal).lower())
    if key is None:
        raise ParameterError("metal", f"unknown metal {metal!r} (known: {', '.join(METALS)})")
    base = validate(ChainParams(metal=key, **METAL_PRESETS[key]))
    return base.replace(**overrides) if overrides else base
