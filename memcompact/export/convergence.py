"""Convergence survey: the Verilog-A model in ngspice, default options, random devices.

Each device gets parameters drawn across their bounds (log-uniform where the
table says ``log_scale``, uniform otherwise; seeded) and one transient with
ngspice's default tolerances: a triangular sweep 0 -> +V -> -V -> 0 in 10 ms
(V drawn in [1, 5] V) followed by 20 pulses of +-V, 1 us wide with 1 ns edges,
through 1 kOhm. A run converges when ngspice finishes it without error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memcompact.export.testbench import SERIES_OHM, default_options, transient_netlist
from memcompact.model import MODEL_NAME, PARAMETERS
from memcompact.model.stimulus import Stimulus


def draw_params(n_devices, seed=0):
    """List of n parameter dicts drawn across the table's bounds."""
    rng = np.random.default_rng(seed)
    devices = []
    for _ in range(n_devices):
        params = {}
        for p in PARAMETERS:
            if p.log_scale and p.lower > 0:
                params[p.name] = float(10 ** rng.uniform(np.log10(p.lower), np.log10(p.upper)))
            else:
                params[p.name] = float(rng.uniform(p.lower, p.upper))
        devices.append(params)
    return devices


def survey_stimulus(v_max_V, sweep_s=10e-3, pulses=20, width_s=1e-6, period_s=10e-6, edge_s=1e-9):
    """Sweep 0 -> +v -> -v -> 0, then alternating +-v pulses with ``edge_s`` edges."""
    times = [0.0, sweep_s / 4, 3 * sweep_s / 4, sweep_s]
    volts = [0.0, v_max_V, -v_max_V, 0.0]
    for k in range(pulses):
        t0 = sweep_s + k * period_s + edge_s
        a = v_max_V if k % 2 == 0 else -v_max_V
        times += [t0, t0 + edge_s, t0 + edge_s + width_s, t0 + 2 * edge_s + width_s]
        volts += [0.0, a, a, 0.0]
    times.append(sweep_s + pulses * period_s)
    volts.append(0.0)
    return Stimulus(np.array(times), np.array(volts), label=f"sweep +-{v_max_V:.2f} V and pulses")


@dataclass
class SurveyResult:
    """Outcome of :func:`run_survey`."""

    n_devices: int
    failures: list  # (index, v_max_V, params, message)


def _run_device(text, osdi):
    """Failure message of one device's run with ``ngspice -b`` (None: converged)."""
    from memcompact.spice import run_batch
    from memcompact.spice.result import SimulationError

    try:
        current = run_batch(text, osdi=[osdi]).i("V1")
    except SimulationError as exc:
        return [line for line in str(exc).splitlines() if line.strip()][-1]
    return None if np.all(np.isfinite(current)) else "non-finite current"


def run_survey(osdi, n_devices=200, seed=0, workers=2):
    """Run every device (``ngspice -b``, ``workers`` processes at a time); return the failures."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(seed + 1)
    devices = []
    for params in draw_params(n_devices, seed):
        v_max = float(rng.uniform(1.0, 5.0))
        stimulus = survey_stimulus(v_max)
        card = {"model": MODEL_NAME, "version": 1, "params": params}
        text = transient_netlist("verilog-a", card, stimulus, SERIES_OHM, default_options(stimulus.duration_s))
        devices.append((v_max, params, text))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        messages = list(pool.map(lambda device: _run_device(device[2], osdi), devices))
    failures = [(k, v_max, params, message)
                for k, ((v_max, params, _), message) in enumerate(zip(devices, messages)) if message]
    return SurveyResult(n_devices, failures)
