"""Benchmark of the sweep engine: speed-up of 2 Dask workers over 1 on a CPU-bound study.

Run: ``.venv/bin/python benchmarks/bench_sweep.py`` (``--quick`` for a smaller
sweep). The study is (b), the compact model's voltage-time map (vt_map):
voltages 3.4-4.0 V x 4 seeds, 800 devices per task (``--devices``), 1 s of stress, so every
task is pure numpy in one process. For each worker count a local cluster of
that many single-threaded worker processes is started first (its start-up is
reported apart and not in the sweep's time), then the same sweep is run into
a fresh Parquet file. Prints the table (wall times [s], speed-up) and the
machine's load average before and after: on a shared machine the speed-up
is depressed by the other processes.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path


def bench_spec(quick, devices):
    from memcompact.sweep import parse_spec

    return parse_spec({"study": "vt_map", "seeds": 2 if quick else 4, "parameters": {
        "voltage_V": [3.4, 3.6, 3.8, 4.0], "devices_per_task": 100 if quick else devices, "duration_s": 1.0}})


def timed_sweep(spec, workers, folder):
    """(cluster start-up [s], sweep wall time [s], summary) with ``workers`` local worker processes."""
    from distributed import Client, LocalCluster

    from memcompact.sweep import run_sweep

    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster, set_as_default=False) as client:
        client.run(lambda: __import__("memcompact.studies.vt_map"))     # imports done before the clock starts
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        summary = run_sweep(spec, Path(folder) / f"w{workers}.parquet", client=client, progress=False)
        return startup, time.perf_counter() - t1, summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, 100 devices per task")
    parser.add_argument("--repeats", type=int, default=1, help="runs per worker count (the best is kept)")
    parser.add_argument("--devices", type=int, default=800, help="devices per task")
    args = parser.parse_args(argv)
    spec = bench_spec(args.quick, args.devices)
    load_before = os.getloadavg()
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for workers in (1, 2):
            best = None
            for k in range(args.repeats):
                startup, wall, summary = timed_sweep(spec, workers, _fresh(folder, workers, k))
                assert summary["ok"] == spec.n_tasks, summary
                if best is None or wall < best[1]:
                    best = (startup, wall)
            rows[workers] = best
    load_after = os.getloadavg()
    print(f"vt_map sweep: {spec.n_tasks} tasks ({len(spec.axes['voltage_V'])} voltages x {len(spec.seeds)} seeds, "
          f"{spec.axes['devices_per_task'][0]} devices each), {os.cpu_count()} CPU cores")
    print(f"load average (1, 5, 15 min): before {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}, "
          f"after {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f}")
    print("| workers | cluster start-up [s] | sweep wall time [s] | speed-up |")
    print("| --- | --- | --- | --- |")
    for workers, (startup, wall) in rows.items():
        print(f"| {workers} | {startup:.1f} | {wall:.1f} | {rows[1][1] / wall:.2f}x |")
    return 0


def _fresh(folder, workers, k):
    path = Path(folder) / f"w{workers}-r{k}"
    path.mkdir()
    return path


if __name__ == "__main__":
    raise SystemExit(main())
