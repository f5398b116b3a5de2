"""``ngspice -b`` runner (memcompact/spice/batch.py)."""

from __future__ import annotations

import os
import subprocess

import numpy as np
import pytest

from memcompact.errors import ToolchainError
from memcompact.spice import SimulationError, find_ngspice, ngspice_binary_version, read_raw, run_batch, run_batch_all
from memcompact.spice.batch import with_osdi_control


def test_osdi_control_block_goes_before_end():
    text = with_osdi_control("* t\nR1 a 0 1\n.op\n.end\n* trailing comment\n", ["/x/a.osdi", "/x/b.osdi"])
    assert text.splitlines() == ["* t", "R1 a 0 1", ".op", ".control", "pre_osdi /x/a.osdi",
                                 "pre_osdi /x/b.osdi", ".endc", ".end", "* trailing comment"]
    assert with_osdi_control("* t\n.op", ["m.osdi"]).splitlines()[-4:] == [
        ".control", "pre_osdi m.osdi", ".endc", ".end"]


def test_missing_ngspice_binary(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolchainError, match="ngspice executable not found on PATH"):
        find_ngspice()
    with pytest.raises(ToolchainError, match="ngspice executable not found"):
        run_batch("* t\nV1 a 0 1\nR1 a 0 1k\n.op\n")


@pytest.mark.ngspice
def test_binary_version():
    assert ngspice_binary_version() >= 42


@pytest.mark.ngspice
def test_op_and_tran_in_one_run(tmp_path):
    results = run_batch_all("* rc\nV1 in 0 dc 2\nR1 in out 1k\nR2 out 0 3k\n.op\n.tran 1u 10u\n",
                            keep_dir=tmp_path / "keep")
    assert [r.analysis for r in results] == ["op", "tran"]
    op, tran = results
    assert op.v("out")[0] == pytest.approx(1.5, rel=1e-12)
    assert op.i("V1")[0] == pytest.approx(-0.5e-3, rel=1e-12)
    assert tran.scale[0] == 0.0 and tran.scale[-1] == pytest.approx(1e-5)
    np.testing.assert_allclose(tran.v("out"), 1.5, rtol=1e-12)
    kept = sorted(p.name for p in (tmp_path / "keep").iterdir())
    assert kept == ["circuit.cir", "circuit.log", "circuit.raw"]


@pytest.mark.ngspice
def test_ascii_and_binary_raw_agree(tmp_path, resistor_osdi):
    """A user's own `ngspice -b -r` output, ASCII or binary, reads the same."""
    netlist = tmp_path / "sweep.cir"
    netlist.write_text(f"* sweep\nV1 a 0 0\nN1 a 0 m\n.model m va_resistor r=3k\n.dc V1 0 3 0.5\n"
                       f".control\npre_osdi {resistor_osdi}\n.endc\n.end\n")
    for name, ascii_ in (("bin.raw", False), ("asc.raw", True)):
        env = dict(os.environ)
        env.pop("SPICE_ASCIIRAWFILE", None)
        if ascii_:
            env["SPICE_ASCIIRAWFILE"] = "1"
        subprocess.run([find_ngspice(), "-b", "-r", str(tmp_path / name), str(netlist)], env=env,
                       check=True, capture_output=True, timeout=120)
    assert (tmp_path / "asc.raw").read_bytes().count(b"Values:") == 1
    (b,), (a,) = read_raw(tmp_path / "bin.raw"), read_raw(tmp_path / "asc.raw")
    for res in (a, b):
        np.testing.assert_allclose(-res.i("v1"), np.arange(7) * 0.5 / 3e3, rtol=1e-12, atol=1e-20)
    for name in b.vectors:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-14, atol=0)


@pytest.mark.ngspice
def test_errors_are_reported():
    with pytest.raises(SimulationError, match="(?s)exit 1.*Unable to find definition of model nope"):
        run_batch("* bad\nV1 a 0 1\nN1 a 0 nope\n.op\n")
    with pytest.raises(SimulationError, match="wrote no data"):
        run_batch("* no analysis\nV1 a 0 1\nR1 a 0 1k\n.end\n")
    with pytest.raises(ToolchainError, match="OSDI file not found"):
        run_batch("* t\nV1 a 0 1\nR1 a 0 1k\n.op\n", osdi=["/nonexistent.osdi"])
