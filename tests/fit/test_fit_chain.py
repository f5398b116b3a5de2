"""Fits to curves the compact model did not make: the cluster-chain simulator, and held-out voltages."""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.chain import preset, simulate_chain
from memcompact.fit import fit_it, log_current
from memcompact.fit.data import formation_crossing_s
from memcompact.model import constant, integrate
from tests.fit.conftest import SERIES_OHM


@pytest.fixture(scope="module")
def chain_fits():
    fits = []
    for voltage, seed in ((4.0, 1), (4.5, 2)):
        run = simulate_chain(preset("Ag"), voltage_V=voltage, duration_s=300.0, seed=seed, n_samples=300)
        fits.append(fit_it([run.curve], max_nfev=40))
    return fits


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
def test_chain_curves_log_current_outside_the_bridging_flicker(chain_fits):
    # While the chain bridges the film its current flickers over 3-8 decades for ~10-20 s (clusters
    # touching and separating); a smooth state model cannot follow that. Outside the stretch from
    # 20 % before to 10 % after formation the fit is within 0.3 decades RMS, and over the whole
    # curve within 1 decade.
    for result in chain_fits:
        d, r = _residual(result)
        t_form = result.card["curves"][0]["events"]["t_form_s"]
        t = d.curve.time_s
        outside = (t < 0.8 * t_form) | (t > 1.1 * t_form)
        assert np.sqrt(np.mean(r[outside] ** 2)) < 0.3
        assert np.mean(~outside) < 0.1
        assert result.rms_decades[0] < 1.0


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="issue 5 goal not met: whole-curve log-current RMS is 0.7-0.8 decades "
                                       "on chain curves, all of it from the bridging flicker (see docs/fitting.md)")
def test_chain_curves_whole_curve_rms_below_0_3_decades(chain_fits):
    assert max(max(f.rms_decades) for f in chain_fits) < 0.3


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
