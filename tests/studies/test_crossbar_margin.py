"""Study (a): read margin and VMM error of Monte Carlo 1R arrays (small sizes, 10 seeds)."""

import numpy as np
import pyarrow as pa

from memcompact.studies.crossbar_margin import PARAMETERS, plot_results, run_task, summarise
from memcompact.sweep.store import rows_table

SEEDS = range(10)


def point(**changes):
    return {**{k: p.default for k, p in PARAMETERS.items()}, **changes}


def test_margin_falls_with_size_for_most_seeds():
    # sneak paths through a random half-formed pattern grow with the array
    small = [run_task(point(size=4, wire_resistance_ohm=1.0), s)["read_margin"] for s in SEEDS]
    large = [run_task(point(size=12, wire_resistance_ohm=1.0), s)["read_margin"] for s in SEEDS]
    assert all(0 < m < 1 for m in small + large)
    assert sum(a > b for a, b in zip(small, large)) >= 8
    assert np.median(small) > 1.5 * np.median(large)


def test_ir_drop_error_grows_with_wire_resistance_and_spread_adds_error():
    for seed in SEEDS:
        low = run_task(point(size=12, wire_resistance_ohm=0.1, spread_scale=0.0), seed)
        high = run_task(point(size=12, wire_resistance_ohm=10.0, spread_scale=0.0), seed)
        # nominal devices: the total error is the IR-drop error
        assert abs(low["vmm_error"] - low["vmm_error_ir"]) < 1e-12
        assert high["vmm_error_ir"] > 1.5 * low["vmm_error_ir"]   # 100 Ohm drivers share the drop
    spread = [run_task(point(size=12, wire_resistance_ohm=0.1, spread_scale=1.0), s) for s in SEEDS]
    # at small wire resistance the device spread dominates the error against the nominal weights
    assert sum(r["vmm_error"] > 3 * r["vmm_error_ir"] for r in spread) >= 8


def test_same_seed_same_array():
    assert run_task(point(size=6), 3) == run_task(point(size=6), 3)
    assert run_task(point(size=6), 3) != run_task(point(size=6), 4)


def test_summary_and_figure(tmp_path):
    from memcompact.sweep import parse_spec
    from memcompact.sweep.store import result_schema

    spec = parse_spec({"study": "crossbar_margin", "parameters": {"size": [4, 6]}, "seeds": 2})
    rows = []
    for size in (4, 6):
        for seed in range(2):
            params = point(size=size)
            rows.append({"task_id": f"{size}-{seed}", "study": "crossbar_margin", **params, "seed": seed,
                         **run_task(params, seed), "status": "ok", "wall_time_s": 0.1})
    rows.append({"task_id": "x", "study": "crossbar_margin", **point(size=6), "seed": 9, "status": "error",
                 "error": "RuntimeError: lost"})
    table = rows_table(rows, result_schema(spec))
    groups = summarise(table)
    (key, entry), = groups.items()
    assert key == (1.0, 1.0)
    assert list(entry["size"]) == [4, 6] and list(entry["count"]) == [2, 2]    # the failed row is left out
    med, lo, hi = entry["read_margin"].T
    assert np.all(lo <= med) and np.all(med <= hi)
    fig = plot_results(table, path=tmp_path / "a.png")
    assert (tmp_path / "a.png").stat().st_size > 10_000
    assert isinstance(table, pa.Table) and len(fig.axes) == 2
