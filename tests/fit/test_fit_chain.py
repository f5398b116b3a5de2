"""Fits to curves the compact model did not make: the cluster-chain simulator, and held-out voltages."""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.chain import preset, simulate_chain
from memcompact.fit import fit_it, log_current
from memcompact.fit.data import formation_crossing_s, rising_bound_decades
from memcompact.model import constant, integrate
from tests.fit.conftest import SERIES_OHM


def _chain_fit(voltage_V, seed, aperture_s):
    run = simulate_chain(preset("Ag"), voltage_V=voltage_V, duration_s=300.0, seed=seed, n_samples=300,
                         aperture_s=aperture_s)
    return fit_it([run.curve], max_nfev=40)


@pytest.fixture(scope="module")
def chain_fits():
    # measured as an instrument does: each sample the mean current of its 1 s interval (the SMU aperture)
    return [_chain_fit(voltage, seed, "interval") for voltage, seed in ((4.0, 1), (4.5, 2))]


def _residual(result):
    d = result.data[0]
    return d, log_current(result.model_current_A[0], d.noise_floor_A) - d.log_i


@pytest.mark.slow
def test_chain_curves_event_times_within_10_percent(chain_fits):
    for result in chain_fits:
        c = result.card["curves"][0]
        assert c["events"]["t_form_s"] is not None
        assert c["model_events"]["t_form_s"] == pytest.approx(c["events"]["t_form_s"], rel=0.10)
        for key in ("t_drop_s", "t_ecm_s"):
            assert (c["model_events"][key] is None) == (c["events"][key] is None), key


@pytest.mark.slow
def test_chain_curves_whole_curve_rms_below_0_3_decades(chain_fits):
    # The start follows the measured rise (memcompact.fit.start.bridging_share): at 4 V the chain takes
    # ~20 s to bridge the film, which the model follows with a slow front and a wider decay length.
    rms = [f.rms_decades[0] for f in chain_fits]
    assert max(rms) < 0.3, rms
    assert "tunnel_decay_m" in chain_fits[0].vary and "tunnel_decay_m" not in chain_fits[1].vary
    for result in chain_fits:  # the rest of the curve is followed closely
        d, r = _residual(result)
        t_form = result.card["curves"][0]["events"]["t_form_s"]
        outside = (d.curve.time_s < 0.6 * t_form) | (d.curve.time_s > 1.2 * t_form)
        assert np.sqrt(np.mean(r[outside & ~d.plateau] ** 2)) < 0.1


@pytest.mark.slow
@pytest.mark.parametrize("voltage_V, seed, aperture_s", [
    (4.0, 1, 0.0),         # instantaneous samples: the bridging flicker itself
    (5.0, 2, "interval"),  # the bridging collapses twice by 2-4 decades before it holds
])
def test_chain_curves_no_rising_model_can_follow_within_0_3(voltage_V, seed, aperture_s):
    # Where the data themselves fall and rise again, the isotonic bound is above 0.3 decades: the goal
    # cannot be met by any model whose current rises through formation. The fit still dates formation
    # within 10 % and follows the rise's envelope (measured: 0.48 and 0.69 decades).
    result = _chain_fit(voltage_V, seed, aperture_s)
    d = result.data[0]
    # measured isotonic bounds 0.327 and 0.319 decades on one CPU, 0.332 for the second on another
    # (2026-12-03: the stochastic chain follows the floating-point path); what holds is that it is > 0.3
    bound = rising_bound_decades(d)
    assert bound > 0.3
    assert bound < result.rms_decades[0] < 0.75
    c = result.card["curves"][0]
    assert c["model_events"]["t_form_s"] == pytest.approx(c["events"]["t_form_s"], rel=0.10)


def _formation_s(time_s, current_A):
    return formation_crossing_s(time_s, current_A)


@pytest.mark.slow
def test_held_out_voltage_formation_within_factor_2(synthetic_series):
    # fit 2.85 and 2.95 V, predict 3.05 V (extrapolation: the delay falls 3x per 0.1 V)
    true, curves, _ = synthetic_series
    result = fit_it(curves[:2], max_nfev=40)
    held = curves[2]
    sol = integrate(result.params, constant(held.voltage_V[0], held.time_s[-1]), t_eval=held.time_s,
                    series_resistance_ohm=SERIES_OHM)
    t_pred = _formation_s(held.time_s, sol.current_A[0])
    t_meas = _formation_s(held.time_s, held.current_A)
    assert t_meas == pytest.approx(30, rel=0.1)
    assert 0.5 < t_pred / t_meas < 2.0, (t_pred, t_meas)
    assert t_pred / t_meas == pytest.approx(1, abs=0.2)  # what it achieves (a smooth device)
