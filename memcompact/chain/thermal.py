"""Joule heating of the filament region: thermal resistance and time constant.

Joule power P heats the filament to T = T_0 + R_th P with time constant
tau_th; the temperature rise speeds up ion hopping and redox (Arrhenius), the
cause of the transition to conventional ECM growth (seed paper, Fig. 6).
"""

from __future__ import annotations

import math

from memcompact.chain.constants import BOLTZMANN_EV_PER_K


def joule_temperature_K(power_W, ambient_K, thermal_resistance_K_per_W, max_rise_K):
    r"""Steady filament temperature for a Joule power, saturating smoothly.

    .. math:: T = T_0 + \Delta T_{max} \tanh\left(\frac{R_{th} P}{\Delta T_{max}}\right)

    Parameters
    ----------
    power_W : float
        Joule power dissipated in the device [W].
    ambient_K : float
        Ambient temperature T_0 [K].
    thermal_resistance_K_per_W : float
        Thermal resistance R_th [K/W].
    max_rise_K : float
        Largest temperature rise (the metal melts, the filament reshapes) [K].
    """
    rise = thermal_resistance_K_per_W * max(power_W, 0.0)
    return ambient_K + max_rise_K * math.tanh(rise / max_rise_K)


def relax_temperature_K(temperature_K, target_K, dt_s, time_constant_s):
    r"""Exact first-order relaxation of T towards ``target_K`` over a step dt.

    .. math:: T(t + dt) = T_* + (T - T_*) e^{-dt/\tau_{th}}

    Parameters
    ----------
    temperature_K : float
        Temperature at the start of the step [K].
    target_K : float
        Steady temperature T_* for the present power [K].
    dt_s : float
        Step [s].
    time_constant_s : float
        Thermal time constant tau_th [s].
    """
    return target_K + (temperature_K - target_K) * math.exp(-dt_s / time_constant_s)



def sintering_rate_per_s(temperature_K, attempt_rate_per_s, activation_eV):
    r"""Rate at which the necks between touching clusters and the filament sinter open.

    .. math:: k_s = \nu_s \exp\left(-\frac{E_s}{k_B T}\right)

    Negligible at room temperature, so that a cluster chain keeps its narrow
    necks (a few conductance quanta each); fast when Joule heating makes the
    filament hot: the necks fuse wide open and the chain becomes one solid
    filament (the "much larger, dominant filament" of the ECM transition,
    seed paper Fig. 6i).

    Parameters
    ----------
    temperature_K : float
        Temperature [K].
    attempt_rate_per_s : float
        Attempt frequency nu_s [1/s].
    activation_eV : float
        Activation energy E_s [eV].
    """
    return attempt_rate_per_s * math.exp(-activation_eV / (BOLTZMANN_EV_PER_K * temperature_K))
