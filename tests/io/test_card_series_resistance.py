"""The card-level loop resistance ``series_resistance_ohm`` (memcompact/io/card.py) and its use by simulate."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from memcompact.cli import main
from memcompact.errors import CardError
from memcompact.io import load_card, read_it_csv, save_card
from memcompact.io.card import card_series_resistance_ohm, check_card
from memcompact.model import load_model_card
from memcompact.model.cards import preset_card


def _card(**extra):
    return {"model": "ecm", "version": 1, "params": {"a": 1.0}, **extra}


@pytest.mark.parametrize("value", [0, 0.0, 250, 1e3])
def test_value_round_trips(tmp_path, value):
    path = tmp_path / "c.json"
    save_card(path, _card(series_resistance_ohm=value))
    card = load_card(path)
    assert card["series_resistance_ohm"] == value
    assert card_series_resistance_ohm(card) == float(value)
    assert isinstance(card_series_resistance_ohm(card), float)


def test_cards_without_it_load():
    assert card_series_resistance_ohm(check_card(_card())) is None
    assert card_series_resistance_ohm(check_card(_card(series_resistance_ohm=None))) is None
    preset = load_model_card("ag_sio2")
    assert "series_resistance_ohm" not in preset and card_series_resistance_ohm(preset) is None


@pytest.mark.parametrize("value", [-1.0, -1e-9, math.nan, math.inf, -math.inf, "1000", True, [1000.0]])
def test_bad_value_is_a_card_error_naming_it(tmp_path, value):
    with pytest.raises(CardError, match="series_resistance_ohm"):
        check_card(_card(series_resistance_ohm=value), path="c.json")
    path = tmp_path / "c.json"
    path.write_text(json.dumps(_card(series_resistance_ohm=value)))  # NaN/Infinity: Python's JSON extension
    with pytest.raises(CardError, match=r"c\.json: 'series_resistance_ohm'"):
        load_card(path)


@pytest.mark.parametrize("value", [-50.0, math.nan])
def test_cli_bad_card_value_exits_2_one_line_nothing_written(tmp_path, value):
    card = preset_card("ag_sio2")
    card["series_resistance_ohm"] = value
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(card))
    target = tmp_path / "never.csv"
    for command in (["simulate", "--card", str(bad), "--voltage", "3", "--duration", "1", "-o", str(target)],
                    ["crossbar", "--rows", "2", "--cols", "2", "--card", str(bad), "-o", str(tmp_path / "xb")],
                    ["check", str(bad)]):
        r = subprocess.run([sys.executable, "-m", "memcompact", *command], capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 2, (command, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "series_resistance_ohm" in lines[0] and "bad.json" in lines[0]
    assert not target.exists() and not (tmp_path / "xb").exists()


def test_cli_preset_keeps_the_old_default_and_explicit_value_wins(tmp_path, capsys):
    out = tmp_path / "it.csv"
    assert main(["simulate", "--card", "ag_sio2", "--voltage", "3", "--duration", "5", "--points", "11",
                 "--quiet", "-o", str(out)]) == 0
    assert "series resistance: 1000 Ohm (default)" in capsys.readouterr().out.splitlines()
    assert float(read_it_csv(out).metadata["series_resistance_ohm"]) == 1000.0
    card = preset_card("ag_sio2")
    card["series_resistance_ohm"] = 250.0
    path = tmp_path / "c.json"
    path.write_text(json.dumps(card))
    assert main(["simulate", "--card", str(path), "--voltage", "3", "--duration", "5", "--points", "11",
                 "--quiet", "-o", str(out)]) == 0
    assert "series resistance: 250 Ohm (from the card's fit)" in capsys.readouterr().out.splitlines()
    assert main(["simulate", "--card", str(path), "--voltage", "3", "--duration", "5", "--points", "11",
                 "--series-ohm", "0", "--quiet", "-o", str(out)]) == 0
    assert "series resistance: 0 Ohm (--series-ohm)" in capsys.readouterr().out.splitlines()
    assert float(read_it_csv(out).metadata["series_resistance_ohm"]) == 0.0
    assert main(["simulate", "--card", str(path), "--voltage", "3", "--duration", "5", "--series-ohm", "-1",
                 "-o", str(tmp_path / "never.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--series-ohm" in err[0]
    assert not (tmp_path / "never.csv").exists()
