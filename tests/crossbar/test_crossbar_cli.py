"""`memcompact crossbar`: outputs, and exit 2 with nothing written on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "memcompact", "crossbar", *args], capture_output=True, text=True,
                          timeout=300)


def test_vmm_python_writes_netlist_results_and_plot(tmp_path):
    out = tmp_path / "out"
    proc = run_cli("--rows", "6", "--cols", "5", "--task", "vmm", "--engine", "python", "--wire-ohm", "2",
                   "-o", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    for name in ("crossbar.cir", "vmm.csv", "summary.json", "vmm.png", "row_voltages.csv"):
        assert (out / name).is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert 1e-4 < summary["vmm_relative_error_max"] < 0.1
    assert (out / "crossbar.cir").read_text().count("\nN") == 30


@pytest.mark.parametrize("args", [
    ["--rows", "0", "--cols", "4"],
    ["--rows", "4", "--cols", "4", "--wire-ohm", "-1"],
    ["--rows", "4", "--cols", "4", "--card", "missing.json"],
    ["--rows", "4", "--cols", "4", "--cell", "2T2R"],
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args):
    out = tmp_path / "out"
    proc = run_cli(*args, "-o", str(out))
    assert proc.returncode == 2
    assert not out.exists()
    assert proc.stderr.strip().count("\n") == 0 or "usage" in proc.stderr
