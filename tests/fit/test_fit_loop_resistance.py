"""The loop resistance a fit assumed travels with the card: `memcompact simulate` re-simulates the fitted curve.

Issue 14, item 4: `memcompact fit` assumes 0 Ohm in series when a data file
gives none, and `memcompact simulate` used to put 1 kOhm in series by
default, so re-simulating a fitted card gave a different curve from the one
fitted. The card now records each curve's loop resistance and a card-level
``series_resistance_ohm`` that simulate uses by default.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from memcompact.cli import main
from memcompact.fit import fit_it, prepare_curve
from memcompact.fit.core import GlobalProblem
from memcompact.fit.report import rms_decades
from memcompact.io import ITCurve, read_it_csv, write_it_csv
from memcompact.model import card_params, constant, integrate, load_model_card, preset_params
from memcompact.model.cards import preset_card
from tests.fit.conftest import make_curves

#: The measured device: forms after ~50 s at 3 V to a few-kOhm ON state (mA), so a 1 kOhm loop
#: changes the curve; a small thermal resistance keeps its Joule heating (and the solver) tame.
DEVICE = dict(nucleation_barrier_eV=1.44, nucleation_voltage_fraction=0.2, growth_activation_eV=1.45,
              tunnel_resistance_ohm=3e3, leakage_conductance_S=2e-13, thermal_resistance_K_per_W=1e3)
VOLTAGE_V, DURATION_S, SAMPLES = 3.0, 200.0, 101


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "memcompact", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def _log10(current_A):
    return np.log10(np.maximum(np.abs(current_A), 1e-18))


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A measurement-like curve with no '# series_resistance_ohm:' line (so the fit assumes 0 Ohm), fitted by the CLI."""
    folder = tmp_path_factory.mktemp("loop")
    params = preset_params("ag_sio2")
    params.update(DEVICE)
    t = np.linspace(0.0, DURATION_S, SAMPLES)
    sol = integrate(params, constant(VOLTAGE_V, DURATION_S), t_eval=t, series_resistance_ohm=0.0)
    rng = np.random.default_rng(3)
    data = folder / "device_3V.csv"
    write_it_csv(data, ITCurve(t, sol.current_A[0] * (1 + 0.03 * rng.standard_normal(t.size)), VOLTAGE_V))
    assert "series_resistance" not in data.read_text()
    start = preset_card("ag_sio2")
    start["params"].update(DEVICE, tunnel_resistance_ohm=1e4, leakage_conductance_S=1e-13)
    start_path = folder / "start.json"
    start_path.write_text(json.dumps(start))
    out = folder / "fit"
    r = _cli("fit", data, "--card", start_path, "--vary", "tunnel_resistance_ohm", "leakage_conductance_S",
             "--max-nfev", "8", "--quiet", "-o", out)
    assert r.returncode == 0, r.stderr[-2000:]
    return data, out / "card.json", folder


def _fit_model_log_current(card_path, data):
    """The fit's own model curve on the data's times: the fit's solver call with the recorded loop resistance."""
    card = load_model_card(card_path)
    d = prepare_curve(data)
    problem = GlobalProblem([d], card_params(card))
    current = problem.simulate([{}], [np.array([card["curves"][0]["series_resistance_ohm"]])])[0][0]
    return d, current[problem.index[0]]


def _simulate(capsys, card_path, out, *extra):
    """`memcompact simulate` (in process: the CLI's own entry point) at the fitted curve's voltage and times."""
    capsys.readouterr()
    status = main(["simulate", "--card", str(card_path), "--voltage", str(VOLTAGE_V), "--duration", str(DURATION_S),
                   "--points", str(SAMPLES), "--quiet", "-o", str(out), *extra])
    captured = capsys.readouterr()
    assert status == 0, captured.err[-2000:]
    return captured.out, read_it_csv(out)


def test_fitted_card_records_loop_resistance_and_loads_back(fitted):
    data, card_path, _ = fitted
    raw = json.loads(card_path.read_text())
    assert raw["series_resistance_ohm"] == 0.0  # no file line, no --series-ohm: the fit assumed 0 Ohm
    assert [c["series_resistance_ohm"] for c in raw["curves"]] == [0.0]
    assert "series_resistance_note" not in raw["curves"][0]
    card = load_model_card(card_path)
    assert card["series_resistance_ohm"] == 0.0
    from memcompact.io.card import card_series_resistance_ohm
    assert card_series_resistance_ohm(card) == 0.0
    assert "loop resistance recorded in the card (the default of memcompact simulate): 0 Ohm" in \
        (card_path.parent / "report.txt").read_text()


def test_simulate_defaults_reproduce_the_fitted_curve(fitted, tmp_path, capsys):
    data, card_path, _ = fitted
    d, fit_i = _fit_model_log_current(card_path, data)
    card = json.loads(card_path.read_text())
    # the reconstruction is the fit's model curve: it gives the RMS the card reports
    assert rms_decades(d, fit_i) == pytest.approx(card["curves"][0]["rms_decades"], abs=1e-4)

    stdout, sim = _simulate(capsys, card_path, tmp_path / "sim.csv")
    assert "series resistance: 0 Ohm (from the card's fit)" in stdout.splitlines()
    assert np.allclose(sim.time_s, d.curve.time_s)
    assert float(sim.metadata["series_resistance_ohm"]) == 0.0
    rms_fit = float(np.sqrt(np.mean((_log10(sim.current_A) - _log10(fit_i)) ** 2)))
    assert rms_fit < 0.01  # measured ~1e-6 decades
    assert rms_decades(d, sim.current_A) == pytest.approx(card["curves"][0]["rms_decades"], abs=0.005)

    # what the old default (1 kOhm in the loop) gives: far from the fitted curve, so the default matters
    stdout, sim_1k = _simulate(capsys, card_path, tmp_path / "sim_1k.csv", "--series-ohm", "1000")
    assert "series resistance: 1000 Ohm (--series-ohm)" in stdout.splitlines()
    assert float(sim_1k.metadata["series_resistance_ohm"]) == 1000.0
    rms_1k = float(np.sqrt(np.mean((_log10(sim_1k.current_A) - _log10(fit_i)) ** 2)))
    assert rms_1k > 0.05  # measured ~1.6 decades (ON current and ECM timing change)


def test_older_fitted_card_without_value_keeps_the_old_default(fitted, tmp_path, capsys):
    _, card_path, _ = fitted
    card = json.loads(card_path.read_text())
    del card["series_resistance_ohm"]
    old = tmp_path / "old_card.json"
    old.write_text(json.dumps(card))
    stdout, sim = _simulate(capsys, old, tmp_path / "sim.csv")
    assert "series resistance: 1000 Ohm (default)" in stdout.splitlines()
    assert float(sim.metadata["series_resistance_ohm"]) == 1000.0


def test_curves_with_different_loop_resistances(tmp_path, capsys):
    """Card-level value: the first curve's, and every curve record says so; simulate says so too."""
    _, curves, _ = make_curves([2.85, 3.05], duration_s=100.0, n_samples=101, seed=5)
    curves[1].metadata["series_resistance_ohm"] = "2500"
    result = fit_it(curves, card="ag_sio2", vary=[])
    card = result.card
    assert [c["series_resistance_ohm"] for c in card["curves"]] == [1000.0, 2500.0]
    assert card["series_resistance_ohm"] == 1000.0
    assert "is this curve's" in card["curves"][0]["series_resistance_note"]
    assert "--series-ohm 2500" in card["curves"][1]["series_resistance_note"]
    assert any("loop resistances differ (1000, 2500 Ohm)" in w for w in card["fit"]["warnings"])
    from memcompact.model.cards import save_model_card
    path = tmp_path / "card.json"
    save_model_card(path, card)
    stdout, _ = _simulate(capsys, path, tmp_path / "sim.csv")
    line = [x for x in stdout.splitlines() if x.startswith("series resistance:")]
    assert len(line) == 1 and line[0].startswith("series resistance: 1000 Ohm (from the card's fit; its 2 curves")

    # equal values: no notes
    curves[1].metadata["series_resistance_ohm"] = "1000"
    card = fit_it(curves, card="ag_sio2", vary=[]).card
    assert card["series_resistance_ohm"] == 1000.0
    assert not any("series_resistance_note" in c for c in card["curves"])
