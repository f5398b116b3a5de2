"""Parameter table, presets and model cards."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from memcompact.errors import CardError, ParameterError
from memcompact.model import (
    MODEL_NAME, PARAMETERS, PRESETS, card_params, complete_params, load_model_card, preset_card, save_model_card,
    validate_params,
)
from memcompact.model.parameters import parameter_table_markdown


def test_every_parameter_documented_with_unit_bounds_and_source():
    names = [p.name for p in PARAMETERS]
    assert len(names) == len(set(names))
    for p in PARAMETERS:
        assert p.unit and p.description and p.source, p.name
        assert p.lower <= p.default <= p.upper, p.name
    table = parameter_table_markdown()
    assert all(f"`{n}`" in table for n in names)


def test_validation_names_the_parameter():
    with pytest.raises(ParameterError, match="thickness_m") as exc:
        complete_params(thickness_m=1.0)
    assert exc.value.name == "thickness_m"
    with pytest.raises(ParameterError, match="allowed: "):
        validate_params({"thicknes_m": 40e-9}, require_all=False)
    with pytest.raises(ParameterError, match="finite"):
        complete_params(temperature_K=float("nan"))
    params = complete_params()
    del params["gap_min_m"]
    with pytest.raises(ParameterError, match="gap_min_m"):
        validate_params(params)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_round_trip_through_card_files(tmp_path, name):
    card = preset_card(name)
    path = tmp_path / f"{name}.json"
    save_model_card(path, card)
    back = load_model_card(path)
    assert back["model"] == MODEL_NAME and back["preset"] == name
    assert card_params(back) == pytest.approx(card["params"], rel=0, abs=0)
    assert load_model_card(name)["params"] == card["params"]


def test_cu_differs_from_ag_as_documented():
    ag, cu = card_params(preset_card("ag_sio2")), card_params(preset_card("cu_sio2"))
    assert cu["nucleation_barrier_eV"] > ag["nucleation_barrier_eV"]  # Cu needs a higher field (Fig. 2h)


@pytest.mark.parametrize("mutate, needle", [
    (lambda c: c["params"].pop("thickness_m"), "thickness_m"),
    (lambda c: c["params"].update(thickness_m=1.0), "thickness_m"),
    (lambda c: c["params"].update(bogus_param=1.0), "bogus_param"),
    (lambda c: c.update(model="other"), "model"),
])
def test_bad_cards_are_refused(tmp_path, mutate, needle):
    card = preset_card("ag_sio2")
    mutate(card)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(card))
    with pytest.raises(CardError, match=needle):
        load_model_card(path)


def test_cli_card_and_simulate(tmp_path):
    card = tmp_path / "c.json"
    run = lambda *a: subprocess.run([sys.executable, "-m", "memcompact", *a], capture_output=True, text=True)
    r = run("card", "ag_sio2", "-o", str(card))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "it.csv"
    png = tmp_path / "it.png"
    r = run("simulate", "--card", str(card), "--voltage", "3", "--duration", "200", "--points", "401",
            "-o", str(out), "--plot", str(png), "--quiet")
    assert r.returncode == 0, r.stderr
    from memcompact.io import read_it_csv
    curve = read_it_csv(out)
    assert len(curve) == 401 and np.all(curve.voltage_V == 3.0)
    assert curve.current_A.max() > 1e5 * curve.current_A[1]  # formed within 200 s
    assert png.stat().st_size > 10000
    # bad input: exit 2, one line, nothing written
    bad = tmp_path / "bad.json"
    c = json.loads(card.read_text())
    c["params"]["transfer_coefficient"] = 2.0
    bad.write_text(json.dumps(c))
    target = tmp_path / "never.csv"
    r = run("simulate", "--card", str(bad), "--voltage", "3", "--duration", "1", "-o", str(target))
    assert r.returncode == 2
    assert "transfer_coefficient" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not target.exists()
    r = run("simulate", "--sweep", "4,-4,2", "-o", str(target))
    assert r.returncode == 2 and "--sweep" in r.stderr and not target.exists()
