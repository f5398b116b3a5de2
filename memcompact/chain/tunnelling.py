"""Electronic conduction of the chain: tunnelling gaps, metallic path, leakage.

Electrons cross each dielectric gap between conductors by tunnelling
(conductance exponential in the gap, ~1 decade per nm for Ag/SiO2, see
docs/PARAMETERS.md), in series with the metallic clusters, the AE contact and
the series resistance of the measurement loop. The clusters are metallic, so
the gaps add as series resistances (electrons relax in between): the current
is set by the widest gaps, not by their sum. The dielectric's own leakage,
in parallel with the whole device, keeps the high-resistance current
finite.
"""

from __future__ import annotations

import math

import numpy as np

from memcompact.chain.constants import (BOLTZMANN_EV_PER_K, CONDUCTANCE_QUANTUM_S, ELECTRON_MASS_KG,
                                       ELEMENTARY_CHARGE_C, HBAR_J_S, VACUUM_PERMITTIVITY_F_PER_M)


def tunnelling_decay_per_m(barrier_eV, effective_mass_ratio):
    r"""Decay constant of the tunnelling conductance, 2 kappa [1/m].

    .. math:: 2\kappa = \frac{2\sqrt{2 m^* \phi_B}}{\hbar}

    Parameters
    ----------
    barrier_eV : float
        Barrier height phi_B [eV].
    effective_mass_ratio : float
        Effective mass m*/m_e [-].
    """
    m = effective_mass_ratio * ELECTRON_MASS_KG
    return 2.0 * math.sqrt(2.0 * m * barrier_eV * ELEMENTARY_CHARGE_C) / HBAR_J_S


def sharvin_conductance_S(contact_radius_m, fermi_wavevector_per_m):
    r"""Ballistic (Sharvin) conductance of a metallic contact of radius a.

    .. math:: G_S = \frac{2e^2}{h}\left(\frac{k_F a}{2}\right)^2, \quad G_S \ge \frac{2e^2}{h}

    Parameters
    ----------
    contact_radius_m : float or array_like
        Contact radius a [m].
    fermi_wavevector_per_m : float
        Fermi wavevector k_F of the metal [1/m].
    """
    n = (fermi_wavevector_per_m * np.asarray(contact_radius_m, dtype=float) / 2.0) ** 2
    return CONDUCTANCE_QUANTUM_S * np.maximum(n, 1.0)


def field_division_V(device_voltage_V, gap_m, tunnelling_S, division_conductance_S_m, min_gap_m):
    r"""Voltage across each gap of the chain: clusters are equipotential conductors.

    The device voltage divides over the gaps in proportion to their
    impedance, each gap being the dielectric (admittance sigma_d / g: the
    ionic and displacement conduction that sets the field in a dielectric with
    floating conductors) in parallel with electron tunnelling G_t:

    .. math:: V_j = V \frac{1 / Y_j}{\sum_k 1 / Y_k}, \quad
              Y_j = \frac{\sigma_d}{\max(g_j, g_{min})} + G_{t,j}

    Wide gaps share the voltage in proportion to their width (the same field
    E = V / sum(g) in all of them, rising as the chain grows); a gap narrow
    enough for tunnelling to exceed sigma_d / g is shorted and its cluster
    joins its neighbour's potential.

    Parameters
    ----------
    device_voltage_V : float
        Voltage across the device (after the series resistor) [V].
    gap_m : numpy.ndarray
        Gap widths [m].
    tunnelling_S : numpy.ndarray
        Tunnelling conductance of each gap [S].
    division_conductance_S_m : float
        sigma_d [S m].
    min_gap_m : float
        Smallest gap in the dielectric term [m].
    """
    y = division_conductance_S_m / np.maximum(gap_m, min_gap_m) + tunnelling_S
    z = 1.0 / y
    return device_voltage_V * z / z.sum()


def coulomb_blockade_exponent(radius_m, spanning_radius_m, relative_permittivity, temperature_K):
    r"""Suppression exponent of sequential tunnelling through a small cluster.

    Charging a sphere of radius r in a dielectric costs
    E_c = e^2 / (8 pi eps_0 eps_r r) (0.6 eV for a 3-atom Ag nucleus in SiO2);
    tunnelling through it is suppressed by exp(E_c / k_B T). The suppression
    is faded out as the cluster grows to span the conduction column (where the
    chain's voltage drop across each gap exceeds E_c / e):

    .. math:: b = \frac{E_c}{k_B T}\,\max\left(0, 1 - \frac{r^2}{r_{span}^2}\right)

    Parameters
    ----------
    radius_m : array_like
        Cluster radii [m].
    spanning_radius_m : float
        Radius above which a cluster spans the column [m].
    relative_permittivity : float
        eps_r of the dielectric [-].
    temperature_K : float
        Temperature [K].

    Returns
    -------
    numpy.ndarray
        b [-]: the tunnelling resistance through the cluster is multiplied by exp(b).
    """
    r = np.maximum(np.asarray(radius_m, dtype=float), 1e-11)
    e_c = ELEMENTARY_CHARGE_C / (8.0 * math.pi * VACUUM_PERMITTIVITY_F_PER_M * relative_permittivity * r)  # [V]
    return e_c / (BOLTZMANN_EV_PER_K * temperature_K) * np.maximum(0.0, 1.0 - (r / spanning_radius_m) ** 2)


def wire_resistance_Ohm(resistivity_Ohm_m, length_m, radius_m):
    r"""Resistance of a metallic cylinder, R = rho L / (pi r^2).

    Parameters
    ----------
    resistivity_Ohm_m : float
        Resistivity rho [Ohm m].
    length_m : float or array_like
        Length [m].
    radius_m : float or array_like
        Radius [m].
    """
    return resistivity_Ohm_m * np.asarray(length_m) / (np.pi * np.asarray(radius_m) ** 2)


def circuit_solution(voltage_V, chain_resistance_Ohm, parallel_conductance_S, series_resistance_Ohm,
                     compliance_A):
    """Solve the loop: source, series resistor, (chain || leakage); apply the compliance.

    Parameters
    ----------
    voltage_V : float
        Applied voltage V [V].
    chain_resistance_Ohm : float
        Resistance of the cluster chain (gaps + metal) [Ohm].
    parallel_conductance_S : float
        Leakage conductance of the rest of the device [S].
    series_resistance_Ohm : float
        Series resistance of the loop [Ohm].
    compliance_A : float
        Current compliance of the source [A] (the source lowers its voltage).

    Returns
    -------
    tuple of float
        (device voltage [V], total current [A], chain current [A]).
    """
    g_dev = 1.0 / chain_resistance_Ohm + parallel_conductance_S
    v_dev = voltage_V / (1.0 + series_resistance_Ohm * g_dev)
    current = v_dev * g_dev
    if abs(current) > compliance_A:
        current = math.copysign(compliance_A, current)
        v_dev = current / g_dev
    return v_dev, current, v_dev / chain_resistance_Ohm
