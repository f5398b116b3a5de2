"""The sweep engine on a local Dask cluster of 2 worker processes (shared by the module).

Real tasks of real studies, kept small: the cluster's start-up is most of the cost.
"""

import json
import logging

import numpy as np
import pyarrow.parquet as pq
import pytest

from memcompact.cli import main
from memcompact.sweep import expand_tasks, parse_spec, read_results, run_sweep
from memcompact.sweep import store


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster, set_as_default=False) as c:
        yield c


def small_vt_spec():
    return parse_spec({"study": "vt_map", "seeds": 2, "parameters": {
        "voltage_V": [3.6, 4.0], "devices_per_task": 8, "duration_s": 10.0, "points_per_decade": 8}})


@pytest.fixture(scope="module")
def vt_run(client, tmp_path_factory):
    """A finished small voltage-time sweep: (spec, summary, file)."""
    spec = small_vt_spec()
    out = tmp_path_factory.mktemp("vt") / "vt.parquet"
    return spec, run_sweep(spec, out, client=client, progress=False), out


def test_two_workers_run_every_task_one_row_each(vt_run):
    spec, summary, out = vt_run
    assert (summary["tasks"], summary["skipped"], summary["ok"], summary["failed"]) == (4, 0, 4, 0)
    study, table = read_results(out)
    assert study == "vt_map"
    rows = table.to_pylist()
    assert sorted(r["task_id"] for r in rows) == sorted(t.task_id for t in expand_tasks(spec))
    assert not store.parts_dir(out).exists()
    for r in rows:
        assert r["status"] == "ok" and r["error"] is None
        assert r["wall_time_s"] > 0 and r["worker"].startswith("tcp://")
        assert r["devices_per_task"] == 8 and len(r["t_form_s"]) == 8
    # the same devices (seed) form earlier at the higher voltage, every one of them
    by = {(r["voltage_V"], r["seed"]): np.array(r["t_form_s"]) for r in rows}
    for seed in range(2):
        assert np.all(by[(4.0, seed)] < by[(3.6, seed)])
    spec_meta = json.loads(pq.read_schema(out).metadata[store.SPEC_METADATA_KEY])
    assert spec_meta["study"] == "vt_map"


def test_rerun_skips_finished_tasks_of_an_interrupted_run(client, vt_run, tmp_path):
    spec, _, finished = vt_run
    full = pq.read_table(finished)
    schema = store.result_schema(spec)
    out = tmp_path / "vt.parquet"
    # as a killed run leaves it: 2 rows in the file, 1 in a batch, 1 never finished
    pq.write_table(full.slice(0, 2), out)
    store.write_batch(full.slice(2, 1).to_pylist(), schema, out, 0)
    kept = {r["task_id"]: r["wall_time_s"] for r in full.slice(0, 3).to_pylist()}
    summary = run_sweep(spec, out, client=client, progress=False)
    assert (summary["skipped"], summary["ok"], summary["failed"]) == (3, 1, 0)
    rows = read_results(out)[1].to_pylist()
    assert len(rows) == 4 and len({r["task_id"] for r in rows}) == 4
    assert {r["task_id"]: r["wall_time_s"] for r in rows if r["task_id"] in kept} == kept   # not run again
    assert not store.parts_dir(out).exists()
    again = run_sweep(spec, out, client=client, progress=False)
    assert (again["skipped"], again["ok"]) == (4, 0)


def test_failed_task_keeps_error_and_parameters_others_go_on(client, tmp_path):
    spec = parse_spec({"study": "vt_map", "parameters": {"voltage_V": 3.8, "devices_per_task": 5, "duration_s": 1.0,
                                                          "max_steps": [2, 100000]}, "seeds": [4]})
    out = tmp_path / "fail.parquet"
    summary = run_sweep(spec, out, client=client, progress=False)
    assert (summary["ok"], summary["failed"]) == (1, 1)
    rows = {r["max_steps"]: r for r in read_results(out)[1].to_pylist()}
    bad, good = rows[2], rows[100000]
    assert bad["status"] == "error" and "RuntimeError" in bad["error"] and "did not finish in 2 steps" in bad["error"]
    assert (bad["voltage_V"], bad["seed"], bad["devices_per_task"]) == (3.8, 4, 5)
    assert bad["t_form_s"] is None and "Traceback" not in bad["error"] and bad["traceback"]
    assert good["status"] == "ok" and good["error"] is None and len(good["t_form_s"]) == 5
    retry = run_sweep(spec, out, client=client, progress=False)       # failed tasks run again
    assert (retry["skipped"], retry["failed"]) == (1, 1)
    assert len(read_results(out)[1]) == 2


def test_cli_on_an_existing_scheduler_draws_the_figure(client, tmp_path, capsys):
    spec = tmp_path / "xbar.json"
    spec.write_text(json.dumps({"study": "crossbar_margin", "seeds": 2,
                                "parameters": {"size": [4, 6], "wire_resistance_ohm": 1.0}}))
    out = tmp_path / "xbar.parquet"
    status = main(["sweep", str(spec), "-o", str(out), "--scheduler", client.scheduler.address, "--no-progress"])
    assert status == 0
    assert "4 tasks, 0 finished before, 4 ok, 0 failed" in capsys.readouterr().out
    assert out.exists() and out.with_suffix(".png").stat().st_size > 10_000
    rows = read_results(out)[1].to_pylist()
    assert sorted((r["size"], r["seed"]) for r in rows) == [(4, 0), (4, 1), (6, 0), (6, 1)]
    assert all(0 < r["read_margin"] < 1 and 0 < r["vmm_error"] < 1 for r in rows)
    figure = tmp_path / "again.png"
    assert main(["sweep", "plot", str(out), "--figure", str(figure)]) == 0
    assert figure.stat().st_size > 10_000
    # a second sweep of the same study over another size: both drawn in one figure
    spec.write_text(json.dumps({"study": "crossbar_margin", "seeds": 1, "parameters": {"size": [8]}}))
    more = tmp_path / "xbar_more.parquet"
    assert main(["sweep", str(spec), "-o", str(more), "--scheduler", client.scheduler.address,
                 "--no-progress", "--no-plot"]) == 0
    study, table = store.read_results_together([out, more])
    assert study == "crossbar_margin" and sorted(table.column("size").to_pylist()) == [4, 4, 6, 6, 8]
    both = tmp_path / "both.png"
    capsys.readouterr()
    assert main(["sweep", "plot", str(out), str(more), "--figure", str(both)]) == 0
    assert f"of {out}, {more} -> {both}" in capsys.readouterr().out and both.stat().st_size > 10_000
