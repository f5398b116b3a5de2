"""Crossbar netlists: spec checks, structure, the derived cell model, DC runs in ngspice."""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.crossbar import cellmodel
from memcompact.crossbar.netlist import STATE_CHGTOL, CrossbarSpec, run_vmm_ngspice, transient_netlist, vmm_netlist
from memcompact.crossbar.operations import program_phases
from memcompact.crossbar.solver import solve_dc
from memcompact.errors import InputError, ParameterError
from memcompact.model import default_params
from memcompact.model.variability import sample_devices


def formed_spec(n=4, m=3, seed=1, cell="1R", sense="virtual_ground", backend="verilog-a", spread=True):
    rng = np.random.default_rng(seed)
    params = default_params()
    if spread:
        sampled = sample_devices(params, n * m, seed=seed)
        params = {k: (np.asarray(v).reshape(n, m) if np.ndim(v) else v) for k, v in sampled.items()}
    spec = CrossbarSpec(n, m, cell=cell, sense=sense, backend=backend, wire_resistance_ohm=5.0, params=params)
    states = spec.states.copy()
    formed = rng.random((n, m)) < 0.5
    states[0][formed] = 1.1
    states[1][formed] = rng.uniform(0.3, 1.5, formed.sum())
    states[2][formed] = rng.uniform(1.0, 1.8, formed.sum())
    return spec.with_states(states)


@pytest.mark.parametrize("kwargs, error", [
    ({"rows": 0, "cols": 3}, InputError),
    ({"rows": 2, "cols": 3, "cell": "2T2R"}, InputError),
    ({"rows": 2, "cols": 3, "wire_resistance_ohm": 0.0}, InputError),
    ({"rows": 2, "cols": 3, "sense": "tia"}, InputError),
    ({"rows": 2, "cols": 3, "params": {"thickness_m": np.ones((3, 2))}}, ParameterError),
    ({"rows": 2, "cols": 3, "params": {"thickness_m": 1.0}}, ParameterError),
    ({"rows": 2, "cols": 3, "states": np.zeros((4, 3, 2))}, InputError),
])
def test_spec_rejects_bad_input(kwargs, error):
    with pytest.raises(error):
        CrossbarSpec(**kwargs)


def test_netlist_elements_1r_and_1t1r():
    spec = CrossbarSpec(3, 4)
    text = vmm_netlist(spec, [0.1, 0.2, 0.3])
    lines = text.splitlines()
    assert sum(line.startswith("RR") for line in lines) == 12       # one row segment per cell
    assert sum(line.startswith("RC") for line in lines) == 12       # one column segment per cell
    assert sum(line.startswith("N") for line in lines) == 12
    assert sum(line.startswith(".model xbcell") for line in lines) == 1   # identical fresh cells share one model
    one_t = vmm_netlist(CrossbarSpec(3, 4, cell="1T1R"), [0.1, 0.2, 0.3]).splitlines()
    assert sum(line.startswith("M") for line in one_t) == 12
    assert sum(line.startswith("VG") for line in one_t) == 3
    varied = vmm_netlist(formed_spec(), np.zeros(4))
    assert sum(line.startswith(".model xbcell") for line in varied.splitlines()) == 12


def test_cell_model_adds_state_offsets_only():
    va = cellmodel.cell_verilog_a_source()
    for name in cellmodel.OFFSET_NAMES:
        assert f"parameter real {name} = 0.0;" in va
    assert f"module {cellmodel.CELL_NAME}(" in va
    assert "gap_nm_unclamped = gap_nm_init + gap_nm_offset + V(s_gap_nm);" in va
    lib = cellmodel.cell_ngspice_source()
    assert f".subckt {cellmodel.CELL_NAME} ae ie" in lib and f".ends {cellmodel.CELL_NAME}" in lib
    assert "+ gap_nm_offset=0.0" in lib


def test_cell_bounds_transient_step_and_netlist_sets_chgtol():
    from memcompact.export.verilog_a import FRONT_STEP_SHARE, verilog_a_source
    from memcompact.model import preset_card

    for va in (cellmodel.cell_verilog_a_source(), verilog_a_source(preset_card("ag_sio2"))):
        assert va.count("$bound_step(") == 1
        assert "front_step_share / max(ddx(d_gap_nm, V(s_gap_nm)), 1e-30)" in va
        assert "landing_step_share * (gap_nm - gap_min_nm + window_nm) / max(-d_gap_nm, 1e-30)" in va
        assert f"localparam real front_step_share = {FRONT_STEP_SHARE!r};" in va
    spec = CrossbarSpec(2, 2)
    text = transient_netlist(spec, program_phases(spec, np.eye(2, dtype=bool)))
    assert f" chgtol={STATE_CHGTOL:g} " in text


@pytest.mark.ngspice
def test_one_cell_formation_in_ngspice_needs_few_newton_iterations():
    """One cell, one 4.5 V / 5 ms write pulse (102 Ohm in series): ngspice (Verilog-A cell, the
    crossbar's transient options) forms it within 1 % of the converged Python formation time, in
    fewer than 1,200 Newton iterations (measured 784; 2,250 before the cell's step bound and
    chgtol, when every formation cost 100-iteration Newton failures)."""
    import re

    from memcompact.model.solver import integrate
    from memcompact.model.stimulus import Stimulus
    from memcompact.spice import run_batch

    spec = CrossbarSpec(1, 1)
    phases = program_phases(spec, np.ones((1, 1), dtype=bool))
    text = transient_netlist(spec, phases).replace(".options klu", ".options acct klu", 1)
    result = run_batch(text, osdi=[cellmodel.cell_osdi()])
    iterations = float(re.search(r"^Transient iterations\s*=\s*(\S+)", result.log, re.MULTILINE).group(1))
    assert iterations < 1200
    t = np.asarray(result.scale, dtype=float)
    formed_ngspice = t[np.argmax(np.abs(np.asarray(result.i("VC0"))) > 1e-7)]
    phase = phases[0]
    grid = np.concatenate([[0.0], np.linspace(1.2e-3, 2.0e-3, 40001)])   # formation is at ~1.57 ms
    sol = integrate(dict(default_params()), Stimulus(phase.corners_s()[:3], [0.0, 4.5, 4.5]), t_eval=grid,
                    series_resistance_ohm=spec.driver_resistance_ohm + 2 * spec.wire_resistance_ohm,
                    rtol=1e-5, atol_scale=1e-2)
    current = np.asarray(sol.current_A).ravel()
    assert current[1] < 1e-7 < current.max()
    formed_python = grid[np.argmax(current > 1e-7)]
    assert abs(formed_ngspice / formed_python - 1.0) < 0.01


@pytest.mark.ngspice
@pytest.mark.parametrize("cell", ["1R", "1T1R"])
@pytest.mark.parametrize("sense", ["virtual_ground", "load"])
def test_dc_python_solver_matches_ngspice(cell, sense):
    """Python nodal solver vs ngspice (Verilog-A cells, per-cell spread and states): 1e-6 relative."""
    spec = formed_spec(cell=cell, sense=sense)
    rows = np.array([0.2, 0.1, 0.0, 0.3])
    for row_V, col_V in ((rows, 0.0), (np.array([np.nan, 0.2, np.nan, np.nan]), np.array([np.nan, 0.0, np.nan]))):
        ref = run_vmm_ngspice(spec, row_V, col_V)
        got = solve_dc(spec, row_V, col_V).column_currents_A
        ok = ~np.isnan(ref)
        assert np.all(np.isnan(got[~ok]))
        np.testing.assert_allclose(got[ok], ref[ok], rtol=1e-6)


@pytest.mark.ngspice
def test_dc_backends_agree_and_batch_binary_runs(tmp_path):
    """Verilog-A, native subcircuit and resistor cells give the same column currents; `ngspice -b` too."""
    spec = formed_spec(3, 3, spread=False)
    row_V = [0.2, 0.15, 0.1]
    ref = run_vmm_ngspice(spec, row_V)
    assert np.all(ref > 0)
    for backend in ("native", "resistor"):
        np.testing.assert_allclose(run_vmm_ngspice(spec.with_backend(backend), row_V), ref, rtol=1e-6)
    np.testing.assert_allclose(run_vmm_ngspice(spec, row_V, batch=True, keep_dir=tmp_path), ref, rtol=1e-6)
    assert (tmp_path / "circuit.cir").is_file()


def test_committed_examples_are_current():
    """circuits/crossbar/ matches its generator (rerun python -m memcompact.crossbar.examples if not)."""
    from pathlib import Path

    from memcompact.crossbar.examples import EXAMPLES, example_netlist

    folder = Path(__file__).resolve().parents[2] / "circuits" / "crossbar"
    assert (folder / f"{cellmodel.CELL_NAME}.va").read_text() == cellmodel.cell_verilog_a_source()
    lib = (folder / f"{cellmodel.CELL_NAME}.lib").read_text()
    assert lib == cellmodel.cell_ngspice_source()
    assert all(f"+ {name}=0.0" in lib for name in cellmodel.OFFSET_NAMES)
    for name, (cell, backend) in EXAMPLES.items():
        path = folder / f"{name}.cir"
        if path.exists():
            assert path.read_text() == example_netlist(cell, backend), name


@pytest.mark.ngspice
@pytest.mark.slow
@pytest.mark.parametrize("cell", ["1R", "1T1R"])
def test_program_read_from_the_operating_point_matches_uic(cell):
    """4x4 program/read (checkerboard) in ngspice started from the transient's operating point
    and with ``uic``: the same read currents (0.05 decades, the parity tests' tolerance), with
    cells starting half formed (a programmed state held by the operating point, not a fresh one)."""
    from memcompact.crossbar.operations import program_and_read
    from memcompact.model import initial_state

    spec = CrossbarSpec(4, 4, cell=cell)
    states = np.array(spec.states, dtype=float)
    fresh = np.array([float(np.ravel(x)[0]) for x in initial_state(default_params())])
    states[1] = fresh[1] * 0.5  # gap half bridged everywhere
    states[0] = 1.1  # nucleated
    spec = CrossbarSpec(4, 4, cell=cell, states=states)
    pattern = (np.indices((4, 4)).sum(axis=0) % 2).astype(bool)
    runs = {uic: program_and_read(spec, pattern, engine="ngspice", uic=uic).read_currents_A for uic in (True, False)}
    diff = np.abs(np.log10(np.abs(runs[False])) - np.log10(np.abs(runs[True])))
    print(f"{cell}: op vs uic read currents, largest difference {diff.max():.2g} decades")
    assert diff.max() < 0.05
