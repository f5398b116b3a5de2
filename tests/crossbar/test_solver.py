"""Python crossbar solver: circuit identities and array physics (no ngspice)."""

from __future__ import annotations

import numpy as np

from memcompact.crossbar.analysis import formed_states, ir_drop_map, sneak_read_margin, vmm_error
from memcompact.crossbar.netlist import CrossbarSpec
from memcompact.crossbar.solver import ideal_vmm, solve_dc


def analog_spec(n=8, wire=1.0, driver=100.0, seed=0):
    rng = np.random.default_rng(seed)
    spec = CrossbarSpec(n, n, wire_resistance_ohm=wire, driver_resistance_ohm=driver)
    return spec.with_states(formed_states(spec, np.ones(spec.shape, bool), rng.uniform(0, 1, spec.shape)))


def test_vmm_tends_to_ideal_with_ideal_wires_and_drivers():
    spec = analog_spec(wire=1e-6, driver=0.0)
    row_V = np.linspace(0.05, 0.2, 8)
    got = solve_dc(spec, row_V).column_currents_A
    np.testing.assert_allclose(got, ideal_vmm(spec.conductance_S(), row_V), rtol=1e-5)


def test_1r_dc_is_linear_in_the_inputs():
    spec = analog_spec()
    a, b = np.linspace(0, 0.2, 8), np.linspace(0.2, 0, 8) ** 2
    ia, ib = (solve_dc(spec, v).column_currents_A for v in (a, b))
    np.testing.assert_allclose(solve_dc(spec, 2 * a - 3 * b).column_currents_A, 2 * ia - 3 * ib, rtol=1e-9,
                               atol=1e-18)


def test_current_conservation_and_ir_drop_grows_towards_far_corner():
    drop, dc = ir_drop_map(16, wire_resistance_ohm=2.0)
    # every cell's current leaves through a column: sum of cells = sum of columns
    np.testing.assert_allclose(dc.cell_current_A.sum(), dc.column_currents_A.sum(), rtol=1e-9)
    assert np.all(drop > 0)
    # the drop grows along the rows (away from the drivers) and up the columns (away from the sense)
    assert drop[:, -1].mean() > drop[:, 0].mean() > drop[-1, :].mean()
    assert drop[0, :].mean() > drop[-1, :].mean()
    # without wires only the drivers' drop remains, the same along each row
    flat, _ = ir_drop_map(16, wire_resistance_ohm=1e-6)
    assert np.all(np.ptp(flat, axis=1) < 1e-3 * flat.max())


def test_vmm_error_grows_with_size_and_wire_resistance():
    small, big = vmm_error(8, 1.0, trials=1), vmm_error(32, 1.0, trials=1)
    assert 0 < small < big
    assert vmm_error(32, 5.0, trials=1) > 1.5 * big   # the 100 Ohm drivers add a size-only part


def test_sneak_paths_kill_the_1r_margin_not_the_1t1r_one():
    m1r = [sneak_read_margin(n, "1R")["margin"] for n in (4, 16, 64)]
    m1t = [sneak_read_margin(n, "1T1R")["margin"] for n in (4, 16, 64)]
    assert m1r[0] > m1r[1] > m1r[2] and m1r[2] < 0.01
    assert min(m1t) > 0.15 and max(m1t) - min(m1t) < 0.01
    # 1T1R: an HRS cell reads its own leakage only
    res = sneak_read_margin(16, "1T1R")
    assert res["current_hrs_A"] < 1e-12


def test_variability_monte_carlo_spreads_on_cells_and_is_seeded():
    from memcompact.crossbar.analysis import variability_monte_carlo

    a = variability_monte_carlo(n=3, trials=2, seed=5)
    assert np.std(np.log10(a["on_A"])) > 0.01                       # device spread shows in the ON reads
    assert np.min(a["on_A"]) > 1e3 * np.max(a["off_A"])              # still > 3 decades apart
    np.testing.assert_allclose(a["off_A"], a["nominal_off_A"], rtol=0.05)
