"""The whole memcompact job in one run: ``memcompact demo`` (``make demo``).

On the built-in Ag/SiO2 default, each stage feeds the next:

1. **chain**: the cluster-chain simulator under constant-voltage stress at
   several voltages (the microscopic level, :mod:`memcompact.chain`);
2. **condense**: a compact-model card fitted to those I-t curves
   (:mod:`memcompact.condense`);
3. **fit**: that card, as the starting point, fitted again to the chain curves
   with the user-facing fitter (:func:`memcompact.fit.fit_it`), exactly as a
   device engineer would fit measured data;
4. **export**: the fitted card as Verilog-A (compiled to OSDI with openvaf-r),
   ngspice-native subcircuit and standalone Python; the Verilog-A model runs
   in ngspice on a stress of the middle voltage and is compared with Python;
5. **crossbar**: a 16 x 16 1R array of fitted devices, programmed with a
   diagonal pattern (V/2 scheme) and read back, in ngspice with the Verilog-A
   model (:mod:`memcompact.crossbar`);
6. **figures**: ``overview.png`` (one panel per stage) and each stage's plots.

Everything goes into one folder with a ``summary.json`` and a printed table.
``quick=True`` is the small setting CI runs (fewer, shorter chain runs, a
4 x 4 array).
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from memcompact.errors import InputError
from memcompact.io import atomic_savefig, atomic_write_text, write_it_csv


@dataclass(frozen=True)
class DemoSettings:
    """Sizes of a demo run.

    Attributes
    ----------
    voltages_V : tuple of float
        Chain stress voltages [V].
    duration_s : float
        Length of each chain run [s].
    seed : int
        Seed of the first chain run.
    condense_max_nfev, fit_max_nfev : int
        Budgets of the condensation and fit (residual evaluations).
    crossbar_size : int
        N of the N x N crossbar.
    program_width_s : float
        Width of a crossbar programming pulse [s].
    """

    voltages_V: tuple = (4.0, 4.5, 5.0)
    duration_s: float = 300.0
    seed: int = 1
    condense_max_nfev: int = 60
    fit_max_nfev: int = 40
    crossbar_size: int = 16
    program_width_s: float = 5e-3


FULL = DemoSettings()
QUICK = DemoSettings(voltages_V=(4.0, 5.0), duration_s=150.0, condense_max_nfev=20, fit_max_nfev=12,
                     crossbar_size=4)


@dataclass
class StepRecord:
    """One stage of the demo: what ran, how long, the key numbers, the files."""

    name: str
    what: str
    seconds: float = 0.0
    numbers: dict = field(default_factory=dict)
    files: list = field(default_factory=list)


class _Steps:
    def __init__(self, out, progress, total):
        self.out = out
        self.total = total
        self.progress = progress
        self.records = []

    def run(self, name, what, func):
        index = len(self.records) + 1
        if self.progress:
            print(f"demo [{index}/{self.total}] {name}: {what}", flush=True)
        record = StepRecord(name, what)
        start = time.perf_counter()
        value = func(record)
        record.seconds = time.perf_counter() - start
        record.files = [str(Path(f).relative_to(self.out)) for f in record.files]
        self.records.append(record)
        if self.progress:
            print(f"demo [{index}/{self.total}] {name}: done in {record.seconds:.1f} s", flush=True)
        return value


def _fmt(value):
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def summary_table(records, out):
    """The printed summary: stage, wall time, key numbers, files."""
    lines = [f"memcompact demo: outputs in {out}", "",
             f"{'stage':<9} {'time':>7}  key numbers", f"{'-' * 9} {'-' * 7}  {'-' * 60}"]
    for r in records:
        nums = "; ".join(f"{k} {_fmt(v)}" for k, v in r.numbers.items())
        lines.append(f"{r.name:<9} {r.seconds:6.1f}s  {nums}")
        if r.files:
            lines.append(f"{'':<9} {'':>7}  files: {', '.join(r.files)}")
    total = sum(r.seconds for r in records)
    lines += ["", f"total {total:.1f} s"]
    return "\n".join(lines)


def _chain_and_condense(settings, out, progress, record):
    from memcompact.condense import condense, plot_condensation
    from memcompact.model.cards import save_model_card

    result = condense(settings.voltages_V, metal="Ag", duration_s=settings.duration_s, seed=settings.seed,
                      max_nfev=settings.condense_max_nfev, progress=progress)
    folder = out / "chain"
    for v, curve in zip(settings.voltages_V, result.curves):
        path = folder / f"chain_{v:g}V.csv"
        write_it_csv(path, curve)
        record.files.append(path)
    save_model_card(out / "condensed_card.json", result.card)
    plot_condensation(result, out / "condense.png")
    record.files += [out / "condensed_card.json", out / "condense.png"]
    chain_events = result.card["condensed_from"]["chain_events"]
    record.numbers["chain t_form_s"] = [e["t_form_s"] for e in chain_events]
    runs = [r for group in result.chain_results for r in (group if isinstance(group, list) else [group])]
    record.numbers["chain runs"] = len(runs)
    record.numbers["chain regimes"] = "".join(r.regime for r in runs)
    return result


def _fit(settings, out, condensed, progress, record):
    from memcompact.fit import fit_it
    from memcompact.model.cards import save_model_card

    files = [out / "chain" / f"chain_{v:g}V.csv" for v in settings.voltages_V]
    series = float(condensed.card["condensed_from"]["series_resistance_ohm"])
    result = fit_it(files, card=condensed.card, series_resistance_ohm=series, max_nfev=settings.fit_max_nfev,
                    progress=progress)
    folder = out / "fit"
    save_model_card(folder / "card.json", result.card)
    atomic_write_text(folder / "report.txt", result.report() + "\n")
    result.plot(folder / "fit.png")
    record.files += [folder / "card.json", folder / "report.txt", folder / "fit.png"]
    curves = result.card["curves"]
    record.numbers["rms decades"] = [float(c["rms_decades"]) for c in curves]
    record.numbers["t_form data s"] = [c["events"]["t_form_s"] for c in curves]
    record.numbers["t_form model s"] = [c["model_events"]["t_form_s"] for c in curves]
    record.numbers["redchi"] = float(result.card["redchi"])
    return result


def _export(settings, out, card, record):
    from memcompact.events import detect_events
    from memcompact.export import export_text
    from memcompact.export.parity import Backends, python_reference, rms_decades, spice_transient
    from memcompact.export.testbench import accurate_options
    from memcompact.model.stimulus import constant

    folder = out / "export"
    backends = Backends(folder=folder, card=card)          # writes the .va and .lib, compiles the .va
    atomic_write_text(folder / "memcompact_ecm.py", export_text("python", card))
    record.files += [backends.va, backends.osdi, backends.lib, folder / "memcompact_ecm.py"]

    voltage = float(np.median(settings.voltages_V))
    series = float(np.median([c["series_resistance_ohm"] for c in card["curves"]]))   # the fitted loop
    stimulus = constant(voltage, settings.duration_s)
    t_va, i_va = spice_transient("verilog-a", card, stimulus, series,
                                  accurate_options(settings.duration_s, kind="stress"), backends)
    t_grid = np.linspace(0.0, settings.duration_s, 1501)
    i_py = python_reference([card], stimulus, series, t_grid)[0]
    i_va_grid = np.interp(t_grid, t_va, i_va)
    floor = 1e-14
    rms = rms_decades(np.log10(np.maximum(np.abs(i_va_grid), floor)), np.log10(np.maximum(np.abs(i_py), floor)))
    ev_va = detect_events(t_grid, i_va_grid)
    ev_py = detect_events(t_grid, i_py)
    record.numbers["stress V"] = voltage
    record.numbers["VA vs Python rms dec"] = float(rms)
    record.numbers["t_form VA s"] = ev_va.get("t_form_s")
    record.numbers["t_form Python s"] = ev_py.get("t_form_s")
    return {"osdi": backends.osdi, "t_grid": t_grid, "i_va": i_va_grid, "i_py": i_py, "voltage": voltage,
            "series": series}


def formation_times_s(params, voltages_V, duration_s, series_resistance_ohm=100.0, rise=1e3):
    """Time [s] at which each constant voltage forms a fresh device (inf if not within ``duration_s``).

    The compact model (Python backend) runs all voltages at once; formation is
    the first time the current exceeds ``rise`` times its initial value.

    Parameters
    ----------
    params : dict
        Model parameters.
    voltages_V : array_like
        Constant voltages [V].
    duration_s : float
        Longest time looked at [s].
    series_resistance_ohm : float
        Driver and wire resistance in series with the cell [Ohm].
    rise : float
        Current rise that counts as formation [1].

    Returns
    -------
    numpy.ndarray
    """
    from memcompact.model import complete_params, integrate
    from memcompact.model.stimulus import constant

    voltages = np.atleast_1d(np.asarray(voltages_V, dtype=float))
    t_eval = np.concatenate([[0.0], np.logspace(np.log10(duration_s) - 9, np.log10(duration_s), 451)])
    sol = integrate(complete_params(dict(params)), constant(1.0, duration_s), t_eval=t_eval,
                    n_devices=voltages.size, voltage_scale=voltages, series_resistance_ohm=series_resistance_ohm)
    current = np.abs(sol.current_A)
    formed = current > rise * np.maximum(current[:, :1], 1e-18)
    return np.where(formed.any(axis=1), sol.time_s[np.argmax(formed, axis=1)], np.inf)


def selective_write_V(params, width_s, rows, candidates=np.arange(2.0, 8.01, 0.25), margin=3.0):
    """Smallest write voltage [V] that SETs a selected cell but spares half-selected ones (V/2 scheme).

    A selected cell must form within ``width_s / margin``; a half-selected
    cell at ``V/2`` must not form within ``margin`` times the whole
    programming time (``rows`` pulses). The steep voltage dependence of the
    nucleation delay (the ECM voltage-time dilemma, behaviour 1 of the model)
    is what makes such a voltage exist.

    Parameters
    ----------
    params : dict
        Model parameters.
    width_s : float
        Programming pulse width [s].
    rows : int
        Number of programming pulses a half-selected cell may see.
    candidates : array_like
        Write voltages to try [V], increasing.
    margin : float
        Safety factor on both conditions [1].

    Returns
    -------
    write_V : float or None
        None when no candidate works.
    reason : str
        Why not, or which times were found.
    """
    candidates = np.asarray(candidates, dtype=float)
    horizon = margin * rows * width_s
    t_sel = formation_times_s(params, candidates, horizon)
    t_half = formation_times_s(params, candidates / 2.0, horizon)
    ok = (t_sel <= width_s / margin) & ~(t_half <= horizon)
    if ok.any():
        k = int(np.argmax(ok))
        return float(candidates[k]), (f"{candidates[k]:g} V forms in {t_sel[k]:.3g} s; "
                                      f"{candidates[k] / 2:g} V does not within {horizon:.3g} s")
    fast = t_sel <= width_s / margin
    if not fast.any():
        return None, f"no write voltage up to {candidates[-1]:g} V forms a cell within {width_s / margin:.3g} s"
    k = int(np.argmax(fast))
    return None, (f"{candidates[k]:g} V forms in {t_sel[k]:.3g} s but half-selected cells at {candidates[k] / 2:g} V "
                  f"form too, in {t_half[k]:.3g} s: the delay depends too weakly on voltage")


def _crossbar(settings, out, card, record):
    """16 x 16 program/read with the fitted card, or the preset if the fitted card cannot be written selectively."""
    from memcompact.crossbar.netlist import CrossbarSpec
    from memcompact.crossbar.operations import program_and_read
    from memcompact.crossbar.plots import plot_read_map
    from memcompact.model import card_params

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from memcompact.model import preset_params

    n = settings.crossbar_size
    params = card_params(card)
    write_V, why = selective_write_V(params, settings.program_width_s, n)
    record.numbers["card"] = "fitted"
    if write_V is None:
        record.numbers["card"] = "ag_sio2 preset"
        record.numbers["fitted card not used"] = why
        params = preset_params("ag_sio2")
        write_V, why = selective_write_V(params, settings.program_width_s, n)
        if write_V is None:
            raise InputError(f"crossbar: the ag_sio2 preset cannot be written selectively: {why}")
    spec = CrossbarSpec(n, n, cell="1R", params=params)
    pattern = np.zeros((n, n), dtype=bool)
    pattern[np.arange(n), np.arange(n)] = True
    pattern[np.arange(n), n - 1 - np.arange(n)] = True
    result = program_and_read(spec, pattern, scheme="V/2", engine="ngspice", program_V=write_V,
                              width_s=settings.program_width_s)
    result.info["card"] = record.numbers["card"]
    folder = out / "crossbar"
    folder.mkdir(parents=True, exist_ok=True)
    np.savetxt(folder / "read_currents_A.csv", result.read_currents_A, delimiter=",",
               header=f"read current [A] of each cell at {result.read_V:g} V after programming; "
                      f"rows x cols = {n} x {n}")
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    plot_read_map(result.read_currents_A, pattern=pattern, ax=ax,
                  title=f"{n}x{n} 1R, V/2 write at {write_V:g} V, read at {result.read_V:g} V (ngspice, Verilog-A)")
    fig.tight_layout()
    atomic_savefig(fig, folder / "read_map.png", dpi=110)
    plt.close(fig)
    record.files += [folder / "read_currents_A.csv", folder / "read_map.png"]
    on = np.abs(result.read_currents_A[pattern])
    off = np.abs(result.read_currents_A[~pattern])
    record.numbers["size"] = f"{n}x{n}"
    record.numbers["write V"] = write_V
    record.numbers["ON read A (min)"] = float(on.min())
    record.numbers["OFF read A (max)"] = float(off.max())
    record.numbers["margin decades"] = result.margin_decades()
    record.numbers["ngspice s"] = float(result.wall_time_s)
    return result


def plot_overview(condensed, fit, export, crossbar, path):
    """One figure of the whole pipeline: chain -> condensed card -> fit -> Verilog-A in ngspice -> crossbar."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from memcompact.crossbar.plots import plot_read_map

    floor = 1e-14
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    ax = axes[0, 0]
    for k, (curve, v) in enumerate(zip(condensed.curves, condensed.card["condensed_from"]["voltages_V"])):
        ax.semilogy(curve.time_s, np.maximum(np.abs(curve.current_A), floor), ".", ms=1.5, color=f"C{k}",
                    alpha=0.5, label=f"chain {v:g} V")
        ax.semilogy(curve.time_s, np.maximum(np.abs(condensed.model_current_A[k]), floor), "-", color=f"C{k}", lw=1)
    ax.set(xlabel="time [s]", ylabel="|I| [A]", title="1-2  cluster chain (dots) and condensed compact card (lines)")
    ax.legend(fontsize=7)
    ax = axes[0, 1]
    for k, (data, model_i) in enumerate(zip(fit.data, fit.model_current_A)):
        ax.semilogy(data.curve.time_s, np.maximum(np.abs(data.curve.current_A), floor), ".", ms=1.5,
                    color=f"C{k}", alpha=0.5)
        ax.semilogy(data.curve.time_s, np.maximum(np.abs(model_i), floor), "-", color=f"C{k}", lw=1,
                    label=f"{data.voltage_V:g} V: rms {fit.rms_decades[k]:.2f} dec")
    ax.set(xlabel="time [s]", ylabel="|I| [A]", title="3  lmfit global fit to the chain curves")
    ax.legend(fontsize=7)
    ax = axes[1, 0]
    ax.semilogy(export["t_grid"], np.maximum(np.abs(export["i_py"]), floor), "-", color="C0", lw=2.5, alpha=0.5,
                label="Python model")
    ax.semilogy(export["t_grid"], np.maximum(np.abs(export["i_va"]), floor), "--", color="C3", lw=1,
                label="Verilog-A in ngspice (OSDI)")
    ax.set(xlabel="time [s]", ylabel="|I| [A]",
           title=f"4  exported fitted card, {export['voltage']:g} V stress via {export['series']:g} Ohm")
    ax.legend(fontsize=7)
    plot_read_map(crossbar.read_currents_A, pattern=crossbar.pattern, ax=axes[1, 1],
                  title=f"5  crossbar read map, ngspice + Verilog-A, {crossbar.info.get('card', 'fitted')} card "
                        f"(margin {crossbar.margin_decades():.1f} dec)")
    fig.suptitle("memcompact: cluster chain -> compact model -> fit -> Verilog-A -> crossbar (Ag/SiO2)")
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=110)
    plt.close(fig)


def run_demo(out_dir, quick=False, progress=True):
    """Run the whole pipeline into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Output folder (created).
    quick : bool
        The small CI setting (:data:`QUICK`) instead of :data:`FULL`.
    progress : bool
        Print stage progress and the solvers' progress bars on stderr/stdout.

    Returns
    -------
    list of StepRecord
    """
    settings = QUICK if quick else FULL
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    steps = _Steps(out, progress, total=5)
    started = time.perf_counter()
    condensed = steps.run("condense", f"cluster chain at {', '.join(f'{v:g}' for v in settings.voltages_V)} V "
                          f"for {settings.duration_s:g} s -> compact card",
                          lambda r: _chain_and_condense(settings, out, progress, r))
    fit = steps.run("fit", "lmfit global fit of the card to the chain I-t curves",
                    lambda r: _fit(settings, out, condensed, progress, r))
    export = steps.run("export", "Verilog-A (openvaf-r -> OSDI), ngspice subcircuit, Python; VA run in ngspice",
                       lambda r: _export(settings, out, fit.card, r))
    crossbar = steps.run("crossbar", f"{settings.crossbar_size}x{settings.crossbar_size} 1R program/read "
                         "in ngspice with the Verilog-A model", lambda r: _crossbar(settings, out, fit.card, r))

    def figures(record):
        plot_overview(condensed, fit, export, crossbar, out / "overview.png")
        record.files.append(out / "overview.png")
        record.numbers["panels"] = 4
    steps.run("figures", "overview of the pipeline", figures)

    summary = {
        "settings": asdict(settings), "quick": quick, "total_s": time.perf_counter() - started,
        "machine": platform.platform(),
        "steps": [asdict(r) for r in steps.records],
    }
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=2, default=_json_default) + "\n")
    table = summary_table(steps.records, out)
    atomic_write_text(out / "summary.txt", table + "\n")
    return steps.records, table


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


__all__ = ["DemoSettings", "FULL", "QUICK", "StepRecord", "plot_overview", "formation_times_s", "selective_write_V", "run_demo",
           "summary_table"]
