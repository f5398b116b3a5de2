"""Parity of the exported backends with the Python model (ngspice, two ``ngspice -b`` processes at a time).

Criteria (issue 6): Verilog-A vs Python: log10|I| RMS < 0.05 decades and event
times within 2 %; ngspice-native vs Python: < 0.1 decades and 5 %.

Cards (conftest.CARDS): the default preset, two cards fitted by ``memcompact
fit`` to the example curves (tests/data/cards/), and the default with an
infinite reservoir and strong heating. Each card on each stimulus, on both
backends.

Reference: :func:`memcompact.model.integrate` with ``rtol = 1e-5`` (1e-4 for
the pulses) and the state atol scaled by 0.01 (stress) or 0.1, all cards in
one vectorised call per stimulus (see
memcompact.export.parity.state_atol_scaled). ngspice: ``reltol`` and largest
step per backend and stimulus (memcompact.export.testbench.ACCURACY: the
sweep's 8-decade SET and RESET need ``reltol = 1e-6`` on both), ``abstol =
1e-15``, Gear, ``uic``. RMS on the reference grid, currents below 1e-14 A
count as 1e-14 A. Events: formation/drop/refill/ECM under stress and 1 uA
crossed upwards, upward crossings of 1 uA under positive bias in the sweep
(SET), first switching read in the pulse train. Pulse trains are compared at
the read points (middle of each gap, 0.1 V).

All runs start together on first use (module fixture ``runs``, longest
first, two processes at a time) while the references are computed; each test
then checks its own run.
"""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.export import parity
from memcompact.export.testbench import SERIES_OHM, accurate_options, standard_stimuli
from memcompact.model import constant
from memcompact.model.stimulus import pulse_centers

from .conftest import CARDS

pytestmark = [pytest.mark.ngspice, pytest.mark.slow]

#: Stress voltage per card [V]: Cu needs more field than Ag to form within 300 s; a fitted card
#: is stressed at the voltage of the curve it was fitted to.
STRESS_V = {"ag_sio2": 3.0, "fitted_ag_ecm_3V": 3.0, "fitted_cu_6V": 6.0, "cu_sio2": 3.3,
            "ag_infinite_hot": 3.0}
#: (RMS limit [decades], event-time limit [relative]) per backend.
LIMITS = {"verilog-a": (0.05, 0.02), "ngspice": (0.1, 0.05)}
#: Runs in which the card does not switch: the fitted Cu card forms in ~170 s at 6 V, not in a 5 V
#: sweep or 5 V / 100 us pulses (nor does the cu_sio2 preset under the pulses).
NO_SWITCH = {("pulses", "cu_sio2"), ("pulses", "fitted_cu_6V"), ("sweep", "fitted_cu_6V")}
#: Every stimulus on every card, on both backends.
CASES = [(kind, card, backend) for kind in ("stress", "sweep", "pulses") for card in CARDS
         for backend in ("verilog-a", "ngspice")]
#: Rough wall time of each run [s] (2 cores): only orders the runs, longest first.
RUN_SECONDS = {("sweep", "ngspice"): 120, ("pulses", "ngspice"): 40, ("stress", "ngspice"): 50,
               ("sweep", "verilog-a"): 5, ("pulses", "verilog-a"): 5, ("stress", "verilog-a"): 30}


def _stimulus(kind, card_name):
    if kind == "stress":
        return constant(STRESS_V[card_name], 300.0)
    return standard_stimuli()[kind]


def _grid(kind):
    if kind == "stress":
        return np.linspace(0.0, 300.0, 6001)
    if kind == "sweep":
        return np.linspace(0.0, 4.0, 8001)
    return pulse_centers(100, 1e-4, 1e-3)


_REFERENCE = {}

#: Python solver tolerance of the reference per stimulus. Stress: rtol 1e-4 put the cu_sio2 drop at
#: 81.50 s, converged (1e-5 and 1e-6) it is at 81.45 s, where ngspice has it.
REFERENCE_RTOL = {"stress": 1e-5, "sweep": 1e-5, "pulses": 1e-4}


def reference(kind, card_name):
    """Python reference current on the grid: all cards in one vectorised call per stimulus (cached)."""
    if (kind, card_name) not in _REFERENCE:
        names = list(CARDS)
        if kind == "stress":  # one constant stimulus, each card at its own voltage
            stimulus, scale = constant(1.0, 300.0), np.array([STRESS_V[n] for n in names])
        else:
            stimulus, scale = standard_stimuli()[kind], 1.0
        atol_factor = 0.01 if kind == "stress" else 0.1
        current = parity.python_reference([CARDS[n]() for n in names], stimulus, SERIES_OHM, _grid(kind),
                                          rtol=REFERENCE_RTOL[kind], atol_factor=atol_factor,
                                          voltage_scale=scale)
        _REFERENCE.update({(kind, n): c for n, c in zip(names, current)})
    return _REFERENCE[(kind, card_name)]


def _events(kind, t, log_i):
    if kind == "stress":  # the detector's events, and 1 uA crossed upwards (a gradual formation too)
        return {**parity.stress_events(t, 10 ** log_i), **parity.crossing_events(t, log_i)}
    if kind == "sweep":  # SET of each cycle: 1 uA crossed upwards under positive bias
        return parity.crossing_events(t, log_i, voltage_V=standard_stimuli()["sweep"].voltage(t))
    return parity.switching_pulse_event(t, log_i)


@pytest.fixture(scope="module")
def runs(backends):
    """{case: future of (time, current, seconds)}: every run started at once, two at a time."""
    order = sorted(CASES, key=lambda case: RUN_SECONDS[case[0], case[2]], reverse=True)
    jobs = []
    for kind, card_name, backend in order:
        stimulus = _stimulus(kind, card_name)
        jobs.append((backend, CARDS[card_name](), stimulus, SERIES_OHM,
                     accurate_options(stimulus.duration_s, backend, kind)))
    futures = parity.start_transients(jobs, backends)
    for kind in ("stress", "sweep", "pulses"):  # all cards at once, while ngspice runs
        reference(kind, next(iter(CARDS)))
    return dict(zip(order, futures))


def measure(kind, card_name, run):
    """(rms decades, EventComparison) of one backend run (time, current) against the reference."""
    t = _grid(kind)
    ref_log = parity.log_current(reference(kind, card_name))
    log_i = parity.on_grid(*run[:2], t)
    return parity.rms_decades(ref_log, log_i), parity.compare_events(_events(kind, t, ref_log),
                                                                       _events(kind, t, log_i))


@pytest.mark.parametrize("kind,card_name,backend", CASES)
def test_backend_matches_python(kind, card_name, backend, runs):
    run = runs[kind, card_name, backend].result()
    rms, events = measure(kind, card_name, run)
    rms_limit, event_limit = LIMITS[backend]
    print(f"{kind} {card_name} {backend}: rms {rms:.4f} decades, events {events.backend} "
          f"vs {events.reference}, worst {events.worst_relative:.4f}; ngspice {run[2]:.0f} s wall")
    # every run shows its events, except where the card does not switch: compared, not required
    assert any(v is not None for v in events.reference.values()) != ((kind, card_name) in NO_SWITCH)
    assert rms < rms_limit
    assert events.worst_relative <= event_limit
