"""The active electrode (AE) as a finite metal reservoir (seed paper, Fig. 5).

Oxidation at the AE/dielectric interface consumes the metal there. When the
local reservoir is used up, the interface recedes and opens a nano-gap at the
contact: the current drops (Fig. 5a, e-f). Under continued positive bias the
high field in that nano-gap drives surface diffusion of metal from the bulk
electrode into the gap, which refills it (Fig. 5h-j).
"""

from __future__ import annotations

import math

from memcompact.chain.kinetics import arrhenius_factor


def contact_recess_m(reservoir_left_m3, contact_radius_m, max_gap_m):
    r"""Width of the gap opened at the AE contact by depletion [m].

    While the local reservoir holds metal the contact is closed. A deficit
    D (metal taken beyond the reservoir) opens the contact over its area
    pi a^2, saturating at the width where the contact region is used up:

    .. math:: g_c = g_{max}\left[1 - \exp\left(-\frac{D}{\pi a^2 g_{max}}\right)\right]

    Parameters
    ----------
    reservoir_left_m3 : float
        Metal left in the local reservoir [m^3]; negative = deficit D.
    contact_radius_m : float
        Radius a of the AE/dielectric contact [m].
    max_gap_m : float
        Width g_max at which the contact region is used up [m].
    """
    deficit = max(0.0, -reservoir_left_m3)
    return max_gap_m * -math.expm1(-deficit / (math.pi * contact_radius_m ** 2 * max_gap_m))


def contact_supply_factor(recess_m, max_gap_m):
    """Fraction of the AE's oxidation still supplied by the depleted contact region [-].

    1 with the contact intact, falling to 0 as the gap opens to ``max_gap_m``:
    the metal at the interface is used up and the bulk electrode behind the
    open gap is screened (seed paper, Fig. 5e-f).

    Parameters
    ----------
    recess_m : float
        Width of the opened contact gap [m].
    max_gap_m : float
        Width at which the contact region is used up [m].
    """
    return max(0.0, 1.0 - recess_m / max_gap_m) ** 2


def surface_refill_rate_m3_per_s(field_V_per_m, temperature_K, contact_radius_m,
                                 refill_velocity_m_per_s, reference_field_V_per_m, activation_eV,
                                 ambient_K=300.0):
    r"""Volume rate at which field-driven surface diffusion refills the AE contact.

    .. math:: \dot V = \pi a^2\,v_{ref}\left(\frac{E}{E_{ref}}\right)^2 f_{Arr}(T)

    The drift of surface atoms towards a high-field nano-gap grows with the
    field's energy density (E^2, the field-gradient force on polarisable
    adatoms); only positive bias drives it (ref. 31 of the paper).

    Parameters
    ----------
    field_V_per_m : float
        Field in the gap in front of the AE [V/m]; <= 0 gives no refill.
    temperature_K : float
        Temperature [K].
    contact_radius_m : float
        Contact radius a [m].
    refill_velocity_m_per_s : float
        Interface velocity at the reference field and 300 K [m/s].
    reference_field_V_per_m : float
        Reference field E_ref [V/m].
    activation_eV : float
        Activation energy of surface diffusion [eV].
    ambient_K : float
        Reference temperature of ``refill_velocity_m_per_s`` [K].
    """
    if field_V_per_m <= 0:
        return 0.0
    v = refill_velocity_m_per_s * (field_V_per_m / reference_field_V_per_m) ** 2
    return math.pi * contact_radius_m ** 2 * v * float(arrhenius_factor(temperature_K, activation_eV, ambient_K))
