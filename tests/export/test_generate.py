"""Generated files: committed = fresh generation, Verilog-A conventions, compile, DC, CLI."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from memcompact.cli import main
from memcompact.export import ngspice_source, verilog_a_source
from memcompact.export.verilog_a import HOLD_CONDITION
from memcompact.export.regenerate import ROOT, VA_PATH, generated_files, stale_files
from memcompact.model import PARAMETERS, STATES, preset_card


def test_committed_files_equal_a_fresh_generation():
    # regenerate with: python -m memcompact.export.regenerate
    assert stale_files() == []


def test_regenerate_check_mode_reports_stale_file(tmp_path):
    for rel, text in generated_files().items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / VA_PATH).write_text("// edited by hand\n")
    proc = subprocess.run([sys.executable, "-m", "memcompact.export.regenerate", "--check", "--root", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and str(VA_PATH) in proc.stdout


def test_verilog_a_declares_every_parameter_with_desc_units_and_range():
    text = verilog_a_source(preset_card("ag_sio2"))
    for p in PARAMETERS:
        m = re.search(rf'\(\*desc="[^"]+", units="([^"]+)"\*\) parameter real {p.name} = (\S+) '
                      rf'from \[(\S+):(\S+)\];', text)
        assert m, p.name
        assert m.group(1) == p.unit
        assert float(m.group(2)) == pytest.approx(p.default, rel=1e-15)
        assert (float(m.group(3)), float(m.group(4))) == (p.lower, p.upper)


def test_verilog_a_structure():
    text = verilog_a_source(preset_card("ag_sio2"))
    assert re.search(r"^module memcompact_ecm\(ae, ie\);", text, re.MULTILINE)  # active electrode first
    assert "@(" not in text  # no events (no hidden state)
    # time is read once, only to tell a transient's operating point (t = 0, flag "tran") from its time points
    code = "\n".join(line.split("//")[0] for line in text.splitlines())
    assert code.count("$abstime") == 1 and f"hold = ({HOLD_CONDITION}) ? 1.0 : 0.0;" in code
    # each state's charge is state_charge*V(s): ngspice's chgtol floor then stands for 1e-13 state units
    assert code.count("<+ ddt(state_charge*V(s_") == len(STATES)
    assert code.count("<+ state_charge*(hold*V(s_") == len(STATES)
    assert re.search(r"localparam real state_charge = 0.1;", text)
    assert '`include "constants.vams"' in text and "`M_PI" in text and "`P_K/`P_Q" in text
    # every intermediate assigned exactly once
    for name in re.findall(r"^    real (\w+);", text, re.MULTILINE):
        assert len(re.findall(rf"^\s+{name} =", text, re.MULTILINE)) == 1, name
    # every state is read from its node through the clamp at its widened bounds
    flat = " ".join(code.split())
    for s in STATES:
        assert f"{s.name}_unclamped = {s.name}_init + V(s_{s.name});" in flat
        assert f"{s.name} = min(max({s.name}_unclamped, " in flat


def test_native_state_nodes_sit_one_unit_below_the_lower_bound():
    """A landed gap reads ~1 V on its node (ngspice's tolerances are relative to it); uic starts fresh."""
    from memcompact.export.ngspice import NODE_REFERENCE_BELOW

    lib = ngspice_source(preset_card("ag_sio2"))
    joined = " ".join(lib.replace("\n+ ", " ").split())  # continuation lines joined
    assert NODE_REFERENCE_BELOW == 1.0
    assert ".param gap_nm_ref = {(gap_min_m * 1000000000.0) - 1.0}" in lib
    for s in STATES:
        fresh = f"({s.name}_init - {s.name}_ref)"
        assert f"C_{s.name} s_{s.name} 0 1 IC={{{fresh}}}" in lib  # uic: the fresh device
        assert f": {fresh} - V(s_{s.name})" in joined  # DC: 1 S tie to the fresh device
        assert f"({s.name}_ref + V(s_{s.name}))" in joined  # every read
        assert f"({s.name}_init + V(s_{s.name}))" not in joined


def test_native_state_hold_does_not_rely_on_time_in_dc():
    """.op/.dc hold through V_transient's DC value (ngspice sets `time` to the .dc sweep value)."""
    lib = ngspice_source(preset_card("ag_sio2"))
    netlist = "\n".join(line for line in lib.splitlines() if not line.startswith("*"))
    assert "V_transient transient 0 DC 0 PWL(0 1)" in netlist  # one point: no transient breakpoint
    assert netlist.count("I = V(transient) > 0.5 && time > 0 ?") == len(STATES)
    assert len(re.findall(r"\btime\b", netlist)) == len(STATES)


def test_card_values_become_defaults():
    text = verilog_a_source(preset_card("cu_sio2"))
    assert "parameter real nucleation_barrier_eV = 1.45 from" in text
    lib = ngspice_source(preset_card("cu_sio2"))
    assert "+ nucleation_barrier_eV=1.45\n" in lib


@pytest.mark.parametrize("backend,suffix", [("verilog-a", ".va"), ("ngspice", ".lib"), ("python", ".py")])
def test_cli_writes_each_backend(tmp_path, backend, suffix, capsys):
    out = tmp_path / f"model{suffix}"
    assert main(["export", backend, "--card", "cu_sio2", "-o", str(out)]) == 0
    assert out.is_file() and "memcompact_ecm" in out.read_text()


@pytest.mark.parametrize("params,name", [
    ({"thickness_m": 1.0}, "thickness_m"),            # out of range
    ({"no_such_parameter": 1.0}, "no_such_parameter"),  # unknown
    ("drop:gap_min_m", "gap_min_m"),                   # missing
])
@pytest.mark.parametrize("backend", ["verilog-a", "ngspice", "python"])
def test_bad_card_exits_2_naming_the_parameter_and_writes_nothing(tmp_path, capsys, params, name, backend):
    import json

    card = preset_card("ag_sio2")
    if params == "drop:gap_min_m":
        del card["params"]["gap_min_m"]
    else:
        card["params"].update(params)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(card))
    out = tmp_path / "model.out"
    assert main(["export", backend, "--card", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert name in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.ngspice
def test_verilog_a_compiles_without_warnings(tmp_path):
    from memcompact.spice import find_va_compiler

    va = tmp_path / "m.va"
    va.write_text(verilog_a_source(preset_card("ag_sio2")))
    proc = subprocess.run([find_va_compiler(), str(va), "-o", str(tmp_path / "m.osdi")],
                          capture_output=True, text=True, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    messages = proc.stdout + proc.stderr
    assert proc.returncode == 0, messages
    assert "warning" not in messages.lower() and "error" not in messages.lower(), messages


def _fast_nucleation_card():
    """ag_sio2 with a 0.5 eV nucleation barrier: at +5 V the states' equilibrium (dx/dt = 0) is a formed device."""
    card = preset_card("ag_sio2")
    card["params"] = dict(card["params"], nucleation_barrier_eV=0.5)
    return card


@pytest.mark.ngspice
@pytest.mark.parametrize("backend,step_V,card", [
    ("verilog-a", 0.1, preset_card("ag_sio2")),
    ("ngspice", 0.5, preset_card("ag_sio2")),
    # ngspice sets `time` to the sweep value in .dc; a hold reading `time` would solve dx/dt = 0
    # there, i.e. form this device at positive voltages: the native hold must not depend on it
    ("ngspice", 1.0, _fast_nucleation_card()),
])
def test_operating_point_and_dc_sweep_of_a_fresh_device(backends, backend, step_V, card):
    from memcompact.export.testbench import dc_netlist
    from memcompact.model import card_params, conductance, initial_state
    from memcompact.spice import run_netlist_all

    text = dc_netlist(backend, card, -5.0, 5.0, step_V, include=str(backends.lib))
    results = run_netlist_all(text, osdi=[backends.osdi] if backend == "verilog-a" else ())
    assert sorted(r.analysis for r in results) == ["dc", "op"]
    dc = next(r for r in results if r.analysis == "dc")
    # fresh device: I = G(initial state) * V, to 1e-9 relative (no singular matrix, no floating state)
    p = card_params(card)
    g = float(conductance(initial_state(p), p))
    v, i = dc.scale, -dc.i("V1")
    on = abs(v) > 0.05
    assert i[on] / v[on] == pytest.approx(g, rel=1e-6)


@pytest.mark.ngspice
def test_other_card_export_compiles_and_runs_in_ngspice_batch(tmp_path):
    """`export verilog-a --card cu_sio2` and the native library, run with ngspice -b."""
    from memcompact.export.testbench import dc_netlist
    from memcompact.spice import compile_va, run_batch

    va, lib = tmp_path / "cu.va", tmp_path / "cu.lib"
    assert main(["export", "verilog-a", "--card", "cu_sio2", "-o", str(va)]) == 0
    assert main(["export", "ngspice", "--card", "cu_sio2", "-o", str(lib)]) == 0
    osdi = compile_va(va)
    card = preset_card("cu_sio2")
    assert "memcompact_ecm" in lib.read_text()
    # the native library's DC run in ngspice -b reports B-source overflow messages (docs/export.md, Limits)
    text = dc_netlist("verilog-a", card, 0.0, 1.0, 0.5)
    result = run_batch(text, osdi=[osdi])
    assert result.analysis in ("op", "dc")


def _run_committed_testbench(tmp_path, filename, compile_osdi=False):
    """ngspice -b circuits/<filename> as a user runs it, from a copy of the generated files; its stdout.

    Asserts the run ends cleanly and both ``.meas`` lines report (none failed).
    """
    import shutil

    from memcompact.spice import compile_va, find_ngspice

    root = tmp_path / "repo"
    for rel, text in generated_files().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    if compile_osdi:
        compile_va(root / VA_PATH, root / VA_PATH.with_suffix(".osdi"))
    shutil.copy(ROOT / "circuits" / filename, root / "circuits")
    proc = subprocess.run([find_ngspice(), "-b", f"circuits/{filename}"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert re.search(r"i_device_max_a\s+=\s+\S+", proc.stdout), proc.stdout[-2000:]
    assert re.search(r"i_device_end_a\s+=\s+\S+", proc.stdout), proc.stdout[-2000:]  # no failed .meas
    return proc.stdout


@pytest.mark.ngspice
@pytest.mark.parametrize("name", ["stress", "sweep", "pulses"])
def test_committed_va_testbench_runs_with_plain_ngspice_b(tmp_path, name):
    """circuits/<name>_va.cir as a user runs it: ngspice -b, relative pre_osdi path."""
    _run_committed_testbench(tmp_path, f"{name}_va.cir", compile_osdi=True)


@pytest.mark.ngspice
@pytest.mark.slow
@pytest.mark.parametrize("name,decades", [("stress", 0.01), ("pulses", 0.05)])
def test_committed_native_testbench_runs_with_plain_ngspice_b(tmp_path, name, decades):
    """circuits/<name>_native.cir as a user runs it (relative .include); its largest current is Python's.

    Pulses: the peak comes within a 100 us, 5 V pulse that the run's largest
    step (100 us) samples coarsely: 0.029 decades low (the parity test compares
    the reads between pulses). The ±V sweep is left out: at its parity options
    (reltol 1e-6) the native run takes ~2 min; test_parity covers it.
    """
    import numpy as np

    from memcompact.export.testbench import SERIES_OHM, standard_stimuli
    from memcompact.model import card_params, integrate

    stdout = _run_committed_testbench(tmp_path, f"{name}_native.cir")
    found = re.search(r"i_device_max_a\s+=\s+(\S+)", stdout)
    stimulus = standard_stimuli()[name]
    t = np.linspace(0.0, stimulus.duration_s, 20001)
    python_max = integrate(card_params(preset_card("ag_sio2")), stimulus, t_eval=t,
                           series_resistance_ohm=SERIES_OHM).current_A.max()
    assert python_max > 1e-5  # the device formed: a current worth comparing
    assert abs(np.log10(float(found.group(1)) / python_max)) < decades
