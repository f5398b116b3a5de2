"""``memcompact chain`` command line."""

import json

import pytest

from memcompact.cli import main
from memcompact.io import read_it_csv


def test_chain_command_writes_all_outputs(tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["chain", "--metal", "Ag", "--voltage", "3", "--thickness", "40e-9", "--duration", "300",
               "--seed", "1", "-o", str(out), "--no-progress"])
    assert rc == 0
    for name in ("it.csv", "summary.json", "clusters.png", "it.png"):
        assert (out / name).stat().st_size > 0
    curve = read_it_csv(out / "it.csv")  # the I-t contract of DESIGN 5
    assert len(curve) == 1000 and curve.time_s[-1] == pytest.approx(300.0)
    assert curve.metadata["metal"] == "Ag"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["regime"] in ("a", "b", "c", "d")
    assert set(summary["events"]) >= {"t_form_s", "t_drop_s", "t_ecm_s"}
    assert summary["parameters"]["thickness_m"] == 40e-9
    assert "regime" in capsys.readouterr().out


def test_knobs_reach_the_parameters(tmp_path):
    out = tmp_path / "k"
    rc = main(["chain", "--duration", "5", "--mobility-scale", "10", "--redox-scale", "0.5",
               "--reservoir-m3", "1e-22", "--temperature", "320", "--set", "contact_radius_m=3e-9",
               "-o", str(out), "--no-progress"])
    assert rc == 0
    p = json.loads((out / "summary.json").read_text())["parameters"]
    assert (p["mobility_scale"], p["redox_scale"], p["reservoir_m3"], p["temperature_K"],
            p["contact_radius_m"]) == (10.0, 0.5, 1e-22, 320.0, 3e-9)


@pytest.mark.parametrize("args, words", [
    (["--metal", "Au"], "unknown metal"),
    (["--thickness=-40e-9"], "thickness"),
    (["--duration=-5"], "duration"),
    (["--voltage", "0"], "voltage"),
    (["--voltage", "abc"], "voltage"),
    (["--set", "transfer_coefficient=2"], "transfer_coefficient"),
    (["--aperture", "soon"], "aperture"),
    (["--aperture=-1"], "aperture"),
])
def test_bad_arguments_exit_2_and_write_nothing(tmp_path, capsys, args, words):
    out = tmp_path / "bad"
    rc = main(["chain", *args, "-o", str(out), "--no-progress"])
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_help_shows_units(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["chain", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for unit in ("[V]", "[m]", "[s]", "[m^3]", "[K]"):
        assert unit in text
