"""Model cards (memcompact/io/card.py): DESIGN section 5."""

from __future__ import annotations

import copy
import json
import math

import pytest

from memcompact.errors import CardError, InputError, ParameterError
from memcompact.io import EVENT_KEYS, check_card, load_card, save_card


def good_card():
    return {
        "model": "ecm",
        "version": 2,
        "params": {"r_on_ohm": 1.0e3, "r_off_ohm": 1.0e6, "tau_s": 0.1, "n": 3},
        "chisqr": 1.2345678901234567e-20,
        "redchi": 3.0e-22,
        "stderr": {"r_on_ohm": 12.5, "r_off_ohm": None, "tau_s": 1 / 3, "n": 0.0},
        "data_files": ["a.csv", "b.csv"],
        "events": {"t_form_s": 0.7, "t_drop_s": None, "t_ecm_s": 12.25},
    }


def test_round_trip_preserves_everything(tmp_path):
    card = good_card()
    path = tmp_path / "cards" / "c.json"
    save_card(path, card)
    back = load_card(path)
    expected = copy.deepcopy(card)
    expected["params"]["n"] = 3.0  # params come back as floats
    assert back == expected
    assert type(back["params"]["n"]) is float
    assert back["stderr"] == {"r_on_ohm": 12.5, "r_off_ohm": None, "tau_s": 1 / 3, "n": 0.0}
    assert back["events"] == {"t_form_s": 0.7, "t_drop_s": None, "t_ecm_s": 12.25}
    assert back["chisqr"] == 1.2345678901234567e-20
    assert sorted(p.name for p in path.parent.iterdir()) == ["c.json"]  # no temp file left


def test_reference_card(data_dir):
    card = load_card(data_dir / "card_example.json")
    assert card["model"] == "example" and card["version"] == 1
    assert card["params"] == {"r_on_ohm": 1000.0, "r_off_ohm": 1.0e6, "tau_s": 0.25}
    assert card["stderr"]["r_off_ohm"] is None
    assert card["events"] == {"t_form_s": 0.7, "t_drop_s": None, "t_ecm_s": None}
    assert set(card["events"]) == set(EVENT_KEYS)


def mutate(fn):
    card = good_card()
    fn(card)
    return card


BAD_CARDS = [
    ("missing-model", mutate(lambda c: c.pop("model")), "missing key 'model'"),
    ("missing-version", mutate(lambda c: c.pop("version")), "missing key 'version'"),
    ("missing-params", mutate(lambda c: c.pop("params")), "missing key 'params'"),
    ("empty-model", mutate(lambda c: c.update(model="")), "'model' must be a non-empty string"),
    ("version-float", mutate(lambda c: c.update(version=1.5)), "'version' must be an integer"),
    ("version-bool", mutate(lambda c: c.update(version=True)), "'version' must be an integer"),
    ("params-list", mutate(lambda c: c.update(params=[1, 2])), "'params' must be an object"),
    ("param-string", mutate(lambda c: c["params"].update(tau_s="0.1")),
     "parameter 'tau_s': value must be a number, got '0.1'"),
    ("param-null", mutate(lambda c: c["params"].update(tau_s=None)), "parameter 'tau_s': value must be a number"),
    ("param-bool", mutate(lambda c: c["params"].update(n=False)), "parameter 'n': value must be a number"),
    ("param-nan", mutate(lambda c: c["params"].update(tau_s=math.nan)),
     "parameter 'tau_s': value must be finite, got nan"),
    ("param-inf", mutate(lambda c: c["params"].update(r_on_ohm=-math.inf)),
     "parameter 'r_on_ohm': value must be finite, got -inf"),
    ("events-list", mutate(lambda c: c.update(events=[0.7])), "'events' must be an object"),
    ("event-string", mutate(lambda c: c["events"].update(t_form_s="soon")),
     "event 't_form_s' must be a number or null"),
    ("event-nan", mutate(lambda c: c["events"].update(t_drop_s=math.nan)), "event 't_drop_s' must be finite"),
    ("not-object", [1, 2, 3], "a card must be a JSON object"),
]


@pytest.mark.parametrize("card,problem", [c[1:] for c in BAD_CARDS], ids=[c[0] for c in BAD_CARDS])
def test_bad_card_refused_on_load(tmp_path, card, problem):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(card))  # json writes NaN/Infinity tokens, as a careless tool would
    with pytest.raises(CardError) as info:
        load_card(path)
    assert isinstance(info.value, InputError)
    assert info.value.path == str(path)
    assert problem in info.value.problem
    assert str(info.value) == f"{path}: {info.value.problem}"


@pytest.mark.parametrize("card,problem", [c[1:] for c in BAD_CARDS], ids=[c[0] for c in BAD_CARDS])
def test_bad_card_refused_on_save_and_nothing_written(tmp_path, card, problem):
    path = tmp_path / "bad.json"
    with pytest.raises(CardError, match=".") as info:
        save_card(path, card)
    assert problem in info.value.problem
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text,problem", [
    ('{"model": "x", "version": 1, "params": {"a": 1,}}', "line 1: invalid JSON"),
    ('{\n  "model": "x",\n  "version": 1\n  "params": {}\n}', "line 4: invalid JSON: Expecting ',' delimiter"),
    ("", "file is empty"),
    ("   \n", "file is empty"),
])
def test_bad_json_text(tmp_path, text, problem):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(CardError) as info:
        load_card(path)
    assert problem in info.value.problem


def test_binary_and_missing_card(tmp_path):
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(CardError, match="not a UTF-8 JSON text file"):
        load_card(path)
    with pytest.raises(CardError, match="file not found"):
        load_card(tmp_path / "none.json")


def test_non_finite_statistics_cannot_be_saved(tmp_path):
    card = good_card()
    card["stderr"]["tau_s"] = math.nan  # the fitter must write null, not NaN
    with pytest.raises(CardError, match="cannot be written as JSON"):
        save_card(tmp_path / "c.json", card)
    assert list(tmp_path.iterdir()) == []


def test_validate_hook_turns_parameter_errors_into_card_errors(tmp_path):
    def validate(params):
        if "tau_s" in params and params["tau_s"] <= 0.2:
            raise ParameterError("tau_s", "must be > 0.2 s")

    path = tmp_path / "c.json"
    save_card(path, mutate(lambda c: c["params"].update(tau_s=0.5)), validate=validate)
    assert load_card(path, validate=validate)["params"]["tau_s"] == 0.5
    with pytest.raises(CardError, match=r"parameter 'tau_s': must be > 0.2 s"):
        check_card(good_card(), path="x.json", validate=validate)
    with pytest.raises(CardError, match="parameter 'tau_s'"):
        save_card(tmp_path / "d.json", good_card(), validate=validate)
    assert not (tmp_path / "d.json").exists()
