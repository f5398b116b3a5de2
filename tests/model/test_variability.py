"""Device-to-device and cycle-to-cycle variability."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from memcompact.errors import ParameterError
from memcompact.model import constant, default_params, integrate
from memcompact.model.variability import DEFAULT_SPREAD, Spread, next_cycle, sample_devices


def test_seeded_and_reproducible():
    a = sample_devices(default_params(), 50, seed=3)
    b = sample_devices(default_params(), 50, seed=3)
    c = sample_devices(default_params(), 50, seed=4)
    for name in DEFAULT_SPREAD:
        np.testing.assert_array_equal(a[name], b[name])
        assert not np.array_equal(a[name], c[name])


def test_nucleation_time_is_exponential_and_tunnel_resistance_lognormal():
    nominal = default_params()
    d = sample_devices(nominal, 4000, seed=1)
    ratio = d["nucleation_time_s"] / nominal["nucleation_time_s"]
    assert stats.kstest(ratio, "expon").pvalue > 0.01
    log_ratio = np.log(d["tunnel_resistance_ohm"] / nominal["tunnel_resistance_ohm"])
    assert abs(np.std(log_ratio) - DEFAULT_SPREAD["tunnel_resistance_ohm"].sigma) < 0.02


def test_formation_delay_spreads_between_devices_and_cycles():
    nominal = default_params()
    devices = sample_devices(nominal, 200, seed=2, spread={"nucleation_time_s": DEFAULT_SPREAD["nucleation_time_s"]})
    t = np.linspace(0, 2000, 4001)
    sol = integrate(devices, constant(3.0, 2000.0), t_eval=t, series_resistance_ohm=1000.0)
    i = np.abs(sol.current_A)
    formed = i.max(axis=1) > 100 * i[:, 1]
    t_form = np.array([t[np.argmax(row > 100 * row[1])] for row in i[formed]])
    assert formed.mean() > 0.9
    # Poisson nucleation: the delays spread over more than a factor 3 between devices
    assert np.percentile(t_form, 90) / np.percentile(t_form, 10) > 3
    cycle2 = next_cycle(devices, nominal, seed=99)
    assert not np.array_equal(cycle2["nucleation_time_s"], devices["nucleation_time_s"])
    np.testing.assert_array_equal(cycle2["tunnel_resistance_ohm"], devices["tunnel_resistance_ohm"])


def test_bad_spread_is_refused():
    with pytest.raises(ParameterError, match="nonexistent"):
        sample_devices(default_params(), 5, seed=0, spread={"nonexistent": Spread("lognormal", 0.1, "x")})
