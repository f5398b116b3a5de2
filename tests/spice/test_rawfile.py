"""Raw-file reader (memcompact/spice/rawfile.py) on hand-made files, and SpiceResult."""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.errors import ToolchainError
from memcompact.spice import SpiceResult, read_raw


def header(plotname, flags, names, n_points):
    lines = ["Title: * hand-made", "Date: today", f"Plotname: {plotname}", f"Flags: {flags}",
             f"No. Variables: {len(names)}", f"No. Points: {n_points}       ", "Variables:"]
    lines += [f"\t{k}\t{name}\t{'time' if k == 0 else 'voltage'}" for k, name in enumerate(names)]
    return ("\n".join(lines) + "\n").encode()


def test_binary_real_and_complex_plots_in_one_file(tmp_path):
    tran = np.array([[0.0, 1.0, -1e-3], [1e-6, 0.5, -5e-4], [2e-6, 0.25, -2.5e-4]])
    ac = np.array([[1.0 + 0j, 0.5 - 0.5j], [10.0 + 0j, 0.1 - 0.3j]])
    raw = (header("Transient Analysis", "real", ["time", "v(out)", "i(v1)"], 3) + b"Binary:\n"
           + tran.astype("<f8").tobytes()
           + header("AC Analysis", "complex", ["frequency", "v(out)"], 2) + b"Binary:\n"
           + np.stack([ac.real, ac.imag], axis=-1).astype("<f8").tobytes())
    path = tmp_path / "x.raw"
    path.write_bytes(raw)
    t, a = read_raw(path)
    assert (t.analysis, a.analysis) == ("tran", "ac")
    np.testing.assert_array_equal(t.scale, tran[:, 0])
    np.testing.assert_array_equal(t.v("out"), tran[:, 1])
    np.testing.assert_array_equal(t.i("V1"), tran[:, 2])
    np.testing.assert_array_equal(a.scale, [1.0, 10.0])
    np.testing.assert_array_equal(a.v("out"), ac[:, 1])


def test_ascii_real_and_complex(tmp_path):
    raw = (header("DC transfer characteristic", "real", ["v(v-sweep)", "v(a)"], 2)
           + b"Values:\n0\t\t-1.0e+00\n\t-5.0e-01\n1\t\t1.0e+00\n\t5.0e-01\n\n"
           + header("AC Analysis", "complex", ["frequency", "v(b)"], 1)
           + b"Values:\n0\t\t1.0e+03,0.0e+00\n\t2.5e-01,-7.5e-01\n")
    path = tmp_path / "x.raw"
    path.write_bytes(raw)
    dc, ac = read_raw(path)
    assert dc.analysis == "dc"
    np.testing.assert_array_equal(dc.scale, [-1.0, 1.0])
    np.testing.assert_array_equal(dc.v("a"), [-0.5, 0.5])
    np.testing.assert_array_equal(ac.v("b"), [0.25 - 0.75j])


def test_truncated_and_foreign_files(tmp_path):
    path = tmp_path / "t.raw"
    path.write_bytes(header("Operating Point", "real", ["v(a)", "v(b)"], 1) + b"Binary:\n" + b"\x00" * 8)
    with pytest.raises(ToolchainError, match="truncated"):
        read_raw(path)
    path.write_text("just text\n")
    with pytest.raises(ToolchainError, match="not an ngspice raw file"):
        read_raw(path)


def test_spice_result_accessors():
    r = SpiceResult("dc", "dc1", {"v-sweep": np.array([0.0, 1.0]), "out": np.array([0.0, 0.5]),
                                  "v1#branch": np.array([0.0, -1e-3])})
    np.testing.assert_array_equal(r.scale, [0.0, 1.0])
    assert r.v("OUT")[1] == 0.5 and r.v("v(out)")[1] == 0.5
    assert r.i("V1")[1] == r.i("i(v1)")[1] == r.i("v1#branch")[1] == -1e-3
    assert "out" in r and "nope" not in r
    with pytest.raises(KeyError, match="no vector 'nope' in dc1"):
        r.v("nope")
