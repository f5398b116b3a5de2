"""The whole memcompact job in one run: ``memcompact demo`` (``make demo``).

On the built-in Ag/SiO2 default, each stage feeds the next, and one card
goes all the way:

1. **condense**: the cluster-chain simulator (:mod:`memcompact.chain`) under
   constant-voltage stress at 4 voltages x 5 seeds, condensed into a compact
   card (:func:`memcompact.condense.condense`): the chain's median formation
   time at each voltage, its slope in decades per volt, analytic calibration
   of the nucleation barrier and voltage sensitivity, a fit;
2. **variants**: the same chain with a small AE reservoir (depletion drop and
   refill, seed paper Fig. 5) and with strong Joule heating (ECM jump,
   Fig. 6), at one voltage x 5 seeds, each condensed into a variant of the
   card (:func:`memcompact.condense.condense_variant`: same voltage
   dependence, event parameters mapped from the chain);
3. **fit**: the condensed card fitted again to the chain curves (CSV files)
   with the user-facing fitter (:func:`memcompact.fit.fit_it`), as a device
   engineer would fit measured data;
4. **export**: the fitted card as Verilog-A (compiled to OSDI with openvaf-r),
   ngspice-native subcircuit and standalone Python; the Verilog-A model runs
   in ngspice on a stress of one of the chain's voltages and is compared
   with Python;
5. **crossbar**: an N x N 1R array of cells with the condensed-and-fitted card
   (never a preset), programmed with a diagonal pattern (V/2 scheme) and read
   back in ngspice with the Verilog-A model; the write voltage is the
   smallest that forms a selected cell within the pulse and spares the
   half-selected ones (:func:`write_pulse`), the pulse lengthened when the
   card needs it;
6. **figures**: ``overview.png`` (formation, drop with refill and ECM jump,
   each at chain and compact level; delay vs voltage; export; crossbar).

Everything goes into one folder with a ``summary.json`` and a printed table.
``quick=True`` is the small setting CI runs (a 20 nm film at 3-4.5 V, 3
seeds for each variant, a 4 x 4 array).
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


#: Chain variants of the ``variants`` stage: name -> (chain parameters changed, run length [s])
#: (docs/chain.md, observations 7 and 8: a small AE reservoir at 3 V, 500 s; strong Joule heating at 3 V, 300 s).
VARIANTS = {
    "drop": ((("reservoir_m3", 300e-27), ("contact_radius_m", 2.5e-9)), 500.0),
    "ecm": ((("thermal_resistance_K_per_W", 1.5e6), ("compliance_A", 1e-2)), 300.0),
}


@dataclass(frozen=True)
class DemoSettings:
    """Sizes of a demo run.

    Attributes
    ----------
    voltages_V : tuple of float
        Chain stress voltages of the condensation [V].
    thickness_m : float
        Film thickness of the chain [m].
    duration_s : float
        Longest chain run [s] (higher voltages run shorter, following their delay).
    seed : int
        First seed.
    seeds : int
        Seeds per voltage of the condensation.
    variant_voltage_V : float
        Stress of the drop/refill and ECM variants [V] (run lengths: :data:`VARIANTS`).
    variant_seeds : int
        Seeds of each variant.
    variant_thickness_m : float or None
        Film thickness of the variants [m] (None: the condensation's).
    condense_max_nfev, variant_max_nfev, fit_max_nfev : int
        Budgets of the condensation, variant and demo fits (residual evaluations).
    crossbar_size : int
        N of the N x N crossbar. 8 in the full setting: the condensed card's V/2 write is selective
        there (the half-selected cells do not form within the 8 rows' 4 s), and the ngspice run
        takes ~18 s; on 16x16 (~2.5 min in ngspice) the half-selected cells may form.
    program_width_s : float
        Shortest programming pulse tried [s] (lengthened by decades when the card needs it).
    """

    voltages_V: tuple = (2.5, 3.0, 3.5, 4.0)
    thickness_m: float = 40e-9
    duration_s: float = 1000.0
    seed: int = 1
    seeds: int = 5
    variant_voltage_V: float = 3.0
    variant_seeds: int = 5
    variant_thickness_m: float | None = None
    condense_max_nfev: int = 15
    variant_max_nfev: int = 8
    fit_max_nfev: int = 10
    crossbar_size: int = 8
    program_width_s: float = 5e-3


FULL = DemoSettings()
QUICK = DemoSettings(voltages_V=(3.0, 3.5, 4.0, 4.5), thickness_m=20e-9, duration_s=300.0, variant_seeds=3,
                     variant_thickness_m=40e-9, condense_max_nfev=8, variant_max_nfev=5, fit_max_nfev=5,
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

    result = condense(settings.voltages_V, metal="Ag", thickness_m=settings.thickness_m,
                      duration_s=settings.duration_s, seed=settings.seed, seeds_per_voltage=settings.seeds,
                      max_nfev=settings.condense_max_nfev, progress=progress)
    folder = out / "chain"
    for v, curve in zip(settings.voltages_V, result.curves):
        path = folder / f"chain_{v:g}V.csv"
        write_it_csv(path, curve)
        record.files.append(path)
    save_model_card(out / "condensed_card.json", result.card)
    plot_condensation(result, out / "condense.png")
    record.files += [out / "condensed_card.json", out / "condense.png"]
    src = result.card["condensed_from"]
    record.numbers["chain runs"] = f"{len(src['voltages_V'])} V x {src['seeds_per_voltage']} seeds"
    record.numbers["chain median t_form s"] = src["median_form_s"]
    record.numbers["card t_form s"] = src["card"]["form_s"]
    record.numbers["slope dec/V chain"] = src["slope_decades_per_V"]
    record.numbers["slope dec/V card"] = src["card"]["slope_decades_per_V"]
    record.numbers["rms decades"] = [float(c["rms_decades"]) for c in result.card["curves"]]
    return result


def _variants(settings, out, condensed, progress, record):
    """The drop/refill and ECM chain variants, each condensed into a variant of the card."""
    from memcompact.condense import condense_variant, plot_condensation
    from memcompact.model.cards import save_model_card

    results = {}
    for name, (overrides, duration) in VARIANTS.items():
        overrides = dict(overrides)
        if settings.variant_thickness_m is not None:
            overrides["thickness_m"] = settings.variant_thickness_m
        result = condense_variant(condensed.card, overrides, settings.variant_voltage_V, duration,
                                  seed=settings.seed, seeds=settings.variant_seeds,
                                  max_nfev=settings.variant_max_nfev, progress=progress)
        folder = out / "variants"
        path = folder / f"chain_{name}_{settings.variant_voltage_V:g}V.csv"
        write_it_csv(path, result.curves[0])
        save_model_card(folder / f"card_{name}.json", result.card)
        plot_condensation(result, folder / f"condense_{name}.png")
        record.files += [path, folder / f"card_{name}.json", folder / f"condense_{name}.png"]
        src = result.card["condensed_from"]
        event = {"drop": ("drop", "refill"), "ecm": ("ecm",)}[name]
        for e in event:
            record.numbers[f"{e}: chain seeds"] = f"{sum(1 for x in result.stats.event_s[e][0] if x == x)}" \
                                                  f"/{len(src['seeds'])}"
            record.numbers[f"{e}: chain delay s"] = src["median_delay_s"][e][0]
            record.numbers[f"{e}: card delay s"] = src["card"]["delay_s"][e][0]
        record.numbers[f"{name} rms decades"] = float(result.card["curves"][0]["rms_decades"])
        results[name] = result
    return results


def _fit(settings, out, condensed, progress, record):
    from memcompact.fit import fit_it
    from memcompact.model.cards import save_model_card

    files = [out / "chain" / f"chain_{v:g}V.csv" for v in settings.voltages_V]
    src = condensed.card["condensed_from"]
    series = float(src["series_resistance_ohm"])
    # the condensed card is the start (no automatic restarts): the fit refines it
    result = fit_it(files, card={"params": condensed.card["params"]}, auto_start=False, vary=src["varied"],
                    series_resistance_ohm=series, max_nfev=settings.fit_max_nfev, progress=progress,
                    global_method=None)
    folder = out / "fit"
    card = dict(result.card)
    card["condensed_from"] = src
    save_model_card(folder / "card.json", card)
    atomic_write_text(folder / "report.txt", result.report() + "\n")
    result.plot(folder / "fit.png")
    record.files += [folder / "card.json", folder / "report.txt", folder / "fit.png"]
    curves = result.card["curves"]
    record.numbers["start"] = "condensed card"
    record.numbers["rms decades"] = [float(c["rms_decades"]) for c in curves]
    record.numbers["t_form data s"] = [c["events"]["t_form_s"] for c in curves]
    record.numbers["t_form model s"] = [c["model_events"]["t_form_s"] for c in curves]
    record.numbers["redchi"] = float(result.card["redchi"])
    result.card = card
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

    k = len(settings.voltages_V) // 2
    voltage = float(settings.voltages_V[k])                 # a chain voltage, on its own run length
    duration = float(card["condensed_from"]["duration_s"][k])
    series = float(np.median([c["series_resistance_ohm"] for c in card["curves"]]))   # the fitted loop
    stimulus = constant(voltage, duration)
    t_va, i_va = spice_transient("verilog-a", card, stimulus, series,
                                  accurate_options(duration, kind="stress"), backends)
    t_grid = np.linspace(0.0, duration, 1501)
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


def write_pulse(params, width_s, rows, max_width_s=1e3, candidates=np.arange(2.0, 12.01, 0.25), margin=3.0):
    """Write voltage [V] and pulse width [s] for a V/2-scheme array of cells with this card.

    The shortest pulse from ``width_s`` up by decades (at most
    ``max_width_s``) for which :func:`selective_write_V` finds a voltage: a
    selected cell forms within a third of the pulse and a half-selected one
    does not within three times the programming time. When no pulse allows a
    selective write (a delay too weak in voltage), the shortest pulse in
    which the largest candidate voltage forms a cell, at the smallest voltage
    that does, and the reason half-selected cells will be disturbed.

    Returns
    -------
    write_V : float or None
        None when no candidate forms a cell within ``max_width_s``.
    width_s : float
        Pulse width [s].
    selective : bool
        Whether half-selected cells are spared.
    note : str
        What was found (times, and why the pulse was lengthened).
    """
    widths = [width_s * 10.0 ** k for k in range(int(np.floor(np.log10(max_width_s / width_s))) + 1)]
    first_why = None
    for w in widths:
        write_V, why = selective_write_V(params, w, rows, candidates=candidates, margin=margin)
        first_why = first_why or why
        if write_V is not None:
            note = why if w == width_s else (f"pulse lengthened from {width_s:.3g} s to {w:.3g} s ({first_why}); "
                                             f"{why}")
            return write_V, w, True, note
    for w in widths:
        t_sel = formation_times_s(params, candidates, w / margin)
        if np.isfinite(t_sel).any():
            k = int(np.argmax(np.isfinite(t_sel)))
            return (float(candidates[k]), w, False,
                    f"no selective write up to {candidates[-1]:g} V and {max_width_s:.3g} s pulses ({first_why}); "
                    f"{candidates[k]:g} V forms in {t_sel[k]:.3g} s with a {w:.3g} s pulse, half-selected cells "
                    f"may form too")
    return None, widths[-1], False, f"no voltage up to {candidates[-1]:g} V forms a cell within {max_width_s:.3g} s"


def _crossbar(settings, out, card, record):
    """N x N program/read with the condensed-and-fitted card (no preset fallback)."""
    from memcompact.crossbar.netlist import CrossbarSpec
    from memcompact.crossbar.operations import program_and_read
    from memcompact.crossbar.plots import plot_read_map
    from memcompact.model import card_params

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = settings.crossbar_size
    params = card_params(card)
    write_V, width, selective, why = write_pulse(params, settings.program_width_s, n)
    record.numbers["card"] = "condensed + fitted (fit/card.json)"
    if write_V is None:
        raise InputError(f"crossbar: the condensed card cannot be written: {why}")
    record.numbers["write"] = why
    spec = CrossbarSpec(n, n, cell="1R", params=params)
    pattern = np.zeros((n, n), dtype=bool)
    pattern[np.arange(n), np.arange(n)] = True
    pattern[np.arange(n), n - 1 - np.arange(n)] = True
    from memcompact.spice.result import SimulationError
    engine = "ngspice"
    try:
        result = program_and_read(spec, pattern, scheme="V/2", engine="ngspice", program_V=write_V, width_s=width)
    except SimulationError as exc:
        # the same card in the Python array solver; the summary says why
        engine = "python"
        record.numbers["ngspice failed"] = " ".join(str(exc).split())[:200]
        result = program_and_read(spec, pattern, scheme="V/2", engine="python", program_V=write_V, width_s=width)
    record.numbers["engine"] = engine
    result.info["card"] = "condensed + fitted"
    result.info["engine"] = engine
    folder = out / "crossbar"
    folder.mkdir(parents=True, exist_ok=True)
    np.savetxt(folder / "read_currents_A.csv", result.read_currents_A, delimiter=",",
               header=f"read current [A] of each cell at {result.read_V:g} V after programming; "
                      f"rows x cols = {n} x {n}; card: condensed + fitted; write {write_V:g} V, {width:.3g} s")
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    plot_read_map(result.read_currents_A, pattern=pattern, ax=ax,
                  title=f"{n}x{n} 1R ({engine}), V/2 write {write_V:g} V / {width:.3g} s, read {result.read_V:g} V")
    fig.tight_layout()
    atomic_savefig(fig, folder / "read_map.png", dpi=110)
    plt.close(fig)
    record.files += [folder / "read_currents_A.csv", folder / "read_map.png"]
    on = np.abs(result.read_currents_A[pattern])
    off = np.abs(result.read_currents_A[~pattern])
    record.numbers["size"] = f"{n}x{n}"
    record.numbers["write V"] = write_V
    record.numbers["pulse s"] = width
    record.numbers["selective"] = selective
    record.numbers["ON read A (min)"] = float(on.min())
    record.numbers["OFF read A (max)"] = float(off.max())
    record.numbers["margin decades"] = result.margin_decades()
    record.numbers["solver s"] = float(result.wall_time_s)
    result.info.update(write_V=write_V, width_s=width)
    return result


def _plot_chain_and_card(ax, result, title, k=0, color="C0"):
    """One chain curve (dots) and the card on its grid (line), log |I| vs t, with the events of both marked."""
    from memcompact.condense import chain_detect_events, model_detect_events

    floor = 1e-14
    curve = result.curves[k]
    model_i = result.model_current_A[k]
    v = result.card["condensed_from"]["voltages_V"][k]
    ax.semilogy(curve.time_s, np.maximum(np.abs(curve.current_A), floor), ".", ms=2, color="0.45",
                label=f"chain {v:g} V")
    ax.semilogy(curve.time_s, np.maximum(np.abs(model_i), floor), "-", color=color, lw=1.2,
                label=f"compact card (rms {result.card['curves'][k]['rms_decades']:.2f} dec)")
    marks = {"t_form_s": "formation", "t_drop_s": "drop", "t_refill_s": "refill", "t_ecm_s": "ECM jump"}
    for src, style, y in ((chain_detect_events(curve.time_s, curve.current_A), ":", 0.92),
                          (model_detect_events(curve.time_s, model_i), "--", 0.82)):
        for key, label in marks.items():
            if src.get(key) is not None:
                ax.axvline(src[key], ls=style, color="k" if style == ":" else color, lw=0.8)
                ax.text(src[key], y, f" {label}", transform=ax.get_xaxis_transform(), fontsize=6,
                        color="k" if style == ":" else color)
    ax.set(xlabel="time [s]", ylabel="|I| [A]", title=title)
    ax.legend(fontsize=6, loc="lower right")


def plot_overview(condensed, variants, fit, export, crossbar, path):
    """The whole pipeline in one figure, formation, drop with refill and ECM jump at chain and compact level."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from memcompact.condense import plot_delay_vs_voltage
    from memcompact.crossbar.plots import plot_read_map

    floor = 1e-14
    fig, axes = plt.subplots(3, 2, figsize=(12, 12))
    ax = axes[0, 0]
    for k, (curve, v) in enumerate(zip(condensed.curves, condensed.card["condensed_from"]["voltages_V"])):
        ax.semilogy(curve.time_s, np.maximum(np.abs(curve.current_A), floor), ".", ms=1.5, color=f"C{k}",
                    alpha=0.5)
        ax.semilogy(curve.time_s, np.maximum(np.abs(fit.model_current_A[k]), floor), "-", color=f"C{k}", lw=1,
                    label=f"{v:g} V: rms {fit.rms_decades[k]:.2f} dec")
    ax.set(xlabel="time [s]", ylabel="|I| [A]",
           title="1 formation: chain median seeds (dots), fitted card (lines)", xscale="log")
    ax.legend(fontsize=7)
    plot_delay_vs_voltage(condensed, axes[0, 1])
    axes[0, 1].set_title("1 formation delay vs voltage, chain and card")
    _plot_chain_and_card(axes[1, 0], variants["drop"], "2 drop and refill: small-reservoir chain, card variant",
                         color="C2")
    _plot_chain_and_card(axes[1, 1], variants["ecm"], "3 ECM jump: strongly heated chain, card variant", color="C3")
    ax = axes[2, 0]
    ax.semilogy(export["t_grid"], np.maximum(np.abs(export["i_py"]), floor), "-", color="C0", lw=2.5, alpha=0.5,
                label="Python model")
    ax.semilogy(export["t_grid"], np.maximum(np.abs(export["i_va"]), floor), "--", color="C3", lw=1,
                label="Verilog-A in ngspice (OSDI)")
    ax.set(xlabel="time [s]", ylabel="|I| [A]",
           title=f"4 export: {export['voltage']:g} V stress via {export['series']:g} Ohm")
    ax.legend(fontsize=7)
    plot_read_map(crossbar.read_currents_A, pattern=crossbar.pattern, ax=axes[2, 1],
                  title=f"5 crossbar ({crossbar.info['engine']}), fitted card\n"
                        f"{crossbar.info['write_V']:g} V / {crossbar.info['width_s']:.3g} s write, "
                        f"margin {crossbar.margin_decades():.1f} dec")
    fig.suptitle("memcompact: cluster chain -> condensed compact card -> fit -> Verilog-A -> crossbar (Ag/SiO2)")
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=100)
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
    steps = _Steps(out, progress, total=6)
    started = time.perf_counter()
    condensed = steps.run("condense", f"cluster chain at {', '.join(f'{v:g}' for v in settings.voltages_V)} V x "
                          f"{settings.seeds} seeds -> condensed compact card",
                          lambda r: _chain_and_condense(settings, out, progress, r))
    variants = steps.run("variants", f"small-reservoir and strongly heated chain at {settings.variant_voltage_V:g} V "
                         f"x {settings.variant_seeds} seeds -> card variants (drop/refill, ECM jump)",
                         lambda r: _variants(settings, out, condensed, progress, r))
    fit = steps.run("fit", "lmfit global fit of the condensed card to the chain I-t curves",
                    lambda r: _fit(settings, out, condensed, progress, r))
    export = steps.run("export", "Verilog-A (openvaf-r -> OSDI), ngspice subcircuit, Python; VA run in ngspice",
                       lambda r: _export(settings, out, fit.card, r))
    crossbar = steps.run("crossbar", f"{settings.crossbar_size}x{settings.crossbar_size} 1R program/read "
                         "in ngspice with the Verilog-A model of the condensed + fitted card",
                         lambda r: _crossbar(settings, out, fit.card, r))

    def figures(record):
        plot_overview(condensed, variants, fit, export, crossbar, out / "overview.png")
        record.files.append(out / "overview.png")
        record.numbers["panels"] = 6
    steps.run("figures", "overview: formation, drop/refill, ECM jump at chain and card level; export; crossbar",
              figures)

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


__all__ = ["DemoSettings", "FULL", "QUICK", "StepRecord", "VARIANTS", "formation_times_s", "plot_overview", "run_demo",
           "selective_write_V", "summary_table", "write_pulse"]
