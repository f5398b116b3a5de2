"""``memcompact sweep`` on bad input: exit 2, one line, nothing written."""

import json
import socket
import time

import pytest

from memcompact.cli import main


def _run(argv, capsys):
    status = main(argv)
    err = capsys.readouterr().err
    return status, err


@pytest.mark.parametrize("parameters, words", [
    ({"size": [8, 16], "colour": 3}, "parameter 'colour': unknown to study 'crossbar_margin'"),
    ({"size": []}, "parameter 'size': empty range"),
    ({"size": {"linspace": [8, 64, 0]}}, "parameter 'size': empty range"),
    ({"size": [8, -16]}, "parameter 'size': must be at least 2, got -16"),
])
def test_malformed_spec_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, parameters, words):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"study": "crossbar_margin", "parameters": parameters, "seeds": 2}))
    out = tmp_path / "out.parquet"
    status, err = _run(["sweep", str(spec), "-o", str(out)], capsys)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("memcompact sweep: error: ") and words in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.json"]


def test_bad_output_and_workers_exit_2(tmp_path, capsys):
    status, err = _run(["sweep", "vt_map", "--quick", "-o", str(tmp_path / "no" / "out.parquet")], capsys)
    assert status == 2 and "does not exist" in err and err.count("\n") == 1
    status, err = _run(["sweep", "vt_map", "--quick", "-o", str(tmp_path / "out.csv")], capsys)
    assert status == 2 and ".parquet" in err
    status, err = _run(["sweep", "vt_map", "--quick", "-o", str(tmp_path / "out.parquet"), "--workers", "0"], capsys)
    assert status == 2 and "--workers" in err
    status, err = _run(["sweep", "plot", str(tmp_path / "none.parquet")], capsys)
    assert status == 2 and "no such sweep file" in err
    assert list(tmp_path.iterdir()) == []


def test_unreachable_scheduler_clear_error_within_10_s(tmp_path, capsys):
    with socket.socket() as s:                      # a local port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    start = time.perf_counter()
    status, err = _run(["sweep", "vt_map", "--quick", "-o", str(tmp_path / "out.parquet"), "--scheduler", address],
                       capsys)
    elapsed = time.perf_counter() - start
    assert status == 2
    assert err.count("\n") == 1 and f"cannot reach the Dask scheduler at '{address}'" in err
    assert elapsed < 10.0
    assert list(tmp_path.iterdir()) == []


def test_plot_of_files_from_different_studies_exits_2(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from memcompact.sweep.store import SPEC_METADATA_KEY

    files = []
    for study in ("crossbar_margin", "vt_map"):
        table = pa.table({"task_id": ["a"], "status": ["ok"]})
        table = table.replace_schema_metadata({SPEC_METADATA_KEY: json.dumps({"study": study})})
        files.append(tmp_path / f"{study}.parquet")
        pq.write_table(table, files[-1])
    status, err = _run(["sweep", "plot", *map(str, files)], capsys)
    assert status == 2 and err.count("\n") == 1
    assert "different studies" in err and "crossbar_margin" in err and "vt_map" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crossbar_margin.parquet", "vt_map.parquet"]
    status, err = _run(["sweep", "plot"], capsys)
    assert status == 2 and "needs the Parquet file" in err
