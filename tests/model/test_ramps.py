"""Steps on voltage ramps: the RESET of a triangle sweep against scipy's Radau (memcompact.model.solver).

The reference is independent of our solver: ``scipy.integrate.solve_ivp(method="Radau")`` on the
generated right-hand side, segment by segment between the sweep's corners, at rtol 1e-7. Card:
ag_sio2 near a fit of tests/fit/waveform_shapes.py's sweep (lateral growth held off), 500 Ohm, the
sweep 0 -> 2.5 -> -1.5 -> 0 V in 1 s. Before RAMP_STEP_V the solver crossed the whole falling ramp
in one step and RESET only at the -1.5 V corner (rtol 1e-3), or at -1.21 V from the second period
on (rtol 1e-6).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from memcompact.model import compiled, integrate, solver
from memcompact.model.cards import preset_params
from memcompact.model.stimulus import pulse_train, triangle

SERIES_OHM = 500.0
RESET_GAP_NM = 1.0  # the RESET: the gap opens past 1 nm (gap_min 0.3 nm) on the falling ramp


@pytest.fixture(scope="module")
def sweep_card():
    params = preset_params("ag_sio2")
    params.update(nucleation_barrier_eV=0.6, growth_activation_eV=1.10, transfer_coefficient=0.40,
                  tunnel_resistance_ohm=1.3e4, leakage_conductance_S=2.1e-9, radius_growth_m=0.0,
                  radius_ecm_growth_m=0.0)
    return params


def _reset_voltages(time_s, gap_nm, stimulus, periods):
    """Applied voltage [V] where the gap first passes RESET_GAP_NM while V < 0, in each period."""
    volts = stimulus.voltage(time_s)
    out = []
    for p in range(periods):
        idx = np.nonzero((time_s >= p) & (time_s < p + 1) & (volts < 0) & (gap_nm > RESET_GAP_NM))[0]
        if not idx.size or idx[0] == 0:
            out.append(None)
            continue
        k = idx[0]
        # linear interpolation of the crossing between the two samples around it
        frac = (RESET_GAP_NM - gap_nm[k - 1]) / (gap_nm[k] - gap_nm[k - 1])
        out.append(float(volts[k - 1] + frac * (volts[k] - volts[k - 1])))
    return out


@pytest.fixture(scope="module")
def radau_reset_V(sweep_card):
    stimulus = triangle(2.5, -1.5, 1.0, cycles=1)
    q = compiled.solver_prepare(sweep_card)

    def rhs(t, y):
        return np.array(compiled.solver_derivatives(float(stimulus.voltage(t)), SERIES_OHM, tuple(y), q), dtype=float)

    y = np.array(compiled.initial_state(q), dtype=float)
    times, gaps = [], []
    corners = stimulus.breakpoints()
    for a, b in zip(corners[:-1], corners[1:]):
        t_eval = np.linspace(a, b, 2001)
        sol = solve_ivp(rhs, (a, b), y, method="Radau", rtol=1e-7, atol=1e-10, t_eval=t_eval)
        assert sol.success, sol.message
        y = sol.y[:, -1]
        times.append(t_eval)
        gaps.append(sol.y[1])
    (reset,) = _reset_voltages(np.concatenate(times), np.concatenate(gaps), stimulus, 1)
    assert reset is not None and -1.2 < reset < -0.8  # a RESET mid-ramp, not at the corner
    return reset


def _ours(card, rtol):
    stimulus = triangle(2.5, -1.5, 1.0, cycles=5)
    t = np.linspace(0.0, 5.0, 5 * 4000 + 1)
    sol = integrate(card, stimulus, t_eval=t, series_resistance_ohm=SERIES_OHM, rtol=rtol)
    return _reset_voltages(t, sol.states["gap_nm"][0], stimulus, 5)


@pytest.mark.parametrize("rtol", [1e-3, 1e-6])
def test_every_period_resets_where_radau_does(sweep_card, radau_reset_V, rtol):
    resets = _ours(sweep_card, rtol)
    print(f"Radau {radau_reset_V:.4f} V; rtol {rtol:g}: {resets}")
    assert all(r is not None and abs(r - radau_reset_V) < 0.01 for r in resets), (radau_reset_V, resets)


def test_without_the_ramp_cap_the_reset_is_missed(sweep_card, radau_reset_V, monkeypatch):
    """The failure the cap fixes, kept visible: one step over the falling ramp."""
    monkeypatch.setattr(solver, "RAMP_STEP_V", np.inf)
    resets = _ours(sweep_card, 1e-3)
    assert all(r is None or abs(r - radau_reset_V) > 0.3 for r in resets), resets


def test_nanosecond_pulse_edges_are_not_cut(monkeypatch):
    """RAMP_STEP_MIN_S: a 1 ns edge stays one step, so pulse trains cost what they did."""
    stimulus = pulse_train([3.0, -2.0] * 20, 1e-6, 1e-5)
    card = preset_params("ag_sio2")
    capped = integrate(card, stimulus, series_resistance_ohm=1000.0)
    monkeypatch.setattr(solver, "RAMP_STEP_V", np.inf)
    uncapped = integrate(card, stimulus, series_resistance_ohm=1000.0)
    assert capped.steps[0] == uncapped.steps[0]
    np.testing.assert_array_equal(capped.current_A, uncapped.current_A)
