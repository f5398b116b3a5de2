"""Nucleation of new clusters in the dielectric (seed paper, eq. 1).

A new cluster needs a critical nucleus of N_c atoms. Its free enthalpy of
formation (eq. 1, after Milchev's atomistic theory, ref. 30 of the paper) is

    Delta G(N_c) = -N_c z e Delta phi + Phi(N_c) + N_c epsilon

with Delta phi the voltage drop at the site, Phi(N_c) the surface-energy
contribution and epsilon the strain energy per atom. Nucleation is a random
event with rate nu * theta^N_c * exp(-Delta G / k_B T), theta being the local
ion occupancy (the ions must be there: Ag+ piles up near the Ag electrode,
Fig. 4). Sites differ (a seeded defect map of strain energies), and the
strain term is lower where an earlier cluster left a void (bootstrapping,
Fig. 4d-e).
"""

from __future__ import annotations

import numpy as np

from memcompact.chain.constants import BOLTZMANN_EV_PER_K


def nucleation_free_energy(n_atoms, charge_number, voltage_drop_V, surface_energy_eV,
                           strain_eV_per_atom):
    r"""Free enthalpy of a nucleus of ``n_atoms`` atoms, eq. 1 of the paper.

    .. math:: \Delta G(N_c) = -N_c z e \Delta\varphi + \Phi(N_c) + N_c \varepsilon

    Parameters
    ----------
    n_atoms : int
        Atoms in the nucleus N_c [-].
    charge_number : int
        Ion charge z [-].
    voltage_drop_V : float or array_like
        Voltage drop Delta phi at the site [V].
    surface_energy_eV : float
        Surface contribution Phi(N_c) [eV].
    strain_eV_per_atom : float or array_like
        Strain energy per atom epsilon [eV].

    Returns
    -------
    numpy.ndarray
        Delta G [eV].
    """
    return (-n_atoms * charge_number * np.asarray(voltage_drop_V, dtype=float)
            + surface_energy_eV + n_atoms * np.asarray(strain_eV_per_atom, dtype=float))


def nucleation_rate(free_energy_eV, occupancy, n_atoms, attempt_rate_per_s, temperature_K):
    r"""Rate of forming a stable nucleus at a site [1/s].

    .. math:: k = \nu\,\theta^{N_c}\,\min\left(1, e^{-\Delta G / k_B T}\right)

    The occupancy factor theta^N_c is the ions' chemical-potential term
    N_c k_B T ln(theta) of the nucleus; a negative Delta G makes nucleation
    barrier-free (rate nu theta^N_c).

    Parameters
    ----------
    free_energy_eV : float or array_like
        Delta G(N_c) from :func:`nucleation_free_energy` [eV].
    occupancy : float or array_like
        Local ion occupancy theta = n / n_max [-], clipped to [0, 1].
    n_atoms : int
        N_c [-].
    attempt_rate_per_s : float or array_like
        Attempt frequency nu [1/s] (per site).
    temperature_K : float
        Temperature [K].
    """
    theta = np.minimum(np.maximum(np.asarray(occupancy, dtype=float), 0.0), 1.0)
    boltz = np.exp(-np.maximum(np.asarray(free_energy_eV, dtype=float), 0.0)
                   / (BOLTZMANN_EV_PER_K * temperature_K))
    return attempt_rate_per_s * theta ** n_atoms * boltz


def defect_strain_map(n_sites, strain_eV_per_atom, relative_spread, rng):
    """Seeded, spatially heterogeneous strain energy per atom along the film.

    Parameters
    ----------
    n_sites : int
        Number of sites (grid cells) [-].
    strain_eV_per_atom : float
        Mean strain energy per atom epsilon [eV].
    relative_spread : float
        Relative standard deviation of the log-normal site distribution [-].
    rng : numpy.random.Generator
        Seeded generator.

    Returns
    -------
    numpy.ndarray
        Strain energy per atom at each site [eV].
    """
    if relative_spread <= 0:
        return np.full(n_sites, float(strain_eV_per_atom))
    s = np.sqrt(np.log1p(relative_spread ** 2))
    return strain_eV_per_atom * np.exp(rng.normal(-0.5 * s * s, s, n_sites))
