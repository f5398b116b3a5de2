"""Convergence survey: the Verilog-A model in ngspice, default options, random devices.

Each device gets parameters drawn across their bounds (log-uniform where the
table says ``log_scale``, uniform otherwise; seeded) and one transient with
ngspice's default tolerances: a triangular sweep 0 -> +V -> -V -> 0 in 10 ms
(V drawn in [1, 5] V) followed by 20 pulses of +-V, 1 us wide with 1 ns edges,
through 1 kOhm. Each device runs twice: with ``uic`` and from ngspice's
transient operating point (no ``uic``, as in a user's netlist). A run
converges when ngspice finishes it without error and every current is finite;
the two runs of a device are compared on a common time grid.

``python -m memcompact.export.convergence --devices 1000`` prints the survey
(benchmarks/bench_convergence.py calls it and times it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from memcompact.export.testbench import SERIES_OHM, default_options, transient_netlist
from memcompact.model import MODEL_NAME
from memcompact.model.parameters import draw_params
from memcompact.model.stimulus import Stimulus

#: The two ways a device's transient starts.
MODES = ("uic", "op")

#: Current below which log-current differences are not counted [A] (ngspice's abstol is 1 pA).
CURRENT_FLOOR_A = 1e-12


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


def survey_devices(n_devices, seed=0):
    """The survey's devices: list of (v_max_V, params), seeded (device k is the same for any n > k)."""
    rng = np.random.default_rng(seed + 1)
    return [(float(rng.uniform(1.0, 5.0)), params) for params in draw_params(n_devices, seed)]


def device_netlist(v_max_V, params, mode):
    """The survey netlist of one device; ``mode`` is "uic" or "op" (start from the operating point)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    stimulus = survey_stimulus(v_max_V)
    card = {"model": MODEL_NAME, "version": 1, "params": params}
    options = default_options(stimulus.duration_s, uic=mode == "uic")
    return transient_netlist("verilog-a", card, stimulus, SERIES_OHM, options)


@dataclass
class DeviceRun:
    """One ngspice run of the survey."""

    index: int
    mode: str
    wall_s: float
    message: str | None  # None: converged
    time_s: np.ndarray | None = None
    current_A: np.ndarray | None = None


@dataclass
class SurveyResult:
    """Outcome of :func:`run_survey`."""

    n_devices: int
    modes: tuple
    runs: list = field(default_factory=list)  # DeviceRun, every device and mode
    devices: list = field(default_factory=list)  # (v_max_V, params)
    wall_s: float = 0.0

    @property
    def failures(self):
        """(index, mode, v_max_V, params, message) of every run that did not converge."""
        return [(r.index, r.mode, *self.devices[r.index], r.message) for r in self.runs if r.message]

    def failures_of(self, mode):
        """Failures of one mode."""
        return [f for f in self.failures if f[1] == mode]

    def deviations(self, n_grid=2001):
        """How far each device's operating-point run lies from its ``uic`` run.

        Both currents are interpolated onto ``n_grid`` points of the run (currents below
        :data:`CURRENT_FLOOR_A` count as the floor). Returns {index: (median, rms, max)} of
        |log10 I_op - log10 I_uic| [decades] for every device where both runs converged. An
        abrupt event (eight decades in microseconds) that one run dates a step earlier than
        the other sets the max and the RMS; the median is the curve away from such events.
        """
        by = {(r.index, r.mode): r for r in self.runs}
        out = {}
        for k in sorted({r.index for r in self.runs}):
            a, b = by.get((k, "uic")), by.get((k, "op"))
            if a is None or b is None or a.message or b.message:
                continue
            end = min(a.time_s[-1], b.time_s[-1])
            grid = np.linspace(0.0, end, n_grid)
            la = np.log10(np.maximum(np.abs(np.interp(grid, a.time_s, a.current_A)), CURRENT_FLOOR_A))
            lb = np.log10(np.maximum(np.abs(np.interp(grid, b.time_s, b.current_A)), CURRENT_FLOOR_A))
            diff = np.abs(la - lb)
            out[k] = (float(np.median(diff)), float(np.sqrt(np.mean(diff ** 2))), float(diff.max()))
        return out

    def wall_times(self, mode):
        """Wall time of each run of one mode [s]."""
        return np.array([r.wall_s for r in self.runs if r.mode == mode])


def _run_device(index, mode, text, osdi, timeout_s):
    """One device's run with ``ngspice -b``."""
    from memcompact.errors import ToolchainError
    from memcompact.spice import run_batch
    from memcompact.spice.result import SimulationError

    start = time.perf_counter()
    try:
        result = run_batch(text, osdi=[osdi], timeout_s=timeout_s)
    except (SimulationError, ToolchainError) as exc:  # ToolchainError: past timeout_s
        message = [line for line in str(exc).splitlines() if line.strip()][-1]
        return DeviceRun(index, mode, time.perf_counter() - start, message)
    wall = time.perf_counter() - start
    current = -np.asarray(result.i("V1"), dtype=float)
    message = None if np.all(np.isfinite(current)) else "non-finite current"
    return DeviceRun(index, mode, wall, message, np.asarray(result.scale, dtype=float), current)


def run_survey(osdi, n_devices=200, seed=0, workers=2, modes=MODES, timeout_s=600.0, progress=False,
               indices=None):
    """Run every device in every mode (``ngspice -b``, ``workers`` processes at a time).

    Parameters
    ----------
    osdi : path
        The compiled Verilog-A model.
    n_devices : int
    seed : int
    workers : int
        ngspice processes at a time.
    modes : sequence of {"uic", "op"}
    timeout_s : float
        Wall-time limit of one run [s]; a run past it counts as a failure.
    progress : bool
        Show progress on stderr.
    indices : sequence of int, optional
        Run only these devices of the survey (device k is the same for any
        ``n_devices`` > k); ``n_devices`` is then ignored.

    Returns
    -------
    SurveyResult
    """
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from memcompact.progress import Progress

    chosen = range(n_devices) if indices is None else sorted({int(k) for k in indices})
    devices = survey_devices(max(chosen) + 1, seed)
    jobs = [(k, mode, device_netlist(*devices[k], mode)) for k in chosen for mode in modes]
    result = SurveyResult(len(chosen), tuple(modes), devices=devices)
    start = time.perf_counter()
    bar = Progress("convergence survey", len(jobs), unit=" runs", enabled=progress)
    with bar, ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(_run_device, k, mode, text, osdi, timeout_s) for k, mode, text in jobs]
        for done, future in enumerate(as_completed(futures), 1):
            result.runs.append(future.result())
            failed = sum(1 for r in result.runs if r.message)
            bar.update(done, note=f"{failed} failed")
    result.runs.sort(key=lambda r: (r.index, r.mode))
    result.wall_s = time.perf_counter() - start
    return result


def summary_lines(result):
    """Lines that report a survey: failures per mode, wall times, uic/op deviations."""
    lines = []
    for mode in result.modes:
        walls = result.wall_times(mode)
        fails = result.failures_of(mode)
        lines.append(f"{mode:>3}: {len(fails)} failures of {result.n_devices} devices; "
                     f"run wall time median {np.median(walls):.2f} s, 95th pct "
                     f"{np.percentile(walls, 95):.2f} s, max {walls.max():.1f} s, total {walls.sum():.0f} s")
    dev = result.deviations()
    if dev:
        med, rms, big = (np.array([v[j] for v in dev.values()]) for j in range(3))
        lines.append(f"op vs uic ({len(dev)} devices): per-device median |log10 I difference| largest "
                     f"{med.max():.2g} decades; RMS above 0.05 decades on {int(np.sum(rms > 0.05))}, "
                     f"largest {rms.max():.2g}; largest single difference {big.max():.2g} "
                     "(an abrupt event dated one step apart)")
    lines.append(f"wall time {result.wall_s:.0f} s")
    for index, mode, v_max, params, message in result.failures:
        lines.append(f"  device {index} ({mode}), +-{v_max:.2f} V: {message}")
    return lines


def main(argv=None):
    """``python -m memcompact.export.convergence``: run the survey and print it."""
    import argparse
    import tempfile
    from pathlib import Path

    from memcompact.export import export_text
    from memcompact.model import preset_card
    from memcompact.spice import compile_va

    parser = argparse.ArgumentParser(prog="python -m memcompact.export.convergence", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=200, help="number of random devices")
    parser.add_argument("--device", type=int, action="append", default=None, metavar="K",
                        help="run only device K of the survey (repeatable): reproduce one failure")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="ngspice processes at a time")
    parser.add_argument("--modes", default="uic,op", help="comma-separated: uic, op")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="wall-time limit of one ngspice run [s]; a run past it counts as a failure")
    args = parser.parse_args(argv)
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    if args.devices < 1 or args.workers < 1 or not modes or set(modes) - set(MODES) or not args.timeout > 0:
        parser.error("--devices and --workers must be >= 1, --timeout > 0, --modes a list of uic, op")
    if args.device and min(args.device) < 0:
        parser.error("--device: a device index is >= 0")
    with tempfile.TemporaryDirectory() as tmp:
        va = Path(tmp) / "memcompact_ecm.va"
        va.write_text(export_text("verilog-a", preset_card("ag_sio2")))
        osdi = compile_va(va)
        result = run_survey(osdi, n_devices=args.devices, seed=args.seed, workers=args.workers, modes=modes,
                            timeout_s=args.timeout, progress=True, indices=args.device)
    what = f"device {', '.join(map(str, sorted(set(args.device))))}" if args.device else f"{args.devices} devices"
    print(f"convergence survey: {what}, seed {args.seed}, {args.workers} workers, "
          f"{args.timeout:g} s per run at most")
    for line in summary_lines(result):
        print(line)
    return 1 if result.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
