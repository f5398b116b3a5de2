"""Run the exported backends in ngspice and compare them with the Python model.

Used by the parity tests (tests/export/) and the benchmark. Metrics:

* ``rms_decades``: root-mean-square difference of ``log10 max(|I|, floor)``
  between a backend and the Python reference on the reference's time grid
  (the SPICE trace interpolated linearly in time);
* event times: formation, drop, refill and ECM jump
  (:func:`memcompact.events.detect_events`) under constant stress, the times
  the current crosses a threshold upwards in a sweep, the first switching
  pulse in a pulse train; compared relative to the reference time.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from memcompact.events import detect_events
from memcompact.export.ngspice import ngspice_source
from memcompact.export.testbench import transient_netlist
from memcompact.export.verilog_a import verilog_a_source
from memcompact.model import card_params, integrate, solver

#: Currents below this floor count as the floor in log comparisons [A].
FLOOR_A = 1e-14


@contextlib.contextmanager
def state_atol_scaled(factor):
    """Scale the Python solver's absolute state tolerances by ``factor`` inside the block.

    The solver's per-state ``atol`` (2e-3 in the state's unit) limits the
    reference's accuracy (formation time off by ~0.5 % at 3 V); parity runs
    use ``factor = 0.1``. :func:`memcompact.model.integrate` has no atol
    argument, so this swaps the module constant and restores it after.
    """
    saved = solver.ATOL
    solver.ATOL = saved * factor
    try:
        yield
    finally:
        solver.ATOL = saved


def python_reference(cards, stimulus, series_resistance_ohm, t_eval, rtol=1e-4, atol_factor=0.1,
                     voltage_scale=1.0):
    """Current [A] of each card's device, shape (len(cards), T), integrated together.

    Parameters
    ----------
    cards : sequence of dict
    stimulus : Stimulus
    series_resistance_ohm : float
    t_eval : array_like
    rtol : float
        Relative tolerance of the solver.
    atol_factor : float
        Scale of the solver's state atol (see :func:`state_atol_scaled`).
    voltage_scale : float or array_like
        Per-card factor on the stimulus voltage (one call for cards stressed
        at different voltages).
    """
    params = [card_params(c) for c in cards]
    stacked = {name: np.array([p[name] for p in params], dtype=float) for name in params[0]}
    with state_atol_scaled(atol_factor):
        sol = integrate(stacked, stimulus, t_eval=t_eval, n_devices=len(cards),
                        series_resistance_ohm=series_resistance_ohm, rtol=rtol, voltage_scale=voltage_scale)
    return sol.current_A


class Backends:
    """Exported files for one set of cards, written once into a folder.

    The Verilog-A module is compiled once (module defaults: the first card);
    other cards are passed as ``.model`` parameters, which is equivalent.
    """

    def __init__(self, folder=None, card=None):
        from memcompact.model import preset_card
        from memcompact.spice import compile_va

        self._tmp = None
        if folder is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="memcompact-export-")
            folder = self._tmp.name
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        card = card or preset_card("ag_sio2")
        self.va = self.folder / "memcompact_ecm.va"
        self.va.write_text(verilog_a_source(card))
        self.osdi = compile_va(self.va)
        self.lib = self.folder / "memcompact_ecm.lib"
        self.lib.write_text(ngspice_source(card))

    def transient(self, backend, card, stimulus, series_resistance_ohm, options):
        """(netlist text, OSDI files to load) of one transient run of ``backend`` on these files."""
        text = transient_netlist(backend, card, stimulus, series_resistance_ohm, options,
                                 include=str(self.lib) if backend == "ngspice" else None)
        return text, [self.osdi] if backend == "verilog-a" else []


def spice_transient(backend, card, stimulus, series_resistance_ohm, options, backends):
    """Run one transient in shared ngspice; return (time [s], device current [A])."""
    from memcompact.spice import run_netlist

    text, osdi = backends.transient(backend, card, stimulus, series_resistance_ohm, options)
    result = run_netlist(text, osdi=osdi)
    return np.asarray(result.scale), -np.asarray(result.i("V1"))


def batch_transient(backend, card, stimulus, series_resistance_ohm, options, backends):
    """Like :func:`spice_transient`, in its own ``ngspice -b`` process (runs in parallel with others).

    Returns
    -------
    (time [s], device current [A], wall seconds of the run)
    """
    import time

    from memcompact.spice import run_batch

    text, osdi = backends.transient(backend, card, stimulus, series_resistance_ohm, options)
    start = time.perf_counter()
    result = run_batch(text, osdi=osdi)
    return np.asarray(result.scale), -np.asarray(result.i("V1")), time.perf_counter() - start


def start_transients(jobs, backends, workers=2):
    """Start transients in ``ngspice -b`` processes, ``workers`` at a time, in the background.

    Parameters
    ----------
    jobs : sequence of tuple
        ``(backend, card, stimulus, series_resistance_ohm, options)`` each,
        longest first for the best packing.
    backends : Backends
    workers : int
        Processes at a time (the machine's cores).

    Returns
    -------
    list of concurrent.futures.Future
        One per job, in job order; ``.result()`` gives :func:`batch_transient`'s
        tuple or raises its error.
    """
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ngspice")
    futures = [pool.submit(batch_transient, *job, backends) for job in jobs]
    pool.shutdown(wait=False)
    return futures


def log_current(current_A, floor_A=FLOOR_A):
    """``log10(max(|I|, floor))``."""
    return np.log10(np.maximum(np.abs(current_A), floor_A))


def on_grid(time_s, current_A, t_grid, floor_A=FLOOR_A):
    """A SPICE trace's ``log10|I|`` interpolated onto ``t_grid``."""
    return np.interp(t_grid, time_s, log_current(current_A, floor_A))


def rms_decades(log_a, log_b):
    """RMS difference of two log10 traces [decades]."""
    return float(np.sqrt(np.mean((np.asarray(log_a) - np.asarray(log_b)) ** 2)))


@dataclass
class EventComparison:
    """Event times of a backend and of the reference, and their worst relative difference."""

    reference: dict
    backend: dict
    worst_relative: float


def compare_events(reference, backend):
    """Compare two {name: time or None} dicts; None on both sides matches.

    Returns
    -------
    EventComparison
        ``worst_relative`` is ``inf`` when an event exists on one side only.
    """
    worst = 0.0
    for key in reference:
        a, b = reference[key], backend.get(key)
        if a is None and b is None:
            continue
        if a is None or b is None:
            worst = float("inf")
            continue
        worst = max(worst, abs(b - a) / max(abs(a), 1e-30))
    return EventComparison(reference, backend, worst)


def stress_events(t, current_A):
    """Formation, drop, refill and ECM times [s] of a constant-stress trace."""
    found = detect_events(t, np.maximum(np.abs(current_A), FLOOR_A))
    return {k: found[k] for k in ("t_form_s", "t_drop_s", "t_refill_s", "t_ecm_s")}


def crossing_events(t, log_i, level_A=1e-6, voltage_V=None):
    """Times [s] at which ``|I|`` crosses ``level_A`` upwards (linear interpolation).

    With ``voltage_V`` (applied voltage on the grid), only crossings under
    positive bias count: the SET of each cycle.
    """
    level = np.log10(level_A)
    up = (log_i[:-1] < level) & (log_i[1:] >= level)
    if voltage_V is not None:
        up &= np.asarray(voltage_V)[1:] > 0
    k = np.nonzero(up)[0]
    times = t[k] + (level - log_i[k]) / (log_i[k + 1] - log_i[k]) * (t[k + 1] - t[k])
    return {f"up_{n}": float(x) for n, x in enumerate(times)}


def switching_pulse_event(t_read, log_i, decades=1.0):
    """Time [s] of the first read after which the current is ``decades`` above the first read."""
    above = np.nonzero(log_i > log_i[0] + decades)[0]
    return {"t_switch_s": float(t_read[above[0]]) if above.size else None}
