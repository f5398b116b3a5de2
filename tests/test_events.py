"""Event detection on synthetic I-t curves with known event times."""

import numpy as np
import pytest

from memcompact.errors import InputError
from memcompact.events import detect_events, estimate_noise_floor_A

FLOOR = 1e-12


def _trace(levels, n=3001, duration=300.0, noise_A=3e-13, seed=0):
    """Piecewise-constant current: ``levels`` is [(t_start, I), ...] with t on the grid.

    The grid has a 0.1 s spacing, so every switching time is a sample time.
    Gaussian noise of ``noise_A`` is added (it makes readings near zero negative).
    """
    t = np.linspace(0.0, duration, n)
    i = np.zeros_like(t)
    for t0, level in levels:
        i[t >= t0 - 1e-9] = level
    rng = np.random.default_rng(seed)
    return t, i + rng.normal(0.0, noise_A, t.size)


def test_step_formation_dated_exactly_despite_negative_noise():
    t, i = _trace([(0.0, 0.0), (100.0, 1e-6)])
    assert np.any(i < 0)  # the floor really has negative readings
    ev = detect_events(t, i, noise_floor_A=FLOOR)
    assert ev["t_form_s"] == pytest.approx(100.0, abs=1e-9)
    assert ev["t_drop_s"] is None and ev["t_ecm_s"] is None and ev["t_refill_s"] is None
    assert ev["i_after_form_A"] == pytest.approx(1e-6, rel=1e-3)
    assert ev["i_before_form_A"] == pytest.approx(FLOOR, rel=1e-9)


def test_form_drop_refill_ecm_sequence():
    t, i = _trace([(0.0, 0.0), (100.0, 1e-6), (150.0, 1e-8), (200.0, 1e-6), (250.0, 2e-3)])
    ev = detect_events(t, i, noise_floor_A=FLOOR)
    # Exact sample times of each switch (tolerance: one part in 1e9 of a second).
    assert ev["t_form_s"] == pytest.approx(100.0, abs=1e-9)
    assert ev["t_drop_s"] == pytest.approx(150.0, abs=1e-9)
    assert ev["t_refill_s"] == pytest.approx(200.0, abs=1e-9)
    assert ev["t_ecm_s"] == pytest.approx(250.0, abs=1e-9)
    assert ev["i_after_drop_A"] == pytest.approx(1e-8, rel=1e-3)
    assert ev["i_after_ecm_A"] == pytest.approx(2e-3, rel=1e-3)


def test_no_event_in_pure_noise_with_estimated_floor():
    t, i = _trace([(0.0, 0.0)], noise_A=1e-12)
    ev = detect_events(t, i)  # floor estimated from the trace
    assert all(ev[k] is None for k in ("t_form_s", "t_drop_s", "t_refill_s", "t_ecm_s"))
    assert 1e-15 <= ev["noise_floor_A"] < 1e-11


def test_single_sample_spike_is_ignored():
    t, i = _trace([(0.0, 0.0)])
    i[1200] = 1e-5
    ev = detect_events(t, i, noise_floor_A=FLOOR)
    assert ev["t_form_s"] is None


def test_slow_rise_is_not_abrupt_formation():
    t = np.linspace(0.0, 300.0, 3001)
    i = 1e-12 * 10 ** (6 * t / 300.0)  # 6 decades spread over the whole run
    ev = detect_events(t, i, noise_floor_A=FLOOR)
    assert ev["t_form_s"] is None
    # the same rise compressed into 2 s is abrupt; dated where the rise over the
    # window first reaches form_decades = 2.5 (at 100 s + 2.5/6 * 2 s)
    i2 = 1e-12 * 10 ** (6 * np.clip((t - 100.0) / 2.0, 0, 1))
    ev2 = detect_events(t, i2, noise_floor_A=FLOOR)
    assert ev2["t_form_s"] == pytest.approx(100.0 + 2.0 * 2.5 / 6.0, abs=0.1 + 1e-9)


def test_negative_bias_trace_uses_magnitude():
    t, i = _trace([(0.0, 0.0), (42.0, -1e-5)])
    ev = detect_events(t, i, noise_floor_A=FLOOR)
    assert ev["t_form_s"] == pytest.approx(42.0, abs=1e-9)


def test_refill_not_mistaken_for_ecm():
    t, i = _trace([(0.0, 0.0), (50.0, 1e-5), (80.0, 1e-7), (120.0, 1.2e-5)])
    ev = detect_events(t, i, noise_floor_A=FLOOR)
    assert ev["t_refill_s"] == pytest.approx(120.0, abs=1e-9)
    assert ev["t_ecm_s"] is None


def test_noise_floor_estimate_ignores_negative_readings():
    rng = np.random.default_rng(1)
    i = rng.normal(0, 1e-13, 1000)
    floor = estimate_noise_floor_A(i)
    assert 1e-14 < floor < 1e-12


@pytest.mark.parametrize("kwargs, match", [
    (dict(time_s=[0, 1], current_A=[0, 1]), "at least 3"),
    (dict(time_s=[0, 1, 2], current_A=[0, 1]), "differ in length"),
    (dict(time_s=[0, 2, 1], current_A=[0, 1, 2]), "strictly increasing"),
    (dict(time_s=[0, 1, 2], current_A=[0, np.nan, 2]), "finite"),
    (dict(time_s=[0, 1, 2], current_A=[0, 1, 2], noise_floor_A=-1), "noise_floor_A"),
    (dict(time_s=[0, 1, 2], current_A=[0, 1, 2], form_decades=0), "form_decades"),
])
def test_bad_input_raises_input_error(kwargs, match):
    with pytest.raises(InputError, match=match):
        detect_events(**kwargs)


def test_short_glitch_is_not_a_drop():
    t, i = _trace([(0.0, 0.0), (100.0, 1e-6), (150.0, 1e-9), (151.0, 1e-6)])
    ev = detect_events(t, i, noise_floor_A=FLOOR)  # window 15 s -> min_drop_s 5 s
    assert ev["t_form_s"] == pytest.approx(100.0, abs=1e-9)
    assert ev["t_drop_s"] is None


def test_ecm_absolute_rise_criterion():
    t, i = _trace([(0.0, 0.0), (100.0, 1e-6), (200.0, 1e-4)])
    assert detect_events(t, i, noise_floor_A=FLOOR)["t_ecm_s"] == pytest.approx(200.0, abs=1e-9)
    # a 2-decade rise that adds only 0.1 mA is not an ECM jump of > 1 mA
    assert detect_events(t, i, noise_floor_A=FLOOR, ecm_min_rise_A=1e-3)["t_ecm_s"] is None


def test_formed_level_ignores_slow_creep_within_window():
    t = np.linspace(0.0, 300.0, 3001)
    i = np.where(t >= 100.0, 1e-6 * 10 ** np.clip((t - 100.0) / 10.0, 0, 1), 1e-12)
    ev = detect_events(t, i, noise_floor_A=FLOOR)
    assert ev["t_form_s"] == pytest.approx(100.0, abs=1e-9)
    assert ev["t_ecm_s"] is None  # the creep to 1e-5 happens within the formation window


def test_form_min_current_skips_flicker_above_floor():
    t, i = _trace([(0.0, 0.0), (50.0, 1e-9), (52.0, 0.0), (100.0, 1e-5)])
    assert detect_events(t, i, noise_floor_A=FLOOR)["t_form_s"] == pytest.approx(50.0, abs=1e-9)
    ev = detect_events(t, i, noise_floor_A=FLOOR, form_min_A=1e-7)
    assert ev["t_form_s"] == pytest.approx(100.0, abs=1e-9)


def test_drop_after_ecm_measured_from_the_ecm_level():
    t, i = _trace([(0.0, 0.0), (100.0, 1e-6), (150.0, 2e-3), (220.0, 1e-7)])
    ev = detect_events(t, i, noise_floor_A=FLOOR)
    assert ev["t_form_s"] == pytest.approx(100.0, abs=1e-9)
    assert ev["t_ecm_s"] == pytest.approx(150.0, abs=1e-9)
    assert ev["t_drop_s"] == pytest.approx(220.0, abs=1e-9)
    assert ev["i_before_drop_A"] == pytest.approx(2e-3, rel=1e-3)


def test_level_changes_lists_every_step_with_its_sign():
    from memcompact.events import level_changes

    t, i = _trace([(0.0, 0.0), (100.0, 1e-6), (150.0, 1e-9), (200.0, 1e-6), (250.0, 1e-9)])
    changes = level_changes(t, i, FLOOR)
    assert [round(tc) for tc, _ in changes] == [100, 150, 200, 250]
    assert [np.sign(dc) for _, dc in changes] == [1, -1, 1, -1]
    assert changes[0][1] == pytest.approx(6.0, abs=0.01)
    assert level_changes(*_trace([(0.0, 1e-9)]), FLOOR) == []


def test_formation_that_holds_is_kept_below_a_far_higher_ecm_jump():
    # the curve: 6 decades at 60 s, then an ECM jump to 1.5 mA at 180 s (3.3 decades more)
    from memcompact.fit.data import detect_curve_events

    t = np.linspace(0.0, 300.0, 601)
    rng = np.random.default_rng(3)
    level = np.where(t < 60.0, 1e-12, np.where(t < 180.0, 1e-6, 1.5e-3))
    i = level * 10 ** (0.04 * rng.standard_normal(t.size)) + 2e-13 * rng.standard_normal(t.size)
    ev = detect_curve_events(t, i)
    assert ev["t_form_s"] == pytest.approx(60.0, rel=0.02)
    assert ev["t_ecm_s"] == pytest.approx(180.0, rel=0.02)
    # a formation that collapses within seconds (a chain's flicker) is not kept: the lasting rise is
    i2 = np.where((t >= 60.0) & (t < 64.0), 1e-8, np.where(t >= 180.0, 1e-4, 1e-12))
    assert detect_curve_events(t, i2)["t_form_s"] == pytest.approx(180.0, rel=0.02)
