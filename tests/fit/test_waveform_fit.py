"""Waveform and mixed fits on curves the model did not generate (tests/fit/waveform_shapes.py).

One fit of a triangle sweep through the Python API is shared by the
assertions on the fitted switching voltages, the loop RMS and the prediction
of held-out sweeps (another amplitude, ten times faster and slower); one
mixed fit (a stress curve plus a sweep of the same device) runs through the
command line with a held-out file.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from memcompact.cli import main
from memcompact.fit import fit_it
from memcompact.fit.predict import predict_curves
from memcompact.io import ITCurve
from tests.fit.waveform_shapes import SwitchDevice, switch_device, triangle_drive, write_waveform_csv

DEVICE = SwitchDevice()
#: Tolerance on a fitted or predicted switching voltage [V] (the generator's SET moves by ~0.14 V per decade
#: of sweep rate; the model's voltage-time law is its own).
SWITCH_TOL_V = 0.12
#: The generator's filament does not thicken: lateral growth held off. One sweep does not identify it, and
#: with the preset's lateral growth the held-out RESET voltages come out 0.3 V (2 V amplitude) and 0.59 V
#: (10 s sweep) too negative: a thickened filament's RESET depends on how long the sweep stayed ON (docs/fitting.md).
NO_LATERAL_GROWTH = {"radius_growth_m": 0.0, "radius_ecm_growth_m": 0.0}


def _sweep(v_max, v_min, period_s, seed, points=150):
    t, v = triangle_drive(v_max, v_min, period_s, cycles=1, points_per_period=points)
    i, truth = switch_device(t, v, device=DEVICE, seed=seed)
    curve = ITCurve(t, i, v, metadata={"series_resistance_ohm": repr(DEVICE.series_ohm)},
                    source=f"sweep_{v_max:g}V_{period_s:g}s")
    return curve, truth


def _truth(events, kind):
    return float(np.mean([e["voltage_V"] for e in events if e["kind"] == kind]))


@pytest.fixture(scope="module")
def sweep_fit():
    curve, truth = _sweep(2.5, -1.5, 1.0, seed=1)
    return fit_it([curve], max_nfev=25, fix=NO_LATERAL_GROWTH), truth


@pytest.mark.slow
def test_sweep_fit_switches_where_the_data_do(sweep_fit):
    result, truth = sweep_fit
    rec = result.card["curves"][0]
    assert rec["kind"] == "waveform"
    sw = rec["switching"]
    assert sw["missed"] == 0
    assert abs(sw["set_V"]["model"] - _truth(truth, "set")) < SWITCH_TOL_V, sw
    assert abs(sw["reset_V"]["model"] - _truth(truth, "reset")) < SWITCH_TOL_V, sw
    # the loop in asinh units (decades above the floor): most samples far closer than a decade
    assert rec["rms_asinh"] < 0.4
    # the OFF level is the generator's at low voltage (its sinh shape is not ohmic: within 0.3 decade)
    assert abs(np.log10(result.params["leakage_conductance_S"]) - np.log10(DEVICE.g_off_S)) < 0.3


@pytest.mark.slow
def test_prediction_of_held_out_amplitude_and_sweep_rates(sweep_fit):
    result, _ = sweep_fit
    held = {"amplitude": _sweep(2.0, -1.3, 1.0, seed=2), "fast": _sweep(2.5, -1.5, 0.1, seed=3),
            "slow": _sweep(2.5, -1.5, 10.0, seed=4)}
    pred = predict_curves(result, [c for c, _ in held.values()])
    scores = dict(zip(held, pred.scores))
    for name, (_, truth) in held.items():
        s = scores[name]
        assert s["missed_events"] == 0, name
        assert abs(s["switching"]["set_V"]["model"] - _truth(truth, "set")) < 2 * SWITCH_TOL_V, (name, s["switching"])
        assert abs(s["switching"]["reset_V"]["model"] - _truth(truth, "reset")) < 2 * SWITCH_TOL_V, name
        assert s["rms_asinh"] < 0.8, name
    # a faster sweep switches at a higher |V|, a slower one at a lower: the model predicts the direction
    set_v = {n: scores[n]["switching"]["set_V"]["model"] for n in ("slow", "fast")}
    assert set_v["slow"] < result.card["curves"][0]["switching"]["set_V"]["model"] < set_v["fast"]


@pytest.mark.slow
def test_cli_fits_a_stress_curve_and_a_sweep_together_and_predicts(tmp_path, capsys):
    t = np.linspace(0.0, 2.0, 201)
    stress_v = np.full_like(t, 1.45)
    i, stress_truth = switch_device(t, stress_v, device=DEVICE, seed=5)
    stress = write_waveform_csv(tmp_path / "stress_1.45V.csv", t, i, stress_v, device=DEVICE)
    curve, sweep_truth = _sweep(2.5, -1.5, 1.0, seed=6)
    sweep = write_waveform_csv(tmp_path / "sweep.csv", curve.time_s, curve.current_A, curve.voltage_V, device=DEVICE)
    held, _ = _sweep(2.0, -1.3, 1.0, seed=7)
    held_path = write_waveform_csv(tmp_path / "held.csv", held.time_s, held.current_A, held.voltage_V, device=DEVICE)
    out = tmp_path / "fit"
    status = main(["fit", str(stress), str(sweep), "--predict", str(held_path), "--max-nfev", "12", "-o", str(out),
                   "--fix", "radius_growth_m=0", "radius_ecm_growth_m=0", "--quiet"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    for name in ("card.json", "report.txt", "fit.png", "predict.png", "summary.json"):
        assert (out / name).stat().st_size > 0, name
    card = json.loads((out / "card.json").read_text())
    kinds = [c.get("kind", "stress") for c in card["curves"]]
    assert kinds == ["stress", "waveform"]
    # shared parameters: one card reproduces both the stress formation and the sweep's SET
    t_form = card["curves"][0]["model_events"]["t_form_s"]
    assert t_form is not None and abs(np.log10(t_form / stress_truth[0]["time_s"])) < 0.5
    assert abs(card["curves"][1]["switching"]["set_V"]["model"] - _truth(sweep_truth, "set")) < SWITCH_TOL_V
    summary = json.loads((out / "summary.json").read_text())
    assert [p["file"] for p in summary["predictions"]] == [str(held_path)]
    assert summary["predictions"][0]["missed_events"] == 0
    report = (out / "report.txt").read_text()
    assert "[[Predictions]]" in report and str(held_path) in report


@pytest.mark.slow
def test_sweep_card_predicts_a_held_out_stress_curve(sweep_fit):
    """Cross-prediction: the card fitted to one sweep dates the formation of a 1.45 V stress of the same device."""
    result, _ = sweep_fit
    t = np.linspace(0.0, 2.0, 201)
    v = np.full_like(t, 1.45)
    i, truth = switch_device(t, v, device=DEVICE, seed=8)
    stress = ITCurve(t, i, v, metadata={"series_resistance_ohm": repr(DEVICE.series_ohm)}, source="stress_1.45V")
    score = predict_curves(result, [stress]).scores[0]
    assert score["kind"] == "stress" and score["series_source"] == "file"
    assert score["events"]["t_form_s"] == pytest.approx(truth[0]["time_s"], rel=0.1)
    assert score["missed_events"] == []
    # measured: 0.48 decade early (a factor 3) from one 1 s sweep
    assert abs(score["event_errors_log10_s"]["t_form_s"]) < 0.7
