"""Study (c): the chain's regime map as sweep tasks (needs memcompact.chain.regime_map)."""

import pytest

regime_map = pytest.importorskip("memcompact.chain.regime_map")   # the chain issue's module

from memcompact.studies.chain_regime import OUTPUTS, PARAMETERS, plot_results, regime_map_from_table, run_task  # noqa: E402
from memcompact.sweep import parse_spec  # noqa: E402
from memcompact.sweep.store import result_schema, rows_table  # noqa: E402


def test_task_is_classify_point_and_the_map_takes_the_majority(tmp_path):
    params = {**{k: p.default for k, p in PARAMETERS.items()}, "duration_s": 20.0, "n_samples": 50}
    direct = regime_map.classify_point(1.0, 1.0, 0, metal="Ag", voltage_V=3.0, thickness_m=40e-9, duration_s=20.0,
                                       n_samples=50)
    task = run_task(params, 0)
    assert set(task) == set(OUTPUTS)
    assert task["regime"] == direct["regime"] and task["t_form_s"] == direct["t_form_s"]
    spec = parse_spec({"study": "chain_regime", "parameters": {"duration_s": 20.0, "n_samples": 50}, "seeds": 3})
    rows = [{"task_id": str(s), "study": "chain_regime", **params, "seed": s, **out, "status": "ok"}
            for s, out in ((0, task), (1, {**task, "regime": "d"}), (2, task))]
    rmap = regime_map_from_table(rows_table(rows, result_schema(spec)))
    assert rmap.labels.shape == (1, 1) and rmap.labels[0, 0] == task["regime"]
    assert rmap.agreement[0, 0] == pytest.approx(2 / 3 if task["regime"] != "d" else 1.0)
    plot_results(rows_table(rows, result_schema(spec)), path=tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 10_000
