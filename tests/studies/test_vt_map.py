"""Study (b): formation times of many devices under constant voltage."""

import numpy as np

from memcompact.studies.vt_map import FORM_DECADES, PARAMETERS, crossing_times_s, plot_results, run_task, summarise
from memcompact.sweep import parse_spec
from memcompact.sweep.store import result_schema, rows_table


def test_crossing_time_interpolates_in_log_time():
    t = np.logspace(-3, 3, 61)                                   # 10 samples per decade
    true = np.array([0.02, 5.0, 300.0])
    # current 1e-12 A rising 6 decades per decade of time around each device's time
    log_i = np.clip(-12 + 6 * (np.log10(t)[None, :] - np.log10(true)[:, None]) + 3, -12, -6)
    found = crossing_times_s(t, 10 ** log_i, np.full(3, -12 + FORM_DECADES))
    np.testing.assert_allclose(found, true, rtol=1e-9)
    flat = crossing_times_s(t, np.full((1, t.size), 1e-12), np.array([-9.0]))
    assert np.isnan(flat[0])


def test_formation_delay_falls_with_voltage_for_every_device():
    # 2 seeds x 10 devices: 20 independently drawn devices, each at two voltages
    params = {**{k: p.default for k, p in PARAMETERS.items()}, "devices_per_task": 10, "duration_s": 1e3}
    low, high = [], []
    for seed in range(2):
        a = run_task({**params, "voltage_V": 3.2}, seed)
        b = run_task({**params, "voltage_V": 3.8}, seed)
        assert a["formed_fraction"] == b["formed_fraction"] == 1.0
        low += a["t_form_s"]
        high += b["t_form_s"]
    low, high = np.array(low), np.array(high)
    # the steep voltage-time relation (docs/model.md: ~100 s at 3 V, 8.9 decades from 2 to 4 V):
    # every device forms over a decade earlier at 3.8 V than at 3.2 V
    assert np.all(np.log10(low / high) > 1.0)
    assert 1 < np.median(low) < 100 and np.median(high) < 0.1


def test_short_stress_leaves_devices_unformed_and_the_figure_draws(tmp_path):
    params = {**{k: p.default for k, p in PARAMETERS.items()}, "devices_per_task": 4, "duration_s": 1e-3,
              "voltage_V": 3.0}
    out = run_task(params, 0)
    assert out["formed_fraction"] == 0.0 and np.all(np.isnan(out["t_form_s"]))
    spec = parse_spec({"study": "vt_map", "parameters": {"voltage_V": [3.6, 4.0], "devices_per_task": 4,
                                                         "duration_s": 10.0}, "seeds": 2})
    rows = [{"task_id": f"{v}-{s}", "study": "vt_map", **params, "voltage_V": v, "duration_s": 10.0, "seed": s,
             **run_task({**params, "voltage_V": v, "duration_s": 10.0}, s), "status": "ok"}
            for v in (3.6, 4.0) for s in range(2)]
    table = rows_table(rows, result_schema(spec))
    summary = summarise(table)
    assert list(summary["voltage_V"]) == [3.6, 4.0] and list(summary["devices"]) == [8, 8]
    med, lo, hi = summary["band"].T
    assert np.all(lo <= med) and np.all(med <= hi) and med[1] < med[0]
    plot_results(table, path=tmp_path / "b.png")
    assert (tmp_path / "b.png").stat().st_size > 10_000
