"""Crossbar analyses with the Python solver: sneak paths, IR drop, VMM error, variability.

``python -m memcompact.crossbar.analysis -o OUT/`` runs all four and writes
their plots (PNG), numbers (CSV) and a summary (JSON); docs/crossbar.md shows
and explains them. Every analysis is seeded.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from memcompact.crossbar.netlist import CrossbarSpec
from memcompact.crossbar.solver import ideal_vmm, solve_dc
from memcompact.model import default_params
from memcompact.model.compiled import state_bounds


def formed_states(spec, mask, gap_above_min_nm=0.0):
    """States with the cells of ``mask`` formed (nucleated, gap = minimum + ``gap_above_min_nm`` [nm]).

    Parameters
    ----------
    spec : CrossbarSpec
    mask : numpy.ndarray of bool
        Cells to form, (rows, cols).
    gap_above_min_nm : float or numpy.ndarray
        Remaining gap above the smallest gap [nm] (analog weights: 0 to ~1 nm
        spans a decade of conductance).
    """
    params = {k: np.broadcast_to(np.asarray(v, dtype=float), spec.shape) for k, v in spec.params.items()}
    gap_min = np.broadcast_to(state_bounds(params)[1][0], spec.shape)
    states = spec.states.copy()
    extra = np.broadcast_to(np.asarray(gap_above_min_nm, dtype=float), spec.shape)
    states[0][mask] = 1.1
    states[1][mask] = gap_min[mask] + extra[mask]
    return states


def sneak_read_margin(n, cell="1R", read_V=0.2, load_resistance_ohm=10e3, wire_resistance_ohm=1.0,
                      params=None):
    """Worst-case read margin of the far cell with the unselected lines floating.

    The selected cell is (0, n-1) (longest row and column path); every other
    cell is LRS (formed), the worst case for sneak paths. Read with
    ``read_V`` on row 0 and a load resistor on column n-1; other lines float.
    1T1R: only row 0's gate is on.

    Parameters
    ----------
    n : int
        Array size (n x n).
    cell : {"1R", "1T1R"}
    read_V : float
        Read voltage [V].
    load_resistance_ohm : float
        Sense load resistor [Ohm].
    wire_resistance_ohm : float
        Wire resistance per segment [Ohm].
    params : dict, optional
        Model parameters (default: the ag_sio2 defaults).

    Returns
    -------
    dict
        ``margin`` = (V_sense,LRS - V_sense,HRS) / read_V [1], the two sense
        voltages [V] and the currents [A].
    """
    spec = CrossbarSpec(n, n, cell=cell, sense="load", load_resistance_ohm=load_resistance_ohm,
                        wire_resistance_ohm=wire_resistance_ohm, driver_resistance_ohm=0.0,
                        params=params or default_params())
    rows = np.full(n, np.nan)
    rows[0] = read_V
    cols = np.full(n, np.nan)
    cols[n - 1] = 0.0
    gates = None
    if cell == "1T1R":
        gates = np.full(n, spec.transistor.gate_off_V)
        gates[0] = spec.transistor.gate_on_V
    out = {}
    for label, selected_on in (("lrs", True), ("hrs", False)):
        mask = np.ones(spec.shape, dtype=bool)
        mask[0, n - 1] = selected_on
        s = spec.with_states(formed_states(spec, mask))
        current = float(solve_dc(s, rows, cols, gates).column_currents_A[n - 1])
        out[f"current_{label}_A"] = current
        out[f"sense_{label}_V"] = current * load_resistance_ohm
    out["margin"] = (out["sense_lrs_V"] - out["sense_hrs_V"]) / read_V
    return out


def ir_drop_map(n, m=None, wire_resistance_ohm=2.0, read_V=0.2, cell="1R", seed=0):
    """IR drop of a VMM with every cell formed: applied row voltage minus cell voltage [V], (n, m).

    All rows at ``read_V``, columns at virtual ground, cells formed with a
    random remaining gap in [0, 0.5] nm (seeded).
    """
    m = n if m is None else m
    spec = CrossbarSpec(n, m, cell=cell, wire_resistance_ohm=wire_resistance_ohm)
    rng = np.random.default_rng(seed)
    spec = spec.with_states(formed_states(spec, np.ones(spec.shape, bool), rng.uniform(0, 0.5, spec.shape)))
    dc = solve_dc(spec, np.full(n, read_V))
    return read_V - dc.cell_voltage_V, dc


def vmm_error(n, wire_resistance_ohm, read_V=0.2, seed=0, trials=3, driver_resistance_ohm=100.0):
    """Mean relative error of the column currents against the ideal product G^T V.

    Weights: every cell formed with a remaining gap uniform in [0, 1] nm
    (about one decade of conductance); inputs uniform in [0, read_V]; seeded.

    Returns
    -------
    float
        mean over columns and trials of |I - I_ideal| / I_ideal [1].
    """
    rng = np.random.default_rng(seed)
    errors = []
    for _ in range(trials):
        spec = CrossbarSpec(n, n, wire_resistance_ohm=wire_resistance_ohm,
                            driver_resistance_ohm=driver_resistance_ohm)
        spec = spec.with_states(formed_states(spec, np.ones(spec.shape, bool), rng.uniform(0, 1.0, spec.shape)))
        row_V = rng.uniform(0.0, read_V, n)
        current = solve_dc(spec, row_V).column_currents_A
        ideal = ideal_vmm(spec.conductance_S(), row_V)
        errors.append(np.abs(current - ideal) / ideal)
    return float(np.mean(errors))


def variability_monte_carlo(n=8, trials=8, seed=0, scheme="V/2", progress=False):
    """Program a checkerboard into n x n arrays of sampled devices and read it back (Python solver).

    Each trial draws the devices with :func:`memcompact.model.variability.sample_devices`
    (seed + trial) and runs :func:`memcompact.crossbar.operations.program_and_read`.

    Returns
    -------
    dict
        ``on_A``, ``off_A`` (read currents of SET / unselected cells over all
        trials [A]), ``margins`` (decades per trial), ``nominal`` (the same
        without spread) and the failures (SET cells reading below 10x the
        largest unselected one).
    """
    from memcompact.crossbar.operations import program_and_read
    from memcompact.model.variability import sample_devices
    from memcompact.progress import Progress

    pattern = (np.add.outer(np.arange(n), np.arange(n)) % 2 == 0)
    nominal = program_and_read(CrossbarSpec(n, n), pattern, engine="python")
    on, off, margins = [], [], []
    with Progress("variability", trials, unit=" trials", enabled=progress) as bar:
        for t in range(trials):
            sampled = sample_devices(default_params(), n * n, seed=seed + t)
            params = {k: (np.asarray(v).reshape(n, n) if np.ndim(v) else v) for k, v in sampled.items()}
            res = program_and_read(CrossbarSpec(n, n, params=params), pattern, engine="python")
            on.append(res.read_currents_A[pattern])
            off.append(res.read_currents_A[~pattern])
            margins.append(res.margin_decades())
            bar.update(t + 1)
    on, off = np.concatenate(on), np.concatenate(off)
    return {"on_A": on, "off_A": off, "margins_decades": np.array(margins),
            "nominal_on_A": float(np.median(nominal.read_currents_A[pattern])),
            "nominal_off_A": float(np.median(nominal.read_currents_A[~pattern])),
            "failed_cells": int(np.sum(on < 10 * np.max(off))), "cells_on": int(on.size)}


def run_all(out, sizes=(4, 8, 16, 32, 64, 128), wires=(0.5, 1.0, 2.5, 5.0), mc_trials=8, progress=True):
    """Run the four analyses and write plots, CSV and summary.json into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from memcompact.crossbar import plots
    from memcompact.io import atomic_savefig, atomic_write_text

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = {}
    # 1. sneak paths
    margins = {cell: [sneak_read_margin(n, cell)["margin"] for n in sizes] for cell in ("1R", "1T1R")}
    atomic_write_text(out / "sneak_margin.csv", "size,margin_1R,margin_1T1R\n" + "".join(
        f"{n},{a:.6g},{b:.6g}\n" for n, a, b in zip(sizes, margins["1R"], margins["1T1R"])))
    fig = plots.plot_sneak_margin(sizes, margins)
    atomic_savefig(fig, out / "sneak_margin.png", dpi=120)
    plt.close(fig)
    summary["sneak_margin"] = {"sizes": list(sizes), **margins}
    # 2. IR drop
    drop, _ = ir_drop_map(64, wire_resistance_ohm=2.0)
    fig = plots.plot_ir_drop(drop, title="64x64 1R, all rows at 0.2 V, 2 Ohm/segment")
    atomic_savefig(fig, out / "ir_drop.png", dpi=120)
    plt.close(fig)
    summary["ir_drop_64x64_2ohm"] = {"max_mV": float(drop.max() * 1e3), "min_mV": float(drop.min() * 1e3),
                                     "worst_cell": [int(x) for x in np.unravel_index(drop.argmax(), drop.shape)]}
    # 3. VMM error
    errors = {w: [vmm_error(n, w) for n in sizes] for w in wires}
    atomic_write_text(out / "vmm_error.csv", "size," + ",".join(f"wire_{w:g}_ohm" for w in wires) + "\n" + "".join(
        f"{n}," + ",".join(f"{errors[w][k]:.6g}" for w in wires) + "\n" for k, n in enumerate(sizes)))
    fig = plots.plot_vmm_error(sizes, errors)
    atomic_savefig(fig, out / "vmm_error.png", dpi=120)
    plt.close(fig)
    summary["vmm_error"] = {"sizes": list(sizes), **{f"{w:g}": v for w, v in errors.items()}}
    # 4. variability
    mc = variability_monte_carlo(trials=mc_trials, progress=progress)
    fig = plots.plot_variability(mc["on_A"], mc["off_A"], mc["nominal_on_A"], mc["nominal_off_A"])
    atomic_savefig(fig, out / "variability.png", dpi=120)
    plt.close(fig)
    summary["variability_8x8"] = {
        "trials": mc_trials, "on_A_median": float(np.median(mc["on_A"])),
        "on_A_decades_p5_p95": [float(x) for x in np.log10(np.percentile(mc["on_A"], [5, 95]))],
        "off_A_median": float(np.median(mc["off_A"])), "nominal_on_A": mc["nominal_on_A"],
        "nominal_off_A": mc["nominal_off_A"], "margins_decades": mc["margins_decades"].tolist(),
        "failed_cells": mc["failed_cells"], "cells_on": mc["cells_on"]}
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=2) + "\n")
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description="crossbar analyses (Python solver) -> plots, CSV, JSON")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--trials", type=int, default=8, help="Monte Carlo trials")
    args = parser.parse_args(argv)
    print(json.dumps(run_all(args.output, mc_trials=args.trials), indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
