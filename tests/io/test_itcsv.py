"""I-t CSV reader and writer (memcompact/io/itcsv.py): DESIGN section 5."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memcompact.errors import DataFileError, InputError
from memcompact.io import ITCurve, read_it_csv, write_it_csv

N_ROWS = 12


def rows(n=N_ROWS):
    """Rows k = 0..n-1 of a good file: t = k/10 s, I = (k+1) nA."""
    return [[repr(k / 10), repr((k + 1) * 1e-9)] for k in range(n)]


def csv_text(body_rows, header="time_s,current_A", meta=("# voltage_V: 2.0",)):
    """A CSV text: meta lines, header, rows. With the default meta the header is
    line 2 and row k is on line 3 + k."""
    lines = list(meta) + [header] + [",".join(r) for r in body_rows]
    return "\n".join(lines) + "\n"


def with_cell(k, column, value):
    r = rows()
    r[k][column] = value
    return r


# (case id, file content, expected line or None, expected words in the problem)
BAD_CASES = [
    ("non-numeric", csv_text(with_cell(4, 1, "abc")), 7, "column 'current_A': not a number: 'abc'"),
    ("non-numeric-time", csv_text(with_cell(0, 0, "1 s")), 3, "column 'time_s': not a number: '1 s'"),
    ("nan", csv_text(with_cell(2, 1, "nan")), 5, "column 'current_A': value is nan (must be finite)"),
    ("NaN-capital", csv_text(with_cell(3, 1, "NaN")), 6, "value is NaN (must be finite)"),
    ("inf", csv_text(with_cell(6, 1, "-inf")), 9, "column 'current_A': value is -inf (must be finite)"),
    ("inf-time", csv_text(with_cell(11, 0, "inf")), 14, "column 'time_s': value is inf (must be finite)"),
    ("time-equal", csv_text(with_cell(5, 0, repr(0.4))), 8, "time not strictly increasing (0.4 s after 0.4 s)"),
    ("time-decreasing", csv_text(with_cell(9, 0, "0.05")), 12, "time not strictly increasing (0.05 s after 0.8 s)"),
    ("negative-time", csv_text(with_cell(0, 0, "-0.1")), 3, "negative time -0.1 s"),
    ("too-few-rows", csv_text(rows(9)), None, "only 9 data rows, at least 10 needed"),
    ("missing-current", csv_text(rows(), header="time_s,I"), 2, "missing column 'current_A'"),
    ("missing-time", csv_text([r[::-1] for r in rows()], header="current_A,t"), 2, "missing column 'time_s'"),
    ("no-voltage", csv_text(rows(), meta=()), 1,
     "no voltage known: add a 'voltage_V' column or a '# voltage_V: <value>' line"),
    ("voltage-meta-not-number", csv_text(rows(), meta=("# voltage_V: three",)), 1,
     "'# voltage_V:' is not a number: 'three'"),
    ("voltage-meta-nan", csv_text(rows(), meta=("# voltage_V: nan",)), 1, "'# voltage_V:' must be finite"),
    # waveform files (a voltage_V column that varies): issue 15 item 7
    ("waveform-voltage-missing", csv_text([r + [repr(0.1 * k)] for k, r in enumerate(rows())][:6]
                                          + [rows()[6] + [""]] + [r + ["0.5"] for r in rows()[7:]],
                                          header="time_s,current_A,voltage_V", meta=()), 8,
     "column 'voltage_V': missing voltage (empty cell)"),
    ("waveform-time-backwards", csv_text([[r[0] if k != 8 else "0.3", r[1], repr(float(np.sin(k)))]
                                          for k, r in enumerate(rows())], header="time_s,current_A,voltage_V",
                                         meta=("# device: sweep",)), 11,
     "time not strictly increasing (0.3 s after 0.7 s)"),
    ("series-negative", csv_text(rows(), meta=("# voltage_V: 2.0", "# series_resistance_ohm: -50")), 2,
     "'# series_resistance_ohm:' (series resistance [Ohm]) must be a finite number >= 0, got '-50'"),
    ("series-nan", csv_text(rows(), meta=("# series_resistance_ohm: nan", "# voltage_V: 2.0")), 1,
     "'# series_resistance_ohm:' (series resistance [Ohm]) must be a finite number >= 0, got 'nan'"),
    ("series-text", csv_text(rows(), meta=("# voltage_V: 2.0", "# series_resistance_Ohm: 1 kOhm")), 2,
     "'# series_resistance_Ohm:' (series resistance [Ohm]) is not a number: '1 kOhm'"),
    ("compliance-negative", csv_text(rows(), meta=("# voltage_V: 2.0", "# compliance_A: -1e-3")), 2,
     "'# compliance_A:' (current compliance [A]) must be a finite number >= 0, got '-1e-3'"),
    ("empty", "", None, "file is empty"),
    ("blank-only", "  \n\n\t\n", None, "file is empty"),
    ("comments-only", "# device: x\n# voltage_V: 1\n", None, "no header row"),
    ("binary", bytes(range(256)) * 4, None, "binary file (contains NUL bytes), expected CSV text"),
    ("not-utf8", b"time_s,current_A\n0.0,1e-9\n\xff\xfe\xfa\n", 3, "not UTF-8 text (binary file?)"),
    ("cell-count", csv_text(with_cell(7, 1, "1e-9,5")), 10, "expected 2 cells, found 3"),
    ("duplicate-column", csv_text([r + ["1"] for r in rows()], header="time_s,current_A,time_s"), 2,
     "duplicate column names"),
]


@pytest.mark.parametrize("content,line,problem", [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_bad_input_names_file_line_and_problem(write_file, content, line, problem):
    path = write_file("bad.csv", content)
    with pytest.raises(DataFileError) as info:
        read_it_csv(path)
    err = info.value
    assert isinstance(err, InputError)
    assert err.path == str(path)
    assert err.line == line
    assert problem in err.problem
    where = f"{path}:{line}" if line is not None else str(path)
    assert str(err) == f"{where}: {err.problem}"
    assert "\n" not in str(err)


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="file not found") as info:
        read_it_csv(tmp_path / "nope.csv")
    assert info.value.line is None


def test_directory_is_refused(tmp_path):
    with pytest.raises(DataFileError, match="is a directory"):
        read_it_csv(tmp_path)


def test_reference_file_constant_voltage(data_dir):
    curve = read_it_csv(data_dir / "it_constant_voltage.csv")
    k = np.arange(12)
    assert len(curve) == 12
    np.testing.assert_array_equal(curve.time_s, k / 10)
    np.testing.assert_array_equal(curve.current_A, 1e-12 * 10 ** (k / 10))
    np.testing.assert_array_equal(curve.voltage_V, np.full(12, 3.0))
    assert curve.is_constant_voltage
    assert curve.metadata["device"] == "Ag/SiO2/W (synthetic)"
    assert curve.metadata["voltage_V"] == "3.0"
    assert curve.source == str(data_dir / "it_constant_voltage.csv")


def test_reference_file_voltage_column(data_dir):
    curve = read_it_csv(data_dir / "it_voltage_ramp.csv")
    k = np.arange(16)
    v = 0.25 * k
    np.testing.assert_array_equal(curve.time_s, k * 0.05)
    np.testing.assert_array_equal(curve.voltage_V, v)
    np.testing.assert_array_equal(curve.current_A, v / 1e6)
    assert not curve.is_constant_voltage


def test_columns_in_any_order_with_blank_lines_and_bom(write_file):
    body = "\n".join(f"{k * 0.5!r},{-k * 1e-12!r},{1.5!r}" for k in range(10))
    path = write_file("ok.csv", "\ufeff# note: reordered\n\nvoltage_V,current_A,time_s\n"
                      + "\n".join(",".join(reversed(line.split(","))) for line in body.splitlines()) + "\n")
    curve = read_it_csv(path)
    np.testing.assert_array_equal(curve.time_s, 0.5 * np.arange(10))
    np.testing.assert_array_equal(curve.current_A, -1e-12 * np.arange(10))
    np.testing.assert_array_equal(curve.voltage_V, np.full(10, 1.5))
    assert curve.metadata == {"note": "reordered"}


def test_round_trip_exact_values_and_metadata(tmp_path):
    t = np.array([0.0, 1e-9, 0.1, 1 / 3, 0.5, 1.0, 2.0, 1e3, 1e6, 1e9, 1.7976931348623157e308])
    i = np.array([5e-324, -1e-300, 1e-12, -0.0, 2 / 3, 1e-3, 1.0, 7.0, -3.25e-7, 1e300, 0.1])
    v = np.linspace(-3.0, 3.0, t.size)
    meta = {"device": "Ag/SiO2/W", "operator": "a b: c", "voltage_V": "ramp"}
    path = tmp_path / "sub" / "rt.csv"
    write_it_csv(path, ITCurve(t, i, v, metadata=meta))
    back = read_it_csv(path)
    assert back.time_s.tobytes() == t.tobytes()
    assert back.current_A.tobytes() == i.tobytes()  # -0.0 kept, subnormal kept
    assert back.voltage_V.tobytes() == v.tobytes()
    assert back.metadata == meta
    assert sorted(p.name for p in path.parent.iterdir()) == ["rt.csv"]


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    times=st.lists(st.floats(min_value=0.0, max_value=1e12, allow_nan=False), min_size=10, max_size=40, unique=True),
    data=st.data(),
)
def test_round_trip_property(tmp_path_factory, times, data):
    t = np.array(sorted(times))
    if np.any(np.diff(t) <= 0):  # 0.0 and -0.0 are "unique" floats but equal
        return
    i = np.array(data.draw(st.lists(finite, min_size=t.size, max_size=t.size)))
    v = np.array(data.draw(st.lists(finite, min_size=t.size, max_size=t.size)))
    path = tmp_path_factory.mktemp("rt") / "curve.csv"
    write_it_csv(path, ITCurve(t, i, v, metadata={"seed": "hypothesis"}))
    back = read_it_csv(path)
    assert back.time_s.tobytes() == t.tobytes()
    assert back.current_A.tobytes() == i.tobytes()
    assert back.voltage_V.tobytes() == v.tobytes()
    assert back.metadata == {"seed": "hypothesis"}


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_writer_refuses_non_finite_and_writes_nothing(tmp_path, bad):
    i = np.ones(10) * 1e-9
    i[3] = bad
    with pytest.raises(ValueError, match="non-finite"):
        write_it_csv(tmp_path / "x.csv", ITCurve(np.arange(10.0), i, 1.0))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("meta", [
    {"note": "two\nlines"}, {"note": "carriage\rreturn"}, {"note": "line\u2028separator"},
    {"a:b": "key with colon"}, {"": "empty key"}, {"bad\nkey": "x"},
])
def test_writer_refuses_metadata_that_cannot_round_trip(tmp_path, meta):
    with pytest.raises(ValueError, match="cannot be written"):
        write_it_csv(tmp_path / "x.csv", ITCurve(np.arange(10.0), np.ones(10), 1.0, metadata=meta))
    assert list(tmp_path.iterdir()) == []


def test_itcurve_broadcasts_constant_voltage():
    c = ITCurve([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], 2.5)
    np.testing.assert_array_equal(c.voltage_V, [2.5, 2.5, 2.5])
    assert c.is_constant_voltage and len(c) == 3
    with pytest.raises(ValueError, match="same length"):
        ITCurve([0.0, 1.0], [1.0], 1.0)
