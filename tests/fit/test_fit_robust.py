"""Robustness of the fit: negative readings near the floor, outliers, a compliance plateau, no formation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from memcompact.fit import FitWarning, estimate_noise_floor_A, fit_it, prepare_curve
from memcompact.io import ITCurve
from tests.fit.conftest import make_curves

TIMING = ("nucleation_barrier_eV", "nucleation_voltage_fraction")


def _check_timing(result, true, rel=0.03):
    for name in TIMING:
        assert result.params[name] == pytest.approx(true[name], rel=rel), name


@pytest.mark.slow
def test_negative_readings_near_the_floor():
    # 1 pA instrument noise around zero: the HRS (~0.6 pA) is buried, a third of its readings negative
    true, curves, _ = make_curves([2.85, 3.05], duration_s=600.0, n_samples=601, seed=5, floor_noise_A=1e-12)
    hrs = curves[0].current_A[:200]
    assert np.mean(hrs < 0) > 0.2
    assert 3e-13 < estimate_noise_floor_A(curves[0].current_A) < 3e-12
    result = fit_it(curves, max_nfev=40)
    _check_timing(result, true)
    assert all(np.isfinite(i).all() for i in result.model_current_A)
    # the buried HRS scatters by ~0.2 decades around the floor, data and model alike
    assert max(result.rms_decades) < 0.3, result.rms_decades
    assert result.card["curves"][1]["model_events"]["t_form_s"] == pytest.approx(30, rel=0.1)


@pytest.mark.slow
def test_outliers_do_not_pull_the_fit():
    true, curves, _ = make_curves([2.85, 3.05], duration_s=600.0, n_samples=601, seed=6)
    rng = np.random.default_rng(1)
    for c in curves:
        k = rng.choice(c.time_s.size, size=15, replace=False)  # 2.5 % of the samples off by 100x
        c.current_A[k] *= rng.choice([1e-2, 1e2], size=k.size)
    result = fit_it(curves, max_nfev=40)
    _check_timing(result, true)
    assert result.params["tunnel_resistance_ohm"] == pytest.approx(true["tunnel_resistance_ohm"], rel=0.1)
    assert result.params["leakage_conductance_S"] == pytest.approx(true["leakage_conductance_S"], rel=0.1)
    # the same data with a plain (non-robust) loss are pulled further off
    plain = fit_it(curves, loss="linear", max_nfev=40)
    off = abs(np.log10(result.params["leakage_conductance_S"] / true["leakage_conductance_S"]))
    off_plain = abs(np.log10(plain.params["leakage_conductance_S"] / true["leakage_conductance_S"]))
    assert off < off_plain


def test_compliance_plateau_is_a_one_sided_residual():
    true, curves, clean = make_curves([2.85, 3.05], duration_s=600.0, n_samples=601, seed=7)
    compliance = 5e-5  # below the ON level (~1.4e-4 A): the measurement clips it
    clipped = [ITCurve(c.time_s, np.minimum(c.current_A, compliance), c.voltage_V,
                       metadata=dict(c.metadata, compliance_A=f"{compliance:g}"), source=c.source) for c in curves]
    data = [prepare_curve(c) for c in clipped]
    assert data[0].compliance_A == compliance and data[0].plateau.sum() > 250
    result = fit_it(data, max_nfev=40)
    _check_timing(result, true)
    # the model passes at least (about) the compliance where the data sit on it; nothing pulls it
    # higher, so it settles near the compliance, below it only where its ON current still rises
    for d, mi in zip(result.data, result.model_current_A):
        assert np.mean(mi[d.plateau] > 0.9 * compliance) > 0.8
    # clipped data only bound the ON current from below: the tunnel resistance is an upper bound
    assert result.params["tunnel_resistance_ohm"] > true["tunnel_resistance_ohm"]
    assert any("compliance" in w and "upper bound" in w for w in result.warnings)
    assert "compliance 5e-05 A" in result.report()


def test_no_formation_fits_with_a_warning_and_null_events():
    t = np.linspace(0.0, 100.0, 200)
    rng = np.random.default_rng(2)
    curve = ITCurve(t, 3e-13 * (1 + 0.05 * rng.standard_normal(t.size)), 2.0, source="flat")
    with pytest.warns(FitWarning, match="no formation"):
        result = fit_it([curve])
    assert result.vary == ("leakage_conductance_S",)
    assert result.card["events"] == {"t_form_s": None, "t_drop_s": None, "t_ecm_s": None}
    assert result.params["leakage_conductance_S"] == pytest.approx(1.5e-13, rel=0.05)
    assert result.rms_decades[0] < 0.05
    # the start values keep the model unformed over the record
    assert result.model_current_A[0].max() < 1e-12
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert result.warnings and "no formation" in result.warnings[0]
