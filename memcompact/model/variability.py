"""Device-to-device and cycle-to-cycle variability: seeded, documented distributions.

Nucleation is a Poisson process (seed paper: "the cluster dynamics are
stochastic in nature", Fig. 1g-i): the time to the first stable nucleus of a
device is exponentially distributed around its mean. The model's nucleation
progress integrates the nucleation rate, so drawing ``nucleation_time_s`` as
``mean * Exp(1)`` per device and per cycle gives exactly that distribution.
Film and filament geometry vary from device to device (log-normal spread of
the tunnelling resistance, film thickness, reservoir and growth prefactor).

Draws that fall outside a parameter's bounds are redrawn (never clipped), so
every sampled device is valid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memcompact.errors import ParameterError
from memcompact.model.parameters import PARAMETER_TABLE, validate_params


@dataclass(frozen=True)
class Spread:
    """How one parameter varies.

    Attributes
    ----------
    distribution : str
        ``"exponential"`` (value = nominal * Exp(1)), ``"lognormal"``
        (value = nominal * exp(sigma * N(0,1))) or ``"normal"``
        (value = nominal * (1 + sigma * N(0,1))).
    sigma : float
        Spread (ignored for exponential).
    meaning : str
        Physical origin.
    cycle_to_cycle : bool
        Redrawn at every cycle (True) or fixed per device (False).
    """

    distribution: str
    sigma: float
    meaning: str
    cycle_to_cycle: bool = False


#: Default spreads. Pass ``spread={...}`` to change or extend them.
DEFAULT_SPREAD = {
    "nucleation_time_s": Spread("exponential", 0.0,
                                "Poisson nucleation: exponentially distributed formation delay",
                                cycle_to_cycle=True),
    "tunnel_resistance_ohm": Spread("lognormal", 0.3, "filament tip shape and tunnelling area"),
    "thickness_m": Spread("normal", 0.03, "film thickness non-uniformity (3 %)"),
    "reservoir_m3": Spread("lognormal", 0.3, "active-electrode contact area"),
    "growth_velocity_m_per_s": Spread("lognormal", 0.5, "defect density along the filament path"),
}


def _draw(rng, spec, nominal, size):
    if spec.distribution == "exponential":
        return nominal * rng.exponential(1.0, size)
    if spec.distribution == "lognormal":
        return nominal * np.exp(spec.sigma * rng.standard_normal(size))
    if spec.distribution == "normal":
        return nominal * (1.0 + spec.sigma * rng.standard_normal(size))
    raise ParameterError("spread", f"unknown distribution {spec.distribution!r}")


def _sample(rng, name, spec, nominal, size, max_tries=100):
    info = PARAMETER_TABLE[name]
    values = _draw(rng, spec, nominal, size)
    for _ in range(max_tries):
        bad = (values < info.lower) | (values > info.upper)
        if not np.any(bad):
            return values
        values[bad] = _draw(rng, spec, nominal, int(bad.sum()))
    raise ParameterError(name, f"spread {spec} keeps drawing values outside [{info.lower:g}, {info.upper:g}]")


def sample_devices(params, n_devices, seed, spread=None, cycle_to_cycle_only=False):
    """Per-device parameter arrays drawn around nominal values.

    Parameters
    ----------
    params : dict
        Nominal (scalar) parameters, e.g. from a card.
    n_devices : int
        Number of devices N.
    seed : int or numpy.random.Generator
        Seed: the same seed gives the same devices.
    spread : dict, optional
        {name: Spread}; default :data:`DEFAULT_SPREAD`.
    cycle_to_cycle_only : bool
        Draw only the spreads marked cycle-to-cycle (for a new cycle of the
        same devices).

    Returns
    -------
    dict
        Parameters with arrays of shape (N,) for the varied names.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    spread = DEFAULT_SPREAD if spread is None else spread
    out = dict(params)
    for name, spec in spread.items():
        if name not in PARAMETER_TABLE:
            raise ParameterError(name, f"unknown parameter in spread; allowed: {', '.join(sorted(PARAMETER_TABLE))}")
        if cycle_to_cycle_only and not spec.cycle_to_cycle:
            continue
        nominal = np.asarray(params[name], dtype=float)
        out[name] = _sample(rng, name, spec, nominal, n_devices if nominal.ndim == 0 else nominal.shape)
    validate_params(out)
    return out


def next_cycle(device_params, nominal_params, seed, spread=None):
    """Parameters of the same devices for a new cycle (cycle-to-cycle spreads redrawn).

    Parameters
    ----------
    device_params : dict
        Per-device parameters from :func:`sample_devices`.
    nominal_params : dict
        The nominal values the cycle-to-cycle draws scatter around.
    seed : int or numpy.random.Generator
        Seed of this cycle.
    spread : dict, optional
        As in :func:`sample_devices`.
    """
    n = max(np.size(v) for v in device_params.values())
    spread = DEFAULT_SPREAD if spread is None else spread
    redrawn = sample_devices(nominal_params, n, seed, spread, cycle_to_cycle_only=True)
    out = dict(device_params)
    for name, spec in spread.items():
        if spec.cycle_to_cycle:
            out[name] = redrawn[name]
    return out
