"""Starting values from the shape of the formation rise (memcompact.fit.start, fit.data.formation_rise)."""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.fit.data import formation_rise, prepare_curve
from memcompact.fit.start import (GROWTH_SHARE_MAX, GROWTH_SHARE_MIN, bridging_share, default_vary,
                                  starting_values)
from memcompact.io import ITCurve
from memcompact.model import preset_params


def _curve(rise_s, t_mid_s=50.0, lo=-12.0, hi=-4.0, n=301, duration_s=300.0):
    """log10 current: ``lo`` until the rise, then log-linear to ``hi`` over ``rise_s`` centred on ``t_mid_s``."""
    t = np.linspace(0.0, duration_s, n)
    frac = np.clip((t - (t_mid_s - rise_s / 2)) / rise_s, 0.0, 1.0) if rise_s > 0 else (t >= t_mid_s) * 1.0
    return ITCurve(t, 10.0 ** (lo + (hi - lo) * frac), 4.0)


def test_formation_rise_measures_a_log_linear_ramp():
    d = prepare_curve(_curve(20.0))
    assert d.marks["t_form_s"][2] == pytest.approx(50.0, abs=1.0)
    rise_s, decades = formation_rise(d)
    # 10 % of the 8-decade span cut from each end: 16 s over 6.4 decades, to a sample (1 s)
    assert decades == pytest.approx(6.4, abs=0.05)
    assert rise_s == pytest.approx(16.0, abs=2.0)


def test_bridging_share_from_the_rise_and_the_start_it_gives():
    slow = [prepare_curve(_curve(20.0))]
    # L rise / (t_form D ln(10) decay) = 40 nm * 16 s / (50 s * 6.4 dec * 1 nm/dec) = 2
    share = bridging_share(slow)
    assert share == pytest.approx(2.0, rel=0.15)
    assert "tunnel_decay_m" in default_vary(slow)
    base = preset_params("ag_sio2")
    start = starting_values(slow, base, vary=default_vary(slow))
    # a rise slower than bridging in 80 % of the delay can give: the decay length widens by share / 0.8
    assert start["tunnel_decay_m"] == pytest.approx(base["tunnel_decay_m"] * share / GROWTH_SHARE_MAX, rel=1e-6)
    held = starting_values(slow, base, vary=("nucleation_barrier_eV", "growth_activation_eV"))
    assert held["tunnel_decay_m"] == base["tunnel_decay_m"]
    # bridging in 80 % rather than 5 % of the delay: a slower front (higher activation), a faster nucleation
    abrupt = starting_values(slow, base, vary=default_vary(slow), growth_share=GROWTH_SHARE_MIN)
    assert start["growth_activation_eV"] - abrupt["growth_activation_eV"] == pytest.approx(
        8.617e-5 * 300.0 * np.log(GROWTH_SHARE_MAX / GROWTH_SHARE_MIN), rel=1e-3)
    assert start["nucleation_barrier_eV"] < abrupt["nucleation_barrier_eV"]


@pytest.mark.parametrize("rise_s", [0.0, 4.0])
def test_a_rise_the_sampling_does_not_resolve_is_abrupt(rise_s):
    data = [prepare_curve(_curve(rise_s))]
    assert bridging_share(data) is None
    assert "tunnel_decay_m" not in default_vary(data)


def test_moderate_rise_sets_the_growth_share_without_touching_the_decay():
    data = [prepare_curve(_curve(4.0, t_mid_s=100.0, n=3001))]  # 0.1 s sampling resolves a 4 s rise
    share = bridging_share(data)
    assert GROWTH_SHARE_MIN < share < GROWTH_SHARE_MAX
    assert "tunnel_decay_m" not in default_vary(data)


def test_rising_bound_is_the_isotonic_fit():
    from types import SimpleNamespace

    from memcompact.fit.data import rising_bound_decades

    rising = SimpleNamespace(log_i=np.array([-12.0, -12.0, -9.0, -6.0, -6.0]), plateau=np.zeros(5, bool))
    assert rising_bound_decades(rising) == 0.0
    # a 2-decade collapse: the best rising curve splits it, 1 decade off on two of six samples
    dip = SimpleNamespace(log_i=np.array([-12.0, -12.0, -8.0, -10.0, -8.0, -8.0]), plateau=np.zeros(6, bool))
    assert rising_bound_decades(dip) == pytest.approx(np.sqrt(2 / 6))
    # compliance samples are left out (the plateau only bounds the model from below)
    capped = SimpleNamespace(log_i=dip.log_i, plateau=np.array([False, False, True, True, True, True]))
    assert rising_bound_decades(capped) == 0.0
