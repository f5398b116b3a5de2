"""Shared-mode ngspice through PySpice (memcompact/spice/shared.py)."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest

from memcompact.errors import ToolchainError
from memcompact.spice import SimulationError, has_osdi, load_osdi, ngspice_version, run_netlist, run_netlist_all
from memcompact.spice import shared

pytestmark = pytest.mark.ngspice


def test_version_and_osdi_support():
    assert ngspice_version() >= 42
    assert has_osdi()


def test_pyspice_version_warning_is_silenced(caplog):
    with caplog.at_level(logging.WARNING):
        run_netlist("* quiet\nV1 a 0 1\nR1 a 0 1k\n.op\n")
    assert not [r for r in caplog.records if "Unsupported Ngspice version" in r.getMessage()]


def test_divider_operating_point():
    r = run_netlist("* divider\nV1 in 0 dc 3\nR1 in out 2k\nR2 out 0 1k\n.op\n.end\n")
    assert r.analysis == "op" and r.scale is None
    assert r.v("out")[0] == pytest.approx(1.0, rel=1e-12)
    assert r.v("v(in)")[0] == 3.0
    assert r.i("V1")[0] == pytest.approx(-1e-3, rel=1e-12)


def test_repeated_runs_do_not_leak_state(resistor_osdi):
    """The singleton is reused: each run sees only its own circuit and plots."""
    currents = []
    for r_ohm in (1e3, 2e3, 5e3, 1e3):
        res = run_netlist(f"* run\nV1 a 0 2\nN1 a 0 m\n.model m va_resistor r={r_ohm!r}\n.op\n",
                          osdi=[resistor_osdi])
        assert res.name == "op1"  # plots are destroyed between runs
        currents.append(float(res.i("V1")[0]))
    np.testing.assert_allclose(currents, [-2e-3, -1e-3, -4e-4, -2e-3], rtol=1e-12)
    assert shared.ngspice_shared().plot_names == ["const"]


def test_several_analyses_in_one_netlist(resistor_osdi):
    results = run_netlist_all(
        "* two analyses\nV1 a 0 dc 1\nN1 a 0 m\n.model m va_resistor r=1k\n.op\n.dc V1 0 1 0.5\n",
        osdi=[resistor_osdi])
    # ngspice runs analyses in its own fixed order (dc before op), as `ngspice -b` does
    assert [r.analysis for r in results] == ["dc", "op"]
    dc, op = results
    np.testing.assert_allclose(dc.i("V1"), [0.0, -5e-4, -1e-3], rtol=1e-12, atol=1e-18)
    assert op.i("V1")[0] == pytest.approx(-1e-3, rel=1e-12)


def test_transient_rc_charging(resistor_osdi):
    """Verilog-A 1 kOhm with a native 1 uF: v(out) = 1 - exp(-t / 1 ms)."""
    r = run_netlist(
        "* RC step\nV1 in 0 pwl(0 0 1n 1)\nN1 in out m\n.model m va_resistor r=1k\nC1 out 0 1u\n"
        ".options reltol=1e-6\n.tran 5u 5m\n", osdi=[resistor_osdi])
    t = r.scale
    assert r.analysis == "tran" and t[0] == 0.0 and t[-1] == pytest.approx(5e-3)
    expected = 1.0 - np.exp(-(t - 1e-9).clip(min=0.0) / 1e-3)
    assert np.max(np.abs(r.v("out") - expected)) < 1e-5  # measured 9.7e-7 V
    k = np.searchsorted(t, 1e-3)
    assert r.v("out")[k] == pytest.approx(1.0 - np.exp(-t[k] / 1e-3), abs=1e-5)


def test_netlist_error_then_recovery(resistor_osdi):
    with pytest.raises(SimulationError, match="Unable to find definition of model nope"):
        run_netlist("* bad\nV1 a 0 1\nN1 a 0 nope\n.op\n", osdi=[resistor_osdi])
    with pytest.raises(SimulationError, match="no analysis"):
        run_netlist("* nothing to do\nV1 a 0 1\nR1 a 0 1k\n")
    with pytest.raises(SimulationError, match="(?i)timestep too small|singular"):
        run_netlist("* voltage loop\nV1 a 0 1\nV2 a 0 2\nR1 a 0 1k\n.op\n")
    ok = run_netlist("* fine again\nV1 a 0 1\nR1 a 0 250\n.op\n")
    assert ok.i("V1")[0] == pytest.approx(-4e-3, rel=1e-12)


def test_osdi_path_with_blanks(resistor_osdi, tmp_path):
    folder = tmp_path / "with blanks"
    folder.mkdir()
    copy = folder / "my resistor.osdi"
    shutil.copyfile(resistor_osdi, copy)
    load_osdi(copy)
    r = run_netlist("* blanks\nV1 a 0 1\nN1 a 0 m\n.model m va_resistor r=10\n.op\n", osdi=[copy])
    assert r.i("V1")[0] == pytest.approx(-0.1, rel=1e-12)


def test_missing_or_invalid_osdi_file(tmp_path):
    with pytest.raises(ToolchainError, match="OSDI file not found"):
        load_osdi(tmp_path / "none.osdi")
    junk = tmp_path / "junk.osdi"
    junk.write_text("not a shared object")
    with pytest.raises(ToolchainError, match="could not load .*junk.osdi"):
        load_osdi(junk)


def test_ngspice_without_osdi_is_detected(monkeypatch, tmp_path):
    """ngspice < 39 (Debian 12's own 39 too) answers 'no such command' to `osdi`."""
    real = shared._command

    def old_ngspice(ng, command):
        if command.split()[0] == "osdi":
            return [], ["osdi: no such command available in ngspice"]
        return real(ng, command)

    monkeypatch.setattr(shared, "_command", old_ngspice)
    fake = tmp_path / "m.osdi"
    fake.write_bytes(b"\x7fELF")
    assert not has_osdi()
    with pytest.raises(ToolchainError, match="has no OSDI support .*ngspice >= 42 built with OSDI"):
        load_osdi(fake)
