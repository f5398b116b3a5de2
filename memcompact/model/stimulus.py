"""Voltage stimuli for the compact model: constant stress, sweeps, pulse trains, waveforms.

Every stimulus is a piecewise-linear waveform ``(times_s, voltages_V)``; its
corners are breakpoints the solver never steps over, so 1 ns pulse edges are
resolved without hand-tuned step sizes. The same points become ngspice
``PWL`` sources, so Python and SPICE see the same stimulus.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memcompact.errors import InputError


@dataclass(frozen=True)
class Stimulus:
    """A piecewise-linear applied voltage.

    Attributes
    ----------
    times_s : numpy.ndarray
        Corner times [s], strictly increasing, starting at 0.
    voltages_V : numpy.ndarray
        Applied voltage at each corner [V]; constant after the last corner.
    label : str
        Short description for plots and file metadata.
    """

    times_s: np.ndarray
    voltages_V: np.ndarray
    label: str = "waveform"

    def __post_init__(self):
        t = np.asarray(self.times_s, dtype=float)
        v = np.asarray(self.voltages_V, dtype=float)
        if t.ndim != 1 or t.shape != v.shape or t.size < 1:
            raise InputError("stimulus: times and voltages must be 1-D arrays of equal, non-zero length")
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
            raise InputError("stimulus: times and voltages must be finite")
        if t[0] != 0.0:
            raise InputError(f"stimulus: first time must be 0 s, got {t[0]:g}")
        if np.any(np.diff(t) <= 0):
            raise InputError("stimulus: times must be strictly increasing")
        object.__setattr__(self, "times_s", t)
        object.__setattr__(self, "voltages_V", v)

    @property
    def duration_s(self):
        """Time of the last corner [s]."""
        return float(self.times_s[-1])

    def voltage(self, t_s):
        """Applied voltage [V] at times ``t_s`` [s] (array-friendly)."""
        return np.interp(t_s, self.times_s, self.voltages_V)

    def breakpoints(self):
        """Corner times [s] the solver must land on."""
        return self.times_s


def constant(voltage_V, duration_s):
    """Constant voltage ``voltage_V`` [V] from 0 to ``duration_s`` [s]."""
    _positive("duration_s", duration_s)
    return Stimulus(np.array([0.0, duration_s]), np.array([voltage_V, voltage_V]),
                    label=f"constant {voltage_V:g} V")


def triangle(v_max_V, v_min_V, period_s, cycles=1):
    """Triangular sweep 0 -> v_max -> v_min -> 0, ``cycles`` times.

    Parameters
    ----------
    v_max_V : float
        Positive turning point [V].
    v_min_V : float
        Negative turning point [V].
    period_s : float
        Duration of one cycle [s].
    cycles : int
        Number of cycles.
    """
    _positive("period_s", period_s)
    if not v_max_V > 0 > v_min_V:
        raise InputError("sweep: need v_max > 0 > v_min")
    span = 2 * v_max_V - 2 * v_min_V  # total voltage travelled per cycle
    t_up = period_s * v_max_V / span
    t_down = period_s * (v_max_V - v_min_V) / span
    one = np.array([0.0, t_up, t_up + t_down, period_s])
    volts = np.array([0.0, v_max_V, v_min_V, 0.0])
    times = np.concatenate([one[:-1] + k * period_s for k in range(cycles)] + [[cycles * period_s]])
    voltages = np.concatenate([volts[:-1]] * cycles + [[0.0]])
    return Stimulus(times, voltages, label=f"triangle {v_min_V:g}..{v_max_V:g} V, {period_s:g} s")


def pulse_train(amplitudes_V, width_s, period_s, edge_s=1e-9, base_V=0.0):
    """Rectangular pulses with linear edges, one per amplitude.

    Parameters
    ----------
    amplitudes_V : sequence of float
        Pulse heights [V] (sign gives polarity); one pulse each.
    width_s : float
        Pulse width at full amplitude [s].
    period_s : float
        Start-to-start spacing [s], > width + 2 edges.
    edge_s : float
        Rise and fall time [s].
    base_V : float
        Voltage between pulses [V] (a read voltage, for instance).
    """
    amps = np.atleast_1d(np.asarray(amplitudes_V, dtype=float))
    _positive("width_s", width_s)
    _positive("edge_s", edge_s)
    if not period_s > width_s + 2 * edge_s:
        raise InputError("pulses: period must exceed width + 2 edges")
    times, volts = [0.0], [base_V]
    for k, a in enumerate(amps):
        t0 = k * period_s + edge_s  # small lead so every pulse starts after t = 0
        times += [t0, t0 + edge_s, t0 + edge_s + width_s, t0 + 2 * edge_s + width_s]
        volts += [base_V, a, a, base_V]
    times.append(len(amps) * period_s + edge_s)
    volts.append(base_V)
    return Stimulus(np.array(times), np.array(volts), label=f"{amps.size} pulses, {width_s:g} s")


def pulse_centers(stimulus_like_count, width_s, period_s, edge_s=1e-9):
    """Times [s] in the middle of the gaps after each pulse (for reading states)."""
    k = np.arange(stimulus_like_count)
    return k * period_s + edge_s + 2 * edge_s + width_s + 0.5 * (period_s - width_s - 2 * edge_s)


def _positive(name, value):
    if not (np.isfinite(value) and value > 0):
        raise InputError(f"{name} must be > 0, got {value!r}")
