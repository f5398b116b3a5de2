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
    for name in ("crossbar.cir", "vmm.csv", "summary.json", "vmm.png", "row_voltages.csv",
                 "memcompact_ecm_cell.osdi"):
        assert (out / name).is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert 1e-4 < summary["vmm_relative_error_max"] < 0.1
    text = (out / "crossbar.cir").read_text()
    assert text.count("\nN") == 30 and "pre_osdi memcompact_ecm_cell.osdi" in text


@pytest.mark.ngspice
def test_written_netlist_runs_with_ngspice_b(tmp_path):
    """The program netlist the command writes runs with plain `ngspice -b` and prints the read currents."""
    import shutil

    out = tmp_path / "out"
    proc = run_cli("--rows", "2", "--cols", "2", "--task", "program", "--engine", "python", "-o", str(out),
                   "--quiet")
    assert proc.returncode == 0, proc.stderr
    run = subprocess.run([shutil.which("ngspice"), "-b", str(out / "crossbar.cir")], capture_output=True,
                         text=True, timeout=300, cwd=tmp_path)
    values = {line.split("=")[0].strip(): float(line.split("=")[1].split()[0])
              for line in run.stdout.splitlines() if line.startswith("i_read_")}
    assert len(values) == 4
    # checkerboard: (0,0) and (1,1) SET, read ~8e-10 A at 0.2 V; the others at the 2e-14 A leakage
    assert values["i_read_r0_c0"] > 1e4 * values["i_read_r0_c1"]
    assert values["i_read_r1_c1"] > 1e4 * values["i_read_r1_c0"]


@pytest.mark.parametrize("args", [
    ["--rows", "0", "--cols", "4"],
    ["--rows", "4", "--cols", "4", "--wire-ohm", "-1"],
    ["--rows", "4", "--cols", "4", "--card", "missing.json"],
    ["--rows", "4", "--cols", "4", "--cell", "2T2R"],
    ["--rows", "1025", "--cols", "4", "--engine", "python"],
    ["--rows", "4", "--cols", "300", "--engine", "ngspice"],
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args):
    out = tmp_path / "out"
    proc = run_cli(*args, "-o", str(out))
    assert proc.returncode == 2
    assert not out.exists()
    assert proc.stderr.strip().count("\n") == 0 or "usage" in proc.stderr


def test_python_engine_accepts_arrays_up_to_1024_lines(tmp_path):
    """The size check: 1024 lines with the Python solver, 256 with ngspice (run() is not called)."""
    import argparse

    from memcompact.commands import crossbar
    from memcompact.errors import InputError

    parser = argparse.ArgumentParser()
    crossbar.add_arguments(parser)
    for engine, size in (("python", 1024), ("ngspice", 256)):
        args = parser.parse_args(["--rows", str(size), "--cols", str(size), "--engine", engine,
                                  "-o", str(tmp_path / "out")])
        crossbar._check(args)
        args.rows += 1
        with pytest.raises(InputError, match=f"between 1 and {size} with --engine {engine}"):
            crossbar._check(args)
