"""Sweep specs: ranges, seeds, checks naming the key, stable task ids."""

import numpy as np
import pytest

from memcompact.errors import InputError, ParameterError
from memcompact.sweep import expand_tasks, load_spec, parse_spec
from memcompact.sweep.spec import BUNDLED_DIR


def test_ranges_seeds_and_defaults():
    spec = parse_spec({"study": "crossbar_margin",
                       "parameters": {"size": [8, 16], "wire_resistance_ohm": {"logspace": [0.1, 10, 3]},
                                      "spread_scale": {"linspace": [0, 2, 5]}, "read_V": 0.3},
                       "seeds": {"start": 7, "count": 3}})
    assert spec.axes["size"] == (8, 16)
    np.testing.assert_allclose(spec.axes["wire_resistance_ohm"], [0.1, 1.0, 10.0], rtol=1e-12)
    np.testing.assert_allclose(spec.axes["spread_scale"], [0, 0.5, 1, 1.5, 2], atol=1e-15)
    assert spec.axes["read_V"] == (0.3,)
    assert spec.axes["card"] == ("ag_sio2",)            # default filled in
    assert spec.seeds == (7, 8, 9)
    assert spec.swept == ("size", "wire_resistance_ohm", "spread_scale")
    assert spec.n_tasks == 2 * 3 * 5 * 3
    tasks = expand_tasks(spec)
    assert len(tasks) == spec.n_tasks == len({t.task_id for t in tasks})
    assert {t.seed for t in tasks} == {7, 8, 9}


def test_task_ids_are_stable_across_key_order_and_runs():
    a = parse_spec({"study": "vt_map", "parameters": {"voltage_V": [3.0, 3.5], "devices_per_task": 10}, "seeds": 2})
    b = parse_spec({"seeds": 2, "parameters": {"devices_per_task": 10, "voltage_V": [3.0, 3.5]}, "study": "vt_map"})
    assert [t.task_id for t in expand_tasks(a)] == [t.task_id for t in expand_tasks(b)]
    c = parse_spec({"study": "vt_map", "parameters": {"voltage_V": [3.0, 3.5], "devices_per_task": 11}, "seeds": 2})
    assert not {t.task_id for t in expand_tasks(a)} & {t.task_id for t in expand_tasks(c)}


@pytest.mark.parametrize("data, words", [
    ({"study": "crossbar_margin", "parameters": {"colour": [1, 2]}}, ["parameter 'colour'", "unknown", "size"]),
    ({"study": "crossbar_margin", "parameters": {"size": []}}, ["parameter 'size'", "empty range"]),
    ({"study": "crossbar_margin", "parameters": {"size": {"linspace": [8, 64, 0]}}}, ["'size'", "empty range"]),
    ({"study": "crossbar_margin", "parameters": {"size": [8, -16]}}, ["parameter 'size'", "at least 2", "-16"]),
    ({"study": "crossbar_margin", "parameters": {"size": 8.5}}, ["'size'", "whole number"]),
    ({"study": "crossbar_margin", "parameters": {"wire_resistance_ohm": 0}}, ["wire_resistance_ohm", "above 0 Ohm"]),
    ({"study": "crossbar_margin", "parameters": {"wire_resistance_ohm": {"logspace": [0, 10, 3]}}},
     ["wire_resistance_ohm", "positive"]),
    ({"study": "crossbar_margin", "parameters": {"card": "gold"}}, ["'card'", "ag_sio2"]),
    ({"study": "crossbar_margin", "seeds": 0}, ["seeds", "empty range"]),
    ({"study": "crossbar_margin", "seeds": []}, ["seeds", "empty range"]),
    ({"study": "crossbar_margin", "seeds": [1, 1]}, ["seeds", "repeat"]),
    ({"study": "crossbar_margin", "sedes": 3}, ["unknown spec key 'sedes'"]),
    ({"study": "lattice"}, ["unknown study 'lattice'", "vt_map"]),
    ({"parameters": {}}, ["names no study"]),
])
def test_malformed_specs_name_the_problem(data, words):
    with pytest.raises(InputError) as info:
        parse_spec(data)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_unknown_parameter_is_a_parameter_error():
    with pytest.raises(ParameterError) as info:
        parse_spec({"study": "vt_map", "parameters": {"voltage": 3.0}})
    assert info.value.name == "voltage"


def test_quick_block_and_toml(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('study = "vt_map"\nseeds = 10\n[parameters]\nvoltage_V = {linspace = [2.4, 4.3, 20]}\n'
                    '[quick]\nseeds = 2\n[quick.parameters]\nvoltage_V = [3.0]\n')
    full, quick = load_spec(path), load_spec(path, quick=True)
    assert (full.n_tasks, quick.n_tasks) == (200, 2)


def test_bundled_specs_parse_full_and_quick():
    names = sorted(p.stem for p in BUNDLED_DIR.glob("*.json"))
    assert {"crossbar_margin", "vt_map", "chain_regime"} <= set(names)
    for name in names:
        full, quick = load_spec(name), load_spec(name, quick=True)
        assert 0 < quick.n_tasks < full.n_tasks
    vt = load_spec("vt_map")                           # study (b): 10,000 devices at 20 voltages
    assert len(vt.axes["voltage_V"]) == 20
    assert len(vt.seeds) * vt.axes["devices_per_task"][0] == 10000
    xb = load_spec("crossbar_margin")                  # study (a): at least 100 arrays per point
    assert len(xb.seeds) >= 100


def test_missing_or_broken_spec_file(tmp_path):
    with pytest.raises(InputError, match="no such file, nor a bundled spec"):
        load_spec(tmp_path / "nothing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"study": "vt_map",')
    with pytest.raises(InputError, match="not valid JSON"):
        load_spec(bad)
