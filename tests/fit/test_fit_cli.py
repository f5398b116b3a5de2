"""``memcompact fit`` on the command line: outputs, bad files, no formation, --fix."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from memcompact.io import ITCurve, write_it_csv
from tests.fit.conftest import TRUE_PARAMS, make_curves


def _fit(*args):
    return subprocess.run([sys.executable, "-m", "memcompact", "fit", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def csv_pair(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fitcli")
    _, curves, _ = make_curves([2.85, 3.05], duration_s=600.0, n_samples=301, seed=11)
    paths = []
    for c in curves:
        path = folder / f"{c.source}.csv"
        write_it_csv(path, c)
        paths.append(path)
    return paths


@pytest.mark.slow
def test_cli_writes_card_report_plot_and_respects_fix(csv_pair, tmp_path):
    out = tmp_path / "fit"
    r = _fit(*csv_pair, "--fix", "tunnel_resistance_ohm", "nucleation_alpha=0.5", "-o", out)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "fit:" in r.stderr  # progress
    card = json.loads((out / "card.json").read_text())
    assert card["params"]["tunnel_resistance_ohm"] == 5e4  # the preset's, not the data-derived guess
    assert "tunnel_resistance_ohm" not in card["fit"]["varied"]
    assert card["data_files"] == [str(p) for p in csv_pair]
    assert card["params"]["nucleation_voltage_fraction"] == pytest.approx(TRUE_PARAMS["nucleation_voltage_fraction"],
                                                                          rel=0.05)
    assert card["events"]["t_form_s"] == pytest.approx(290, rel=0.05)
    assert [c["model_events"]["t_form_s"] for c in card["curves"]] == pytest.approx([290, 30], rel=0.1)
    report = (out / "report.txt").read_text()
    assert "[[Variables]]" in report and "t_form_s" in report and "tunnel_resistance_ohm" not in report.split(
        "[[Correlations]]")[0].split("[[Variables]]")[1]
    assert (out / "fit.png").stat().st_size > 20000


def test_cli_bad_file_exits_2_and_writes_nothing(csv_pair, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("# voltage_V: 3\ntime_s,current_A\n0,1e-12\n1,abc\n" + "".join(f"{k},1e-12\n" for k in range(2, 14)))
    out = tmp_path / "fit"
    r = _fit(csv_pair[0], bad, "-o", out)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "bad.csv:4" in r.stderr
    assert not out.exists()
    r = _fit(csv_pair[0], "--fix", "no_such_parameter", "-o", out)
    assert r.returncode == 2 and "no_such_parameter" in r.stderr and not out.exists()


def test_cli_no_formation_warns_and_writes_null_events(tmp_path):
    t = np.linspace(0.0, 50.0, 100)
    rng = np.random.default_rng(4)
    path = tmp_path / "flat.csv"
    write_it_csv(path, ITCurve(t, 2e-13 + 3e-14 * rng.standard_normal(t.size), 1.5))
    r = _fit(path, "-o", tmp_path / "fit", "--quiet")
    assert r.returncode == 0, r.stderr
    assert "warning: no formation" in r.stderr
    card = json.loads((tmp_path / "fit" / "card.json").read_text())
    assert card["events"] == {"t_form_s": None, "t_drop_s": None, "t_ecm_s": None}
    assert card["fit"]["varied"] == ["leakage_conductance_S"]
