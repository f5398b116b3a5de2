"""Redox and ion-transport kinetics: Butler-Volmer rates and hopping mobility.

The seed paper's framework (its eqs. 2-3) is driven by two kinetic factors,
the redox rates Gamma and the ion mobility mu. Here Gamma follows
Butler-Volmer kinetics with a metal-specific exchange rate, mu the
field-assisted hopping of Mott and Gurney, both Arrhenius in temperature
(Menzel et al., JAP 111, 014501 (2012), doi:10.1063/1.3673239).
"""

from __future__ import annotations

import numpy as np

from memcompact.chain.constants import BOLTZMANN_EV_PER_K


def arrhenius_factor(temperature_K, activation_eV, reference_K=300.0):
    r"""Ratio of an Arrhenius rate at ``temperature_K`` to its value at ``reference_K``.

    .. math:: f = \exp\left[-\frac{E_a}{k_B}\left(\frac{1}{T} - \frac{1}{T_{ref}}\right)\right]

    Parameters
    ----------
    temperature_K : float or array_like
        Temperature [K].
    activation_eV : float
        Activation energy [eV].
    reference_K : float
        Temperature at which the factor is 1 [K].
    """
    t = np.asarray(temperature_K, dtype=float)
    return np.exp(-activation_eV / BOLTZMANN_EV_PER_K * (1.0 / t - 1.0 / reference_K))


def butler_volmer_rate(overpotential_V, exchange_rate, transfer_coefficient, charge_number,
                       temperature_K):
    r"""Net Butler-Volmer oxidation rate per area (positive: oxidation).

    .. math:: \Gamma = \Gamma_0 \left[\exp\left(\frac{\alpha z e \eta}{k_B T}\right)
              - \exp\left(-\frac{(1-\alpha) z e \eta}{k_B T}\right)\right]

    Parameters
    ----------
    overpotential_V : float or array_like
        Overpotential eta of the pole [V] (positive: anodic).
    exchange_rate : float or array_like
        Exchange rate Gamma_0 [1/(m^2 s)], ions per area and time at eta = 0
        (exchange current density / (z e)).
    transfer_coefficient : float
        Anodic charge-transfer coefficient alpha [-], 0 < alpha < 1.
    charge_number : int
        Ion charge z [-].
    temperature_K : float
        Temperature [K].

    Returns
    -------
    numpy.ndarray
        Net rate [1/(m^2 s)].
    """
    f = charge_number * np.asarray(overpotential_V, dtype=float) / (BOLTZMANN_EV_PER_K * temperature_K)
    a = transfer_coefficient
    return exchange_rate * (np.exp(np.minimum(a * f, 700.0)) - np.exp(np.minimum(-(1.0 - a) * f, 700.0)))


def saturated_overpotential_V(overpotential_V, saturation_V):
    r"""Overpotential that drives electron transfer, saturating at large values.

    .. math:: \eta_{eff} = \eta_{s} \tanh(\eta / \eta_{s})

    Butler-Volmer's exponential holds for |eta| well below the reorganisation
    energy (Marcus); beyond it the rate stops growing. Without the cap the
    volts across nanometre gaps of a nearly formed chain would give
    meaningless rates.

    Parameters
    ----------
    overpotential_V : float or array_like
        Overpotential eta [V].
    saturation_V : float
        eta_s [V] (of the order of the reorganisation energy / e).
    """
    return saturation_V * np.tanh(np.asarray(overpotential_V, dtype=float) / saturation_V)


def hopping_mobility(temperature_K, mobility_ref_m2_per_Vs, activation_eV, reference_K=300.0):
    r"""Low-field ion mobility of thermally activated hopping, Arrhenius in T.

    .. math:: \mu(T) = \mu_{ref}\,\frac{T_{ref}}{T}\,
              \exp\left[-\frac{E_a}{k_B}\left(\frac{1}{T} - \frac{1}{T_{ref}}\right)\right]

    (Mott-Gurney: mu = z e a^2 nu / (k_B T) exp(-E_a / k_B T)).

    Parameters
    ----------
    temperature_K : float or array_like
        Temperature [K].
    mobility_ref_m2_per_Vs : float
        Mobility at ``reference_K`` [m^2/(V s)].
    activation_eV : float
        Hopping activation energy [eV].
    reference_K : float
        Reference temperature [K].
    """
    t = np.asarray(temperature_K, dtype=float)
    return mobility_ref_m2_per_Vs * (reference_K / t) * arrhenius_factor(t, activation_eV, reference_K)


def hopping_drift_velocity(field_V_per_m, temperature_K, mobility_m2_per_Vs, hop_distance_m,
                           charge_number):
    r"""Drift velocity of field-assisted hopping (signed along the field).

    .. math:: v = \frac{2 k_B T}{z e a}\,\mu\,\sinh\left(\frac{z e a E}{2 k_B T}\right)

    which is mu*E at low field and exponential in E at high field.

    Parameters
    ----------
    field_V_per_m : float or array_like
        Electric field E [V/m].
    temperature_K : float
        Temperature [K].
    mobility_m2_per_Vs : float
        Low-field mobility mu [m^2/(V s)].
    hop_distance_m : float
        Hopping distance a [m].
    charge_number : int
        Ion charge z [-].

    Returns
    -------
    numpy.ndarray
        Velocity [m/s].
    """
    kt = BOLTZMANN_EV_PER_K * temperature_K  # [eV] = [V] per unit charge
    x = charge_number * hop_distance_m * np.asarray(field_V_per_m, dtype=float) / (2.0 * kt)
    return 2.0 * kt / (charge_number * hop_distance_m) * mobility_m2_per_Vs * np.sinh(np.minimum(np.maximum(x, -700.0), 700.0))
