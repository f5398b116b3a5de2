"""`memcompact check` on good and bad files (memcompact/commands/check.py),
run as a user would: a separate process, `python -m memcompact`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "memcompact", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


GOOD_ROWS = [f"{k / 10!r},{(k + 1) * 1e-9!r}" for k in range(12)]


def bad_csv(k, value):
    rows = list(GOOD_ROWS)
    t, i = rows[k].split(",")
    rows[k] = f"{t},{value}"
    return "# voltage_V: 2.0\ntime_s,current_A\n" + "\n".join(rows) + "\n"


BAD = [
    ("non-numeric", bad_csv(4, "abc"), "bad.csv:7: column 'current_A': not a number: 'abc'"),
    ("nan", bad_csv(2, "nan"), "bad.csv:5: column 'current_A': value is nan (must be finite)"),
    ("inf", bad_csv(3, "inf"), "bad.csv:6: column 'current_A': value is inf (must be finite)"),
    ("time-not-increasing", bad_csv(0, "1e-9").replace("0.3,", "0.1,", 1),
     "bad.csv:6: time not strictly increasing (0.1 s after 0.2 s)"),
    ("negative-time", bad_csv(0, "1e-9").replace("0.0,", "-1.0,", 1), "bad.csv:3: negative time -1.0 s"),
    ("few-rows", "# voltage_V: 1\ntime_s,current_A\n" + "\n".join(GOOD_ROWS[:5]) + "\n",
     "bad.csv: only 5 data rows, at least 10 needed"),
    ("missing-column", "# voltage_V: 1\ntime_s\n" + "\n".join(r.split(",")[0] for r in GOOD_ROWS) + "\n",
     "bad.csv:2: missing column 'current_A'"),
    ("no-voltage", "time_s,current_A\n" + "\n".join(GOOD_ROWS) + "\n", "bad.csv:1: no voltage known"),
    ("empty", "", "bad.csv: file is empty"),
    ("binary", b"\x7fELF\x02\x01\x01\x00" * 64, "bad.csv: binary file"),
]


@pytest.mark.parametrize("content,expected", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_check_bad_csv_exits_2_with_one_line_and_writes_nothing(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    proc = run_cli("check", "bad.csv", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("memcompact check: error: ")
    assert expected in lines[0]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_check_bad_card_exits_2(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps({"model": "m", "version": 1, "params": {"a": "x"}}))
    proc = run_cli("check", "c.json", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "memcompact check: error: c.json: parameter 'a': value must be a number, got 'x'"]


def test_check_good_files_report_numbers(data_dir):
    proc = run_cli("check", str(data_dir / "it_constant_voltage.csv"), str(data_dir / "it_voltage_ramp.csv"),
                   str(data_dir / "card_example.json"), cwd=data_dir)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == 3
    assert "I-t rows=12 t=[0, 1.1] s |I|max=1.26e-11 A voltage=3 V" in out[0]
    assert "I-t rows=16 t=[0, 0.75] s |I|max=3.75e-06 A voltage=0..3.75 V" in out[1]
    assert "card model=example version=1 params=3" in out[2]
