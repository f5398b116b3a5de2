"""End to end: Verilog-A resistor -> openvaf-r -> OSDI -> ngspice (shared via
PySpice, and ``ngspice -b``), DC sweep against Ohm's law.

Marked ``ngspice``: it runs in CI and fails when the toolchain is missing
(``make test`` installs it); only MEMCOMPACT_SKIP_NGSPICE=1 skips it.
"""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.spice import check_toolchain, run_batch, run_netlist

pytestmark = pytest.mark.ngspice

R_OHM = 4.7e3

DC_SWEEP = f"""\
* Verilog-A resistor, DC sweep
V1 a 0 dc 0
N1 a 0 rva
.model rva va_resistor r={R_OHM!r}
.dc V1 -2 2 0.25
.end
"""


def assert_ohm(result, r_ohm):
    v = result.scale
    np.testing.assert_allclose(v, np.linspace(-2.0, 2.0, 17), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(result.v("a"), v)
    current = -result.i("V1")  # SPICE: a source's current flows into its + node
    nonzero = v != 0
    rel = np.abs(current[nonzero] - v[nonzero] / r_ohm) / np.abs(v[nonzero] / r_ohm)
    assert rel.max() < 1e-9
    assert np.all(np.abs(current[~nonzero]) < 1e-18)


def test_shared_ngspice_dc_sweep_obeys_ohms_law(resistor_osdi):
    result = run_netlist(DC_SWEEP, osdi=[resistor_osdi])
    assert result.analysis == "dc"
    assert_ohm(result, R_OHM)
    assert result.i("V1")[-1] == pytest.approx(-2.0 / R_OHM, rel=1e-12)


def test_batch_ngspice_dc_sweep_obeys_ohms_law(resistor_osdi):
    result = run_batch(DC_SWEEP, osdi=[resistor_osdi])
    assert result.analysis == "dc"
    assert_ohm(result, R_OHM)


def test_shared_and_batch_agree_exactly(resistor_osdi):
    a = run_netlist(DC_SWEEP, osdi=[resistor_osdi])
    b = run_batch(DC_SWEEP, osdi=[resistor_osdi])
    assert sorted(a.vectors) == sorted(b.vectors) == ["a", "v-sweep", "v1#branch"]
    for name in a.vectors:
        np.testing.assert_array_equal(a[name], b[name])


def test_check_toolchain_report():
    report = check_toolchain(r_ohm=3.3e3)
    assert report["ngspice_shared"] >= 42
    assert report["ngspice_binary"] >= 42
    assert report["compiler"].endswith(("openvaf-r", "openvaf"))
    assert report["max_rel_err_shared"] < 1e-9
    assert report["max_rel_err_batch"] < 1e-9
