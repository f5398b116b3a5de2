"""The exported model in netlists written the way a user would: default options, no ``uic``.

tests/data/netlists/ holds hand-written netlists (one device at 5 V through 1 kOhm; a 1T1R
cell with a level-1 NMOS), and examples/user_crossbar.py writes a 1R crossbar the way a
user's script would. Each runs as written (ngspice solves the transient's operating point
first) and with ``uic`` added; both must start from the fresh device and give the same
transient. The native subcircuit runs the same netlists with ``.include`` and ``X`` lines.

Measured (this file's tests, ngspice 46): Verilog-A device stress 2.2393e-08 A at 2.99 ms
both ways (Python: 2.2393e-08); 1T1R read 8.262e-10 / 8.263e-10 A; a fresh device reads
5.0e-13 A at 5 V both ways (it read 10x that from the operating point before the hold
covered it). Before the model bounded its own step, the 32x32 crossbar's written cell came
out unformed from the operating point and formed with ``uic`` (states 400 nm out of bounds).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

from memcompact.model import Stimulus, integrate, preset_params

pytestmark = [pytest.mark.ngspice]

NETLISTS = Path(__file__).resolve().parents[1] / "data" / "netlists"
ROOT = Path(__file__).resolve().parents[2]

#: Largest |log10| difference of a measured current between the run from the operating
#: point and the ``uic`` run [decades] (the parity tests' event tolerance, 0.05).
OP_VS_UIC_DECADES = 0.05
#: Native runs get the parity options of the native stress (reltol 1e-3, step <= 1/5000 of
#: the run): at ngspice's defaults the native subcircuit's emptying reservoir is off by up to
#: 0.15 decades with or without ``uic`` (docs/export.md, "Accuracy").
NATIVE_OPTIONS = ".options reltol=1e-3\n"


def _user_crossbar_module():
    spec = importlib.util.spec_from_file_location("user_crossbar", ROOT / "examples" / "user_crossbar.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def to_native(text):
    """The same netlist with the native subcircuit: ``.include`` instead of ``.model`` and OSDI."""
    text = text.replace(".model mem memcompact_ecm", ".include memcompact_ecm.lib")
    lines = []
    skip = False
    for line in text.splitlines():
        if line.strip().lower() == ".control":
            skip = True
        if not skip:
            parts = line.split()
            if parts and parts[0][0].upper() == "N" and parts[-1] == "mem":
                line = "X" + " ".join([parts[0][1:], *parts[1:-1], "memcompact_ecm"])
            lines.append(line)
        if line.strip().lower() == ".endc":
            skip = False
    return "\n".join(lines) + "\n"


def with_uic(text):
    return "\n".join(line + " uic" if line.lower().startswith(".tran ") else line
                     for line in text.splitlines()) + "\n"


def with_native_step(text, duration_s):
    out = []
    for line in text.splitlines():
        if line.lower().startswith(".tran "):
            parts = line.split()
            line = " ".join(parts[:3] + ["0", f"{duration_s / 5000:g}"] + parts[3:])
            out.append(NATIVE_OPTIONS.strip())
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def workdir(backends, tmp_path_factory):
    folder = tmp_path_factory.mktemp("user_netlists")
    shutil.copyfile(backends.osdi, folder / "memcompact_ecm.osdi")
    shutil.copyfile(backends.lib, folder / "memcompact_ecm.lib")
    return folder


def run(text, folder, name="netlist.cir"):
    """Run with plain ``ngspice -b`` in ``folder``, as a user does; return the .meas values and the log."""
    import subprocess

    from memcompact.spice import find_ngspice
    from memcompact.spice.batch import measured_values

    (folder / name).write_text(text)
    proc = subprocess.run([find_ngspice(), "-b", name], cwd=folder, capture_output=True, text=True,
                          timeout=900, stdin=subprocess.DEVNULL)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-2000:]
    return measured_values(proc.stdout), log


def _both_ways(text, folder):
    op, log = run(text, folder)
    uic, _ = run(with_uic(text), folder)
    for word in ("singular", "gmin stepping", "source stepping", "Transient op"):
        assert word.lower() not in log.lower(), f"operating point needed '{word}'"
    return op, uic


def _python_device_stress():
    stimulus = Stimulus(np.array([0.0, 1e-6, 3e-3]), np.array([0.0, 5.0, 5.0]))
    sol = integrate(preset_params("ag_sio2"), stimulus, series_resistance_ohm=1000.0,
                    t_eval=np.array([0.0, 0.5e-3, 2.99e-3]), rtol=1e-5, atol_scale=0.01)
    return sol.current_A[0]


def _decades(a, b):
    return abs(np.log10(abs(a)) - np.log10(abs(b)))


def _netlist_both_ways(name, backend, folder):
    """.meas values of tests/data/netlists/<name> run from the operating point and with ``uic``."""
    text = (NETLISTS / name).read_text()
    if backend == "native":
        text = with_native_step(to_native(text), 3e-3)
    return _both_ways(text, folder)


@pytest.mark.parametrize("backend", ["verilog-a", pytest.param("native", marks=pytest.mark.slow)])
def test_device_stress_from_the_operating_point_is_the_uic_transient(workdir, backend):
    op, uic = _netlist_both_ways("device_stress.cir", backend, workdir)
    reference = _python_device_stress()
    print(f"{backend}: fresh {op['i_fresh']:.4e} / {uic['i_fresh']:.4e} A, end {op['i_end']:.4e} / "
          f"{uic['i_end']:.4e} A (op / uic), Python {reference[1]:.4e} / {reference[2]:.4e} A")
    for run_values in (op, uic):
        assert abs(run_values["i_fresh"] + 5.0e-13) < 1e-15  # a fresh device: 5 V x 1e-13 S leakage
        assert _decades(run_values["i_end"], reference[2]) < OP_VS_UIC_DECADES
    assert _decades(op["i_end"], uic["i_end"]) < OP_VS_UIC_DECADES


@pytest.mark.parametrize("backend", ["verilog-a", pytest.param("native", marks=pytest.mark.slow)])
def test_1t1r_cell_with_a_mosfet_from_the_operating_point(workdir, backend):
    op, uic = _netlist_both_ways("cell_1t1r.cir", backend, workdir)
    print(f"{backend}: fresh {op['i_fresh']:.4e} / {uic['i_fresh']:.4e} A, read {op['i_read']:.4e} / "
          f"{uic['i_read']:.4e} A (op / uic)")
    for run_values in (op, uic):
        assert abs(run_values["i_fresh"] + 5.0e-13) < 1e-14
        assert abs(run_values["i_read"]) > 1e-10  # the SET pulse formed the cell
    assert _decades(op["i_read"], uic["i_read"]) < OP_VS_UIC_DECADES


@pytest.mark.slow
def test_user_crossbar_from_the_operating_point_is_the_uic_transient(workdir):
    """8x8 1R crossbar (2 Ohm segments), V/2 write of cell (0, 0) at 5 V for 2 ms, then a 0.2 V read
    of all rows: every column current the same both ways, the written cell as a lone device."""
    module = _user_crossbar_module()
    rows = cols = 8
    op, uic = _both_ways(module.crossbar_netlist(rows, cols), workdir)
    for c in range(cols):
        assert _decades(op[f"i_col{c}"], uic[f"i_col{c}"]) < OP_VS_UIC_DECADES, c
    # the written cell against one device with its worst-case wire resistance in series
    stimulus = Stimulus(np.array([0.0, 1e-6, 2e-3, 2.001e-3, 2.01e-3, 2.011e-3, 2.51e-3]),
                        np.array([0.0, 5.0, 5.0, 0.0, 0.0, 0.2, 0.2]))
    sol = integrate(preset_params("ag_sio2"), stimulus, series_resistance_ohm=2.0 * 2 * rows + 10.0,
                    t_eval=np.array([0.0, 2.508e-3]), rtol=1e-5, atol_scale=0.01)
    print(f"crossbar: written cell {op['i_col0']:.4e} / {uic['i_col0']:.4e} A (op / uic), "
          f"lone device {sol.current_A[0][-1]:.4e} A; other columns {op['i_col1']:.3e} A")
    assert _decades(op["i_col0"], sol.current_A[0][-1]) < OP_VS_UIC_DECADES
    assert all(abs(op[f"i_col{c}"]) < 1e-11 for c in range(1, cols))  # half-selected cells stay fresh


@pytest.fixture(scope="module")
def python_write_6V_100ohm():
    """Python's current at 9.99 ms of the hard write (one run for all step settings)."""
    sol = integrate(preset_params("ag_sio2"), Stimulus(np.array([0.0, 1e-6, 10e-3]), np.array([0.0, 6.0, 6.0])),
                    series_resistance_ohm=100.0, t_eval=np.array([0.0, 9.99e-3]), rtol=1e-6, atol_scale=0.01)
    return sol.current_A[0][-1]


#: The fresh default card at 6 V through 100 Ohm forms at ~1.06 ms and drains the AE reservoir
#: in the same instant. Before the reservoir step bound (issue 14, 2026-12-03) ``.tran 1u 10m``
#: ended at 2.45e-08 A (Python 5.35e-08 A) and a 10 ms largest step stopped at 1.057 ms; now
#: 5.36e-08 and 5.48e-08 A. A 100 ms largest step (delmin 1e-12 s) still stops: Newton needs
#: sub-picosecond steps where the front lands at ~2.5 km/s. Strict: the mark comes off when it runs.
WRITE_CASES = [
    pytest.param(".tran 100u 10m", id="tran-100u"),
    pytest.param(".tran 1u 10m", id="tran-1u"),
    pytest.param(".tran 1u 10m 0 10m", id="tmax-10m"),
    pytest.param(".tran 1u 10m 0 100m", id="tmax-100m", marks=pytest.mark.xfail(
        strict=True, reason="issue 14: timestep too small at 1.057 ms (Newton in the front's landing)")),
]


@pytest.mark.parametrize("tran", WRITE_CASES)
def test_hard_write_through_100_ohm_matches_python_at_any_step_limit(workdir, tran, python_write_6V_100ohm):
    text = (NETLISTS / "device_write_6V_100ohm.cir").read_text().replace(".tran 1u 10m\n", tran + "\n")
    values, _ = run(text, workdir, name="device_write.cir")
    reference = python_write_6V_100ohm
    print(f"{tran}: {-values['i_end']:.4e} A, Python {reference:.4e} A")
    assert _decades(values["i_end"], reference) < OP_VS_UIC_DECADES
