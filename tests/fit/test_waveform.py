"""Waveform curves (memcompact/fit/waveform.py): asinh residual, noise floor, stimulus, switching, bad input.

The data come from tests/fit/waveform_shapes.py (a phenomenological switch,
numpy only), never from the compact model.
"""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.cli import main
from memcompact.fit.waveform import (asinh_current, prepare_waveform, switching_events, waveform_noise_floor_A,
                                     waveform_stimulus)
from memcompact.io import ITCurve
from tests.fit.waveform_shapes import (SwitchDevice, add_noise, pulse_drive, sine_drive, switch_device,
                                       triangle_drive, write_waveform_csv)

SEEDS = range(10)
#: The generator's device without noise (the switching does not depend on the noise: one run, ten noise seeds).
NOISELESS = SwitchDevice(noise_rel=0.0, noise_floor_A=0.0)


def test_asinh_current_is_decades_above_the_scale_and_linear_through_zero():
    s = 1e-12
    i = np.array([1e-9, 1e-6, -1e-6])
    # sign(I) log10(|I|/s) to within 1e-6 decades far above the scale
    assert np.allclose(asinh_current(i, s), [3.0, 6.0, -6.0], atol=1e-6)
    # one decade of current is one unit, either sign
    assert asinh_current(1e-5, s) - asinh_current(1e-6, s) == pytest.approx(1.0, abs=1e-9)
    small = np.array([-1e-14, 0.0, 1e-14])
    assert np.allclose(asinh_current(small, s), small / (2 * s) / np.log(10), rtol=1e-4)


def test_noise_floor_is_the_additive_noise_for_most_seeds():
    """A sweep's current follows the drive; second differences leave the reading noise (2 pA here)."""
    t, v = triangle_drive(2.5, -1.5, 1.0, cycles=2, points_per_period=400)
    ratios = []
    clean, _ = switch_device(t, v, device=NOISELESS)
    for seed in SEEDS:
        i = add_noise(clean, seed=seed)
        ratios.append(waveform_noise_floor_A(i) / SwitchDevice().noise_floor_A)
    good = [0.3 < r < 3.0 for r in ratios]
    assert sum(good) >= 8, ratios


@pytest.mark.parametrize("drive", ["triangle", "sine", "pulses"])
def test_stimulus_follows_every_sample_with_few_corners(drive):
    if drive == "triangle":
        t, v = triangle_drive(2.5, -1.5, 1.0, cycles=3, points_per_period=1000)
    elif drive == "sine":
        t, v = sine_drive(2.0, 1.0, cycles=2, points_per_period=1000)
    else:
        t, v = pulse_drive([(1.75, 0.01), (-1.1, 0.01)])
    t = t + 5.0  # a file whose clock does not start at 0
    stim = waveform_stimulus(t, v)
    tol = 2e-3 * np.max(np.abs(v))
    assert np.max(np.abs(stim.voltage(t - 5.0) - v)) <= tol * (1 + 1e-9)
    # a turning point between two samples takes two corners
    corners = {"triangle": 3 * 4 + 2, "sine": 2 * 60, "pulses": 30}[drive]
    assert stim.times_s.size <= corners, stim.times_s.size
    assert stim.times_s[0] == 0.0


def _matched(found, truth, key, tol):
    """Every true event found once, in order, within ``tol`` in ``key``."""
    if [e["kind"] for e in found] != [e["kind"] for e in truth]:
        return False
    return all(abs(f[key] - e[key]) <= tol for f, e in zip(found, truth))


@pytest.mark.parametrize("v_max,period_s", [(2.5, 1.0), (2.0, 0.1), (3.0, 10.0)])
def test_sweep_switching_voltages_are_the_generators(v_max, period_s):
    """SET / RESET dated by the detector within 20 mV of the generator's x = 1/2 crossing, for most seeds."""
    t, v = triangle_drive(v_max, -1.5, period_s, cycles=2, points_per_period=400)
    hits = 0
    clean, truth = switch_device(t, v, device=NOISELESS)
    for seed in SEEDS:
        d = prepare_waveform(ITCurve(t, add_noise(clean, seed=seed), v))
        hits += _matched(d.events, truth, "voltage_V", 0.02)
    assert hits >= 8


def test_pulse_switching_times_are_the_generators():
    t, v = pulse_drive([(1.75, 0.01), (0.2, 0.01), (-1.1, 0.01)])
    hits = 0
    clean, truth = switch_device(t, v, device=NOISELESS)
    for seed in SEEDS:
        d = prepare_waveform(ITCurve(t, add_noise(clean, seed=seed), v))
        hits += _matched(d.events, truth, "time_s", 2 * (t[1] - t[0]))
    assert hits >= 8


def test_no_switching_in_an_ohmic_trace():
    t, v = triangle_drive(1.0, -1.0, 1.0, cycles=1, points_per_period=200)
    i, truth = switch_device(t, v, seed=0)  # below both thresholds: stays OFF
    assert truth == []
    d = prepare_waveform(ITCurve(t, i, v))
    assert d.levels is None and d.events == []


def _sweep_file(path, **changes):
    t, v = triangle_drive(2.5, -1.5, 1.0, cycles=1, points_per_period=60)
    i, _ = switch_device(t, v, seed=0)
    return write_waveform_csv(path, t, i, v), t, i, v


def _run_bad(argv, capsys, out):
    status = main(["fit", *map(str, argv), "-o", str(out), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1, err
    assert not out.exists()
    return err


def test_bad_waveform_input_exits_2_with_file_and_line_and_writes_nothing(tmp_path, capsys):
    good, t, i, v = _sweep_file(tmp_path / "good.csv")
    out = tmp_path / "out"
    lines = good.read_text().splitlines()
    header = lines.index("time_s,current_A,voltage_V") + 1  # 1-based line of the header

    backwards = tmp_path / "backwards.csv"
    rows = lines[:]
    # sample 20 (line header + 21) dated before sample 19
    rows[header + 20] = f"{float(t[10])!r},{float(i[20])!r},{float(v[20])!r}"
    backwards.write_text("\n".join(rows) + "\n")
    err = _run_bad([good, backwards], capsys, out)
    assert f"{backwards}:{header + 21}: time not strictly increasing" in err

    missing = tmp_path / "missing.csv"
    rows = lines[:]
    rows[header + 5] = f"{float(t[5])!r},{float(i[5])!r},"
    missing.write_text("\n".join(rows) + "\n")
    err = _run_bad([missing], capsys, out)
    assert f"{missing}:{header + 6}: column 'voltage_V': missing voltage" in err

    for value in ("-100", "nan"):
        meta = tmp_path / f"series_{value}.csv"
        rows = [f"# series_resistance_ohm: {value}" if ln.startswith("# series_resistance_ohm") else ln
                for ln in lines]
        meta.write_text("\n".join(rows) + "\n")
        series_line = next(k for k, ln in enumerate(rows, start=1) if ln.startswith("# series_resistance_ohm"))
        err = _run_bad([meta], capsys, out)
        assert f"{meta}:{series_line}: '# series_resistance_ohm:'" in err

    # a bad held-out file is refused before the fit, too
    err = _run_bad([good, "--predict", backwards], capsys, out)
    assert f"{backwards}:{header + 21}" in err

    for value in ("-5", "nan"):
        err = _run_bad([good, "--series-ohm", value], capsys, out)
        assert "--series-ohm must be a finite number >= 0" in err


def test_periodic_drive_repeats_the_settled_loop():
    """Ten identical periods cost a few: once the loop settles, the later periods repeat the last one.

    Parameters near a fit of the generator's sweep (lateral growth held off,
    so every period is the same loop). The first period is the same
    integration either way; every later period switches where the first
    does. (One integration of the whole trace dated the second RESET at
    -1.39 V until the solver bounded its steps on ramps, tests/model/test_ramps.py.)
    """
    import dataclasses

    from memcompact.fit.waveform import simulate_waveform
    from memcompact.model.cards import preset_params

    t, v = triangle_drive(2.5, -1.5, 1.0, cycles=5, points_per_period=300)
    i, _ = switch_device(t, v, device=NOISELESS)
    d = prepare_waveform(ITCurve(t, add_noise(i, seed=0), v))
    assert d.period_s == pytest.approx(1.0, rel=1e-9)
    params = preset_params("ag_sio2")
    params.update(nucleation_barrier_eV=0.6, growth_activation_eV=1.10, transfer_coefficient=0.40,
                  tunnel_resistance_ohm=1.3e4, leakage_conductance_S=2.1e-9, radius_growth_m=0.0,
                  radius_ecm_growth_m=0.0)
    periodic = simulate_waveform(params, d, 500.0, 1)[0]
    first = t <= 1.0
    whole = simulate_waveform(params, dataclasses.replace(d, period_s=None), 500.0, 1)[0]
    diff = asinh_current(periodic[first], d.scale_A) - asinh_current(whole[first], d.scale_A)
    assert np.sqrt(np.mean(diff ** 2)) < 0.02
    events = switching_events(d.time_s, v, periodic, d.levels, d.scale_A)
    assert [e["kind"] for e in events] == ["set", "reset"] * 5
    for e in events[2:]:
        assert abs(e["voltage_V"] - events[e["kind"] == "reset"]["voltage_V"]) < 0.01


def test_drive_period_is_none_for_a_pulse_train_and_a_two_period_sweep():
    from memcompact.fit.waveform import drive_period_s

    t, v = pulse_drive([(1.75, 0.01), (-1.1, 0.01)])
    assert drive_period_s(t, v, 1e-3) is None
    t, v = triangle_drive(2.5, -1.5, 1.0, cycles=2, points_per_period=300)
    assert drive_period_s(t, v, 1e-3) is None
