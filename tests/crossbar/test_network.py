"""Line-preconditioned conjugate gradients and Rayleigh-bound Thevenin resistances (memcompact.crossbar.network)
against SuperLU on the assembled nodal matrix, and the program/read cycle against ngspice at 32x32 and 64x64."""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.crossbar.netlist import CrossbarSpec, phase_starts_s, run_transient_ngspice
from memcompact.crossbar.network import LineNetwork, NotConverged
from memcompact.crossbar.operations import program_phases, read_phases
from memcompact.crossbar.solver import (
    Network, _factor_1r, _thevenin_from_lu, simulate_phases, solve_dc, solve_dc_many,
)

# (rows, cols, wire Ohm, driver Ohm, sense, log10 range of the cell conductances [S])
NETWORKS = [(5, 4, 1.0, 100.0, "virtual_ground", (-13, -8)),
            (12, 9, 2.0, 0.0, "load", (-9, -3)),          # cells stronger than the driver: rho ~ 1
            (7, 16, 0.01, 10.0, "virtual_ground", (-6, -4))]


def _networks(seed=3):
    rng = np.random.default_rng(seed)
    for n, m, wire, driver, sense, (lo, hi) in NETWORKS:
        spec = CrossbarSpec(n, m, wire_resistance_ohm=wire, driver_resistance_ohm=driver, sense=sense)
        g = 10 ** rng.uniform(lo, hi, (n, m))
        row_V = rng.uniform(-1.0, 1.0, n)
        col_V = rng.uniform(0.0, 0.3, m) if sense == "load" else np.zeros(m)
        net = Network(spec, row_V, col_V)
        lines = net.line_network()
        lines.set_conductances(g)
        yield spec, g, row_V, col_V, net, lines


def test_conjugate_gradients_match_superlu_node_by_node():
    for spec, g, row_V, col_V, net, lines in _networks():
        v = _factor_1r(net, g.ravel()).solve(net.source)
        xr, xc = lines.solve(*lines.source())
        scale = np.max(np.abs(v))
        np.testing.assert_allclose(xr[:, :, 0].ravel(), v[net.r_idx.ravel()], rtol=0, atol=1e-11 * scale)
        np.testing.assert_allclose(xc[:, :, 0].ravel(), v[net.c_idx.ravel()], rtol=0, atol=1e-11 * scale)
        # column currents: the sum of the cells = the termination's current (KCL), both ways
        np.testing.assert_allclose(lines.column_currents(xr, xc)[:, 0], Network.column_currents(net, v),
                                   rtol=1e-9)
        # the public solve_dc, both methods
        a = solve_dc(spec, row_V, col_V, conductance_S=g, method="iterative").column_currents_A
        b = solve_dc(spec, row_V, col_V, conductance_S=g, method="direct").column_currents_A
        np.testing.assert_allclose(a, b, rtol=1e-9)


def test_many_right_hand_sides_equal_one_at_a_time():
    spec, g, row_V, col_V, net, lines = next(_networks(seed=5))
    inputs = np.random.default_rng(1).uniform(0.0, 0.2, (6, spec.rows))
    together = solve_dc_many(spec, inputs, col_V, conductance_S=g, method="iterative", chunk=4)
    direct = solve_dc_many(spec, inputs, col_V, conductance_S=g, method="direct")
    single = np.array([solve_dc(spec, v, col_V, conductance_S=g).column_currents_A for v in inputs])
    np.testing.assert_allclose(together, single, rtol=1e-9)
    np.testing.assert_allclose(direct, single, rtol=1e-9)


def test_thevenin_resistances_lie_between_their_rayleigh_bounds():
    for spec, g, row_V, col_V, net, lines in _networks():
        exact = _thevenin_from_lu(net, _factor_1r(net, g.ravel()), g.ravel(), np.arange(g.size)).reshape(g.shape)
        low, est, high = lines.thevenin_bounds()
        assert np.all(low <= exact * (1 + 1e-9)) and np.all(exact <= high * (1 + 1e-9))
        assert np.all(low <= est * (1 + 1e-12)) and np.all(est <= high * (1 + 1e-12))
        # the estimate is no further from the truth than the bounds are apart
        assert np.all(np.abs(est - exact) <= high - low + 1e-12 * exact)
        np.testing.assert_allclose(lines.thevenin_exact(np.arange(g.size)), exact.ravel(), rtol=1e-6)
    # an array without cells: the bounds meet at the wires' and terminations' resistance
    lines = LineNetwork(3, 4, 1.0, np.full(3, 1 / 101.0), np.ones(3), np.full(4, 1.0), np.zeros(4))
    lines.set_conductances(np.zeros((3, 4)))
    low, est, high = lines.thevenin_bounds()
    i, j = np.meshgrid(np.arange(3), np.arange(4), indexing="ij")
    np.testing.assert_allclose(low, 101.0 + j + 1.0 + (2 - i), rtol=1e-12)
    np.testing.assert_allclose(high, low, rtol=1e-12)


def test_conjugate_gradients_say_when_they_stop_short():
    spec, g, row_V, col_V, net, lines = list(_networks())[1]
    with pytest.raises(NotConverged):
        lines.solve(*lines.source(), maxiter=1)


def test_exact_thevenin_resistances_where_the_bounds_are_loose_change_little():
    """thevenin_rtol=0: every selected cell's exact Thevenin resistance whenever its bounds differ at all;
    the default (block-Jacobi values between the bounds) reads the same currents within 1e-4 decades."""
    spec = CrossbarSpec(16, 16)
    phases = _cycle(spec)
    default = simulate_phases(spec, phases)
    exact = simulate_phases(spec, phases, thevenin_rtol=0.0)
    assert default.info["exact_thevenin"] == 0 and exact.info["exact_thevenin"] >= 8
    assert 1e-3 < default.info["thevenin_gap"] < 1.0          # the bounds part while the cells form
    ia, ib = default.column_currents_A[-1], exact.column_currents_A[-1]
    assert np.min(ia[::2]) > 1e3 * np.max(ia[1::2])
    assert np.max(np.abs(np.log10(ia / ib))) < 1e-4


def _cycle(spec):
    """One V/2 write pulse on row 0 (every other cell selected), one read of row 0 (bench_crossbar.py)."""
    pattern = np.zeros(spec.shape, dtype=bool)
    pattern[0, ::2] = True
    return program_phases(spec, pattern, "V/2")[:1] + read_phases(spec)[:1]


@pytest.mark.ngspice
@pytest.mark.parametrize("n", [32, pytest.param(64, marks=pytest.mark.slow)])
def test_program_read_cycle_matches_ngspice_within_0005_decades(n):
    """The benchmark cycle on a fresh N x N 1R array: every read current of row 0 (half formed, half fresh)
    within 0.005 decades of ngspice (Verilog-A cells), with the conjugate gradients and with SuperLU."""
    spec = CrossbarSpec(n, n)
    phases = _cycle(spec)
    t, currents, _ = run_transient_ngspice(spec, phases)
    starts, _ = phase_starts_s(phases)
    ref = np.array([np.interp(starts[-1] + phases[-1].sample_time_s(), t, c) for c in currents])
    assert np.min(ref[::2]) > 1e3 * np.max(ref[1::2])          # the written cells read ON, the others OFF
    for method in ("iterative", "direct"):
        res = simulate_phases(spec, phases, method=method)
        assert res.info["fallback"] is False
        diff = np.abs(np.log10(np.abs(res.column_currents_A[-1])) - np.log10(np.abs(ref)))
        assert diff.max() <= 0.005, (method, diff.max())
