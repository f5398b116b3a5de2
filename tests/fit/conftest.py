"""Synthetic I-t curves from the compact model with known parameters, for the fit tests."""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.io import ITCurve
from memcompact.model import constant, integrate, preset_params

#: Known parameters of the synthetic device: formation after ~290 s, ~92 s, ~29 s at 2.85, 2.95, 3.05 V.
TRUE_PARAMS = dict(nucleation_barrier_eV=1.44, nucleation_voltage_fraction=0.2, growth_activation_eV=1.45,
                   tunnel_resistance_ohm=8e4, leakage_conductance_S=2e-13, reservoir_m3=1e-15)
SERIES_OHM = 1000.0


def make_curves(voltages_V, duration_s=600.0, n_samples=601, seed=0, rel_noise=0.05, floor_noise_A=2e-14,
                params=None):
    """Model curves with ``rel_noise`` multiplicative and ``floor_noise_A`` additive Gaussian noise [A]."""
    true = preset_params("ag_sio2")
    true.update(TRUE_PARAMS if params is None else params)
    t = np.linspace(0.0, duration_s, n_samples)
    sol = integrate(true, constant(1.0, duration_s), t_eval=t, n_devices=len(voltages_V),
                    voltage_scale=np.asarray(voltages_V, dtype=float), series_resistance_ohm=SERIES_OHM)
    rng = np.random.default_rng(seed)
    curves = []
    for k, v in enumerate(voltages_V):
        noise = rel_noise * rng.standard_normal(t.size)
        i = sol.current_A[k] * (1 + noise) + floor_noise_A * rng.standard_normal(t.size)
        curves.append(ITCurve(t, i, v, metadata={"series_resistance_ohm": f"{SERIES_OHM:g}"},
                              source=f"synthetic_{v:g}V"))
    return true, curves, sol.current_A


@pytest.fixture(scope="module")
def synthetic_series():
    """(true params, three noisy curves at 2.85, 2.95, 3.05 V, noise-free currents)."""
    return make_curves([2.85, 2.95, 3.05])
