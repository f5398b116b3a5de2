"""Regime map (Fig. 3 as data): the per-point function, the grid, the CLI and its bad input."""

import json
import math
import pickle

import pytest

from memcompact.chain.regime_map import check_grid, classify_point, majority_label, regime_map
from memcompact.chain.voltage_time import decades_between, delay_statistics
from memcompact.cli import main
from memcompact.errors import InputError

# a short, thin device keeps each point cheap: 20 nm at 1.5 V is the default field (0.75 MV/cm)
THIN = dict(thickness_m=20e-9, voltage_V=1.5, duration_s=60.0, n_samples=100)


def test_classify_point_is_picklable_and_returns_plain_values():
    fn = pickle.loads(pickle.dumps(classify_point))  # what a task scheduler ships to a worker
    point = fn(1e3, 1e-3, 0, **THIN)
    assert point["regime"] in ("a", "b", "c", "d")
    assert (point["mobility_scale"], point["redox_scale"], point["seed"]) == (1e3, 1e-3, 0)
    assert point["t_form_s"] is None or 0.0 < point["t_form_s"] <= THIN["duration_s"]
    json.dumps(point)  # plain JSON values only
    # high mobility, low redox rate: the ions reach the IE and nucleate there (case d, Fig. 3d)
    assert point["regime"] == "d" and point["ie_share"] >= 0.5 and point["ie_deposit"]


def test_regime_map_takes_the_majority_over_seeds():
    rmap = regime_map([1e3], [1e-3, 1e3], seeds=[0, 1, 2], **THIN)
    assert rmap.labels.shape == (2, 1) and len(rmap.points) == 6
    for i, g in enumerate([1e-3, 1e3]):
        labels = [p["regime"] for p in rmap.points if p["redox_scale"] == g]
        assert rmap.labels[i, 0] == max(sorted(set(labels)), key=labels.count)
        assert rmap.agreement[i, 0] == pytest.approx(labels.count(rmap.labels[i, 0]) / 3)
    assert rmap.label_at(1e3, 1e-3) == rmap.labels[0, 0]


def test_majority_label_counts_and_breaks_ties_in_order():
    assert majority_label(["c", "b", "c"]) == ("c", pytest.approx(2 / 3))
    assert majority_label(["d", "b"]) == ("b", 0.5)


@pytest.mark.parametrize("mus, gammas, seeds, words", [
    ([], [1.0], 3, "mobility_scales"),
    ([1.0], [], 3, "redox_scales"),
    ([1.0, -2.0], [1.0], 3, "mobility_scales"),
    ([1.0], [math.nan], 3, "redox_scales"),
    ([1.0], [1.0], 0, "seeds"),
    ([1.0], [1.0], [], "seeds"),
])
def test_bad_grid_names_the_argument(mus, gammas, seeds, words):
    with pytest.raises(InputError, match=words):
        check_grid(mus, gammas, seeds)


def test_classify_point_rejects_a_negative_scale_and_an_unknown_metal():
    with pytest.raises(InputError, match="redox_scale"):
        classify_point(1.0, -1.0, 0)
    with pytest.raises(InputError, match="metal"):
        classify_point(1.0, 1.0, 0, metal="Au")


def test_map_command_writes_the_diagram_and_the_data(tmp_path, capsys):
    out = tmp_path / "map"
    rc = main(["chain", "--map", "--mobility-scales", "1e3", "--redox-scales", "1e-3", "--seeds", "1",
               "--thickness", "20e-9", "--voltage", "1.5", "--duration", "60", "-o", str(out), "--no-progress"])
    assert rc == 0
    data = json.loads((out / "regime_map.json").read_text())
    assert data["seeds"] == [0] and len(data["points"]) == 1
    assert data["labels"] == [["d"]] and data["points"][0]["regime"] == "d"  # as classify_point(1e3, 1e-3, 0) above
    assert data["options"]["thickness_m"] == 20e-9
    assert (out / "regime_map.png").stat().st_size > 0
    assert "regime map" in capsys.readouterr().out


@pytest.mark.parametrize("args, words", [
    (["--mobility-scales", ","], "--mobility-scales"),
    (["--redox-scales", "1,-1"], "--redox-scales"),
    (["--mobility-scales", "1,x"], "--mobility-scales"),
    (["--seeds", "0"], "--seeds"),
    (["--seeds", "two"], "--seeds"),
    (["--metal", "Au"], "metal"),
])
def test_bad_map_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, args, words):
    out = tmp_path / "bad"
    rc = main(["chain", "--map", *args, "-o", str(out), "--no-progress"])
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_delay_statistics_count_unformed_runs_as_later():
    s = delay_statistics([10.0, 20.0, None, 30.0, None], 100.0)
    assert (s["formed"], s["n"]) == (3, 5)
    assert s["median_s"] == 30.0 and s["p10_s"] == 10.0 and math.isinf(s["p90_s"])
    # a majority not formed: the median is beyond the run
    assert math.isinf(delay_statistics([5.0, None, None], 50.0)["median_s"])
    stats = {2.5: delay_statistics([None, None, 1.0], 1000.0), 5.0: delay_statistics([0.1, 0.1, 0.2], 10.0)}
    assert decades_between(stats, 2.5, 5.0) == (pytest.approx(4.0), ">=")  # 1000 s / 0.1 s, a lower bound
