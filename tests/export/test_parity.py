"""Parity of the exported backends with the Python model (ngspice, two ``ngspice -b`` processes at a time).

Criteria (issue 6): Verilog-A vs Python: log10|I| RMS < 0.05 decades and event
times within 2 %; ngspice-native vs Python: < 0.1 decades and 5 %.

Reference: :func:`memcompact.model.integrate` with ``rtol = 1e-5`` (1e-4 for
the pulses) and the state atol scaled by 0.01 (stress) or 0.1, all three
cards in one vectorised call per stimulus (see
memcompact.export.parity.state_atol_scaled). ngspice: ``reltol = 1e-5``
(native: 1e-3), ``abstol = 1e-15``, Gear, largest step 1/20000 of the run
(native: 1/1000), ``uic``
(memcompact.export.testbench.accurate_options). RMS on the reference grid,
currents below 1e-14 A count as 1e-14 A. Events: formation/drop/refill/ECM
under stress, upward crossings of 1 uA under positive bias in the sweep (SET),
first switching read in the pulse train. Pulse trains are compared at the read
points (middle of each gap, 0.1 V).

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

#: Stress voltage per card [V]: Cu needs more field than Ag to form within 300 s.
STRESS_V = {"ag_sio2": 3.0, "cu_sio2": 3.3, "ag_infinite_hot": 3.0}
#: (RMS limit [decades], event-time limit [relative]) per backend.
LIMITS = {"verilog-a": (0.05, 0.02), "ngspice": (0.1, 0.05)}
#: Runs that fail in ngspice (docs/export.md, "Limits"): kept as strict xfails, not hidden.
KNOWN_FAILURES = {
    ("sweep", "ag_sio2", "ngspice"): "native subcircuit: SET within 0.11 %, RMS 0.37 > 0.1: a Gear step "
                                     "extrapolates the emptying reservoir to -0.02..-0.04, where the ion "
                                     "supply and every rate are zero, so the radius stops at 1.44 nm "
                                     "(Python 2.04) and the RESET starts from the wrong state "
                                     "(docs/export.md, Limits)",
    ("stress", "cu_sio2", "ngspice"): "native subcircuit: on the limit; formation and drop one 0.05 s grid point "
                                      "early (80.90/81.35 s vs 80.95/81.45 s): RMS 0.104 (0.098 before the "
                                      "V_transient source was added, 0.0997 at reltol 1e-4)",
}
#: Native sweeps and pulses cost ~0.5-1 min each (B-source evaluation): default card only.
CASES = [(kind, card, backend) for kind in ("stress", "sweep", "pulses") for card in CARDS
         for backend in ("verilog-a", "ngspice")
         if not (backend == "ngspice" and kind != "stress" and card != "ag_sio2")]
#: Rough wall time of each run [s] (2 cores): only orders the runs, longest first.
RUN_SECONDS = {("sweep", "ngspice"): 40, ("pulses", "ngspice"): 30, ("stress", "ngspice"): 40,
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
    if kind == "stress":
        return parity.stress_events(t, 10 ** log_i)
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
                     accurate_options(stimulus.duration_s, backend)))
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
def test_backend_matches_python(kind, card_name, backend, runs, request):
    reason = KNOWN_FAILURES.get((kind, card_name, backend))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    run = runs[kind, card_name, backend].result()
    rms, events = measure(kind, card_name, run)
    rms_limit, event_limit = LIMITS[backend]
    print(f"{kind} {card_name} {backend}: rms {rms:.4f} decades, events {events.backend} "
          f"vs {events.reference}, worst {events.worst_relative:.4f}; ngspice {run[2]:.0f} s wall")
    if kind != "pulses":  # cu_sio2 does not switch under the standard pulses: compared, not required
        assert any(v is not None for v in events.reference.values()), "the reference shows the event"
    assert rms < rms_limit
    assert events.worst_relative <= event_limit
