"""Measurement-like waveform data (I-V sweeps, sine drives, pulse trains) without the compact model.

numpy only, seeded, and independent of :mod:`memcompact.model`: the waveform
fit is tested on curves the model did not generate. The device is a
phenomenological bipolar switch:

- a switched share ``x`` in [0, 1]; its conductance runs log-linearly from
  ``g_off_S`` to ``g_on_S`` (``G = g_off (g_on/g_off)**x``), so the current
  crosses half-way (in decades) between the OFF and ON levels at ``x = 1/2``;
- SET under positive device voltage, ``dx/dt = k_set (x + seed) (1 - x)``,
  RESET under negative, ``dx/dt = -k_reset x (1 + seed - x)``: self-accelerating
  (an incubation, then a runaway, as a filament forms or ruptures), with
  switching rates ``k = exp((|V| - |V_threshold|) / slope_V) / tau_ref_s``: a
  threshold that moves by about ``slope_V ln 10`` per decade of sweep rate
  (the voltage-time dilemma of every filamentary device) but is not the
  compact model's law; under a constant voltage the current jumps after a
  delay ``~ ln(1/seed) / k``, like a formation;
- an OFF branch that is not ohmic (``sinh(V/V0)``), which the compact model's
  OFF state (an ohmic leakage) cannot follow exactly;
- a series resistance in the loop, an optional current compliance (the
  instrument clips ``|I|`` and the device voltage falls to ``I_cc / G``),
  multiplicative (``noise_rel``) and additive (``noise_floor_A``) noise.

:func:`switch_device` returns the current and the true switching events (the
sample times and applied voltages at which ``x`` crosses 1/2), the numbers the
tests compare the fitted card against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Internal time steps per sample interval (the switching rate changes by decades within one).
SUBSTEPS = 12


@dataclass(frozen=True)
class SwitchDevice:
    """A phenomenological bipolar switch (see the module docstring); voltages [V], times [s]."""

    v_set_V: float = 1.6
    v_reset_V: float = -0.9
    slope_V: float = 0.06
    tau_ref_s: float = 0.003
    seed_share: float = 1e-3
    g_on_S: float = 1e-4
    g_off_S: float = 2e-9
    nonlinearity_V: float = 2.0
    series_ohm: float = 500.0
    compliance_A: float | None = None
    noise_floor_A: float = 2e-12
    noise_rel: float = 0.03


def triangle_drive(v_max_V, v_min_V, period_s, cycles=1, points_per_period=400):
    """Triangular sweep 0 -> v_max -> v_min -> 0, sampled uniformly: (time_s, voltage_V)."""
    n = int(cycles * points_per_period)
    t = np.arange(n + 1) * (period_s / points_per_period)
    phase = (t / period_s) % 1.0
    span = 2 * v_max_V - 2 * v_min_V
    t_up, t_down = v_max_V / span, (v_max_V - v_min_V) / span
    v = np.where(phase < t_up, phase / t_up * v_max_V,
                 np.where(phase < t_up + t_down, v_max_V + (phase - t_up) / t_down * (v_min_V - v_max_V),
                          v_min_V * (1 - (phase - t_up - t_down) / (1 - t_up - t_down))))
    return t, v


def sine_drive(amplitude_V, period_s, cycles=1, points_per_period=400, negative_scale=0.6):
    """Sine drive, the negative half-waves scaled by ``negative_scale``: (time_s, voltage_V)."""
    n = int(cycles * points_per_period)
    t = np.arange(n + 1) * (period_s / points_per_period)
    v = amplitude_V * np.sin(2 * np.pi * t / period_s)
    return t, np.where(v < 0, negative_scale * v, v)


def pulse_drive(pulses, read_V=0.2, read_s=0.02, gap_s=0.01, dt_s=2e-4):
    """A pulse train: read, then each ``(amplitude_V, width_s)`` pulse followed by a read; (time_s, voltage_V).

    Between pulses and reads the drive is 0 V for ``gap_s``; edges are one
    sample long. Reads at ``read_V`` show the state between the pulses.
    """
    levels = [(0.0, gap_s), (read_V, read_s), (0.0, gap_s)]
    for amplitude, width in pulses:
        levels += [(amplitude, width), (0.0, gap_s), (read_V, read_s), (0.0, gap_s)]
    times, volts, t = [0.0], [0.0], 0.0
    for level, duration in levels:
        times += [t + dt_s, t + duration]
        volts += [level, level]
        t += duration
    grid = np.arange(int(round(t / dt_s)) + 1) * dt_s
    return grid, np.interp(grid, times, volts)


def switch_device(time_s, voltage_V, device=SwitchDevice(), seed=0, x0=0.0):
    """Current of the switch under a drive, with noise, and its true switching events.

    Parameters
    ----------
    time_s, voltage_V : numpy.ndarray
        Samples of the drive [s], [V] (applied voltage, series resistor included).
    device : SwitchDevice
    seed : int
        Seed of the noise.
    x0 : float
        Switched share at t = 0 (0: OFF).

    Returns
    -------
    current_A : numpy.ndarray
        Measured current [A] (noise and compliance included).
    events : list of dict
        ``{"kind": "set"|"reset", "time_s", "voltage_V"}`` where ``x`` crosses 1/2.
    """
    d = device
    t, v = np.asarray(time_s, float), np.asarray(voltage_V, float)
    x = float(x0)
    current = np.empty(t.size)
    events = []
    log_ratio = np.log(d.g_on_S / d.g_off_S)

    def loop(v_applied, x):
        g = d.g_off_S * np.exp(x * log_ratio)
        u = v_applied / d.nonlinearity_V
        shape = np.sinh(u) / u if abs(u) > 1e-9 else 1.0
        g_eff = g * shape ** (1.0 - x)
        v_dev = v_applied / (1.0 + g_eff * d.series_ohm)
        i = g_eff * v_dev
        if d.compliance_A and abs(i) > d.compliance_A:
            i = np.sign(i) * d.compliance_A
            v_dev = i / g_eff
        return i, v_dev

    current[0] = loop(v[0], x)[0]
    for k in range(1, t.size):
        dt = (t[k] - t[k - 1]) / SUBSTEPS
        for j in range(1, SUBSTEPS + 1):
            va = v[k - 1] + (v[k] - v[k - 1]) * j / SUBSTEPS
            _, v_dev = loop(va, x)
            before = x
            # exact logistic steps for a constant rate over the substep
            eps = d.seed_share
            if v_dev > 0:
                rate = np.exp(min((v_dev - d.v_set_V) / d.slope_V, 60.0)) / d.tau_ref_s
                log_u = np.log(x + eps) - np.log(max(1.0 - x, 1e-300)) + rate * (1 + eps) * dt
                u = np.exp(min(log_u, 700.0))
                x = min((u - eps) / (1.0 + u), 1.0)
            elif v_dev < 0:
                rate = np.exp(min((d.v_reset_V - v_dev) / d.slope_V, 60.0)) / d.tau_ref_s
                w = x / (1.0 + eps - x) * np.exp(-min(rate * (1 + eps) * dt, 700.0))
                x = w * (1.0 + eps) / (1.0 + w)
            if (before - 0.5) * (x - 0.5) < 0:
                events.append({"kind": "set" if x > before else "reset",
                               "time_s": float(t[k - 1] + j * dt), "voltage_V": float(va)})
        current[k] = loop(v[k], x)[0]
    return add_noise(current, device, seed), events


def add_noise(current_A, device=SwitchDevice(), seed=0):
    """Measured current: multiplicative and additive Gaussian noise (seeded), clipped at the compliance [A]."""
    d = device
    rng = np.random.default_rng(seed)
    n = np.size(current_A)
    noisy = current_A * (1.0 + d.noise_rel * rng.standard_normal(n)) + d.noise_floor_A * rng.standard_normal(n)
    if d.compliance_A:
        noisy = np.clip(noisy, -d.compliance_A, d.compliance_A)
    return noisy


def write_waveform_csv(path, time_s, current_A, voltage_V, device=SwitchDevice(), **metadata):
    """Write a waveform as an I-t CSV (``voltage_V`` column; series resistance and compliance as metadata)."""
    lines = [f"# {key}: {value}" for key, value in metadata.items()]
    lines.append(f"# series_resistance_ohm: {device.series_ohm!r}")
    if device.compliance_A:
        lines.append(f"# compliance_A: {device.compliance_A!r}")
    lines.append("time_s,current_A,voltage_V")
    lines += [f"{float(a)!r},{float(b)!r},{float(c)!r}" for a, b, c in zip(time_s, current_A, voltage_V)]
    path.write_text("\n".join(lines) + "\n")
    return path
