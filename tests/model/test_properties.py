"""Property tests: finite everywhere in the bounds, C1 smooth, states held in bounds.

For V in [-10, 10] V, T in [200, 1000] K, any parameters inside their bounds
(log-uniform where the table says log_scale) and any states inside their
bounds plus the soft margins of the windows.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memcompact.model import PARAMETERS, complete_params, compiled, integrate, triangle, pulse_train
from memcompact.model.equations import STATES

#: How far a state may sit outside its nominal bounds: the smooth windows slow
#: the rates exponentially near a bound, so large rates push a state slightly
#: (logarithmically) past it. nucleation is bounded exactly by construction (the
#: solver projects a step's overshoot back: memcompact.model.solver.EXACT_BOUNDS).
MARGIN = {"nucleation": 1e-12, "gap_nm": 1.0, "radius_nm": 1.0, "reservoir": 0.05}


def _param_strategy():
    fields = {}
    for p in PARAMETERS:
        if p.log_scale and p.lower > 0:
            fields[p.name] = st.floats(np.log10(p.lower), np.log10(p.upper)).map(lambda x: 10.0 ** x)
        else:
            fields[p.name] = st.floats(p.lower, p.upper)
    return st.fixed_dictionaries(fields)


def _state_from_unit(params, u):
    bounds = compiled.state_bounds(params)
    return tuple(float(lo + ui * (hi - lo)) for (lo, hi), ui in zip(bounds, u))


unit = st.floats(0.0, 1.0)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=_param_strategy(), v=st.floats(-10.0, 10.0), u=st.tuples(unit, unit, unit, unit))
def test_rhs_finite_everywhere_in_bounds(params, v, u):
    state = _state_from_unit(params, u)
    d, current, outputs = compiled.rhs(v, state, params)
    assert all(np.isfinite(x) for x in d)
    assert np.isfinite(current)
    assert all(np.isfinite(x) for x in outputs.values())
    assert outputs["conductance_S"] > 0
    assert 200.0 <= outputs["temp_K"] <= params["temperature_K"] + params["heating_max_K"] + 1e-9


def _all_outputs(v, state, params):
    d, current, outputs = compiled.rhs(v, state, params)
    return np.array([*d, current, outputs["conductance_S"], outputs["temp_K"]])


def _one_sided_slopes(f, x, h):
    f0 = f(x)
    return (f(x + h) - f0) / h, (f0 - f(x - h)) / h


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v=st.floats(-10.0, 10.0), u=st.tuples(unit, unit, unit, unit), which=st.integers(0, 4),
       temperature=st.floats(200.0, 1000.0))
def test_c1_smooth_in_voltage_and_every_state(v, u, which, temperature):
    """Left and right derivatives agree: their gap shrinks with the step (no kinks).

    A function with a kink keeps a finite left/right slope difference however
    small the step; a C1 one has a difference of order f''*h. We compare steps
    h and h/10 and require the difference to shrink at least 2-fold, or to be
    below rounding noise. A smooth feature narrower than h (the transport
    share's floor around V = 0 is ~3e-5 V wide) looks like a kink at h and
    h/10, so a third step h/100 gets the same test.
    """
    params = complete_params(temperature_K=temperature)
    state = list(_state_from_unit(params, u))
    # steps well below the windows' widths (0.02 nm, 10 mV) but large enough that
    # the rounding noise of cancelling Butler-Volmer terms stays negligible
    scale = 2e-4 if which == 0 else 2e-4 * max(1.0, abs(state[which - 1]))

    def f(x):
        if which == 0:
            return _all_outputs(x, tuple(state), params)
        s = list(state)
        s[which - 1] = x
        return _all_outputs(v, tuple(s), params)

    x0 = v if which == 0 else state[which - 1]

    def slope_gap(h):
        """|right - left slope| at step h, and the rounding noise that gap can carry."""
        right, left = _one_sided_slopes(f, x0, h)
        return np.abs(right - left), 1e-9 * (np.abs(f(x0)) / h + np.abs(right)) + 1e-300

    gap1, _ = slope_gap(scale)
    gap2, noise = slope_gap(scale / 10)
    # outputs that are physically nil here only show rounding noise of cancelling terms: state rates
    # below 1e-12 per second (a millionth of a nm in 10 days), currents and conductances below 1e-20
    floor = np.array([1e-12] * 4 + [1e-20, 1e-20, 1e-20])
    negligible = np.maximum.reduce([np.abs(f(x0 + s * scale)) for s in (-1, 0, 1)]) < floor
    # how the slope gap scales with the step tells them apart: a kink keeps it (gap2 ~ gap1), a C1
    # function shrinks it (gap2 ~ gap1/10), rounding of cancelling terms (large Butler-Volmer branches
    # at high temperature) leaves a value discrepancy of a few ulps whatever the step (gap2 ~ 10 gap1)
    rounding = gap2 >= 5 * gap1
    ok = (gap2 <= gap1 / 2 + noise) | (gap2 <= noise * 100) | negligible | rounding
    if not np.all(ok):  # a feature narrower than the step: one more decade down
        gap3, noise3 = slope_gap(scale / 100)
        ok |= gap3 <= gap2 / 2 + noise3
    assert np.all(ok), (which, x0, gap1, gap2)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=_param_strategy(), seed=st.integers(0, 2**16))
def test_states_stay_in_bounds_under_extreme_stimuli(params, seed):
    rng = np.random.default_rng(seed)
    amps = rng.uniform(-10, 10, 20)
    stim = pulse_train(amps, 1e-4, 1e-3, edge_s=1e-9)
    sol = integrate(params, stim, t_eval=np.linspace(0, stim.duration_s, 201), series_resistance_ohm=100.0,
                    max_iterations=50000)
    bounds = compiled.state_bounds(params)
    for (lo, hi), spec in zip(bounds, STATES):
        x = sol.states[spec.name][0]
        assert np.all(np.isfinite(x))
        m = MARGIN[spec.name]
        assert x.min() >= lo - m and x.max() <= hi + m, (spec.name, x.min(), x.max(), lo, hi)
    assert np.all(np.isfinite(sol.current_A))
