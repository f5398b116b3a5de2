"""Study (a): read margin and VMM error of a 1R crossbar against array size, wire
resistance and device-to-device spread, one Monte Carlo array per task.

Each task (one array, one seed) draws its n x n devices around the card's
nominal values (:func:`memcompact.model.variability.sample_devices`, the
per-device spreads times ``spread_scale``), and solves the array's nodal
network with the wire resistance of every segment
(:func:`memcompact.crossbar.solver.solve_dc`):

* **read margin** -- a random pattern (each cell formed with probability
  ``lrs_fraction``); the far corner cell (row 0, last column: the longest
  wire path) is read with ``read_V`` on its row and a load resistor on its
  column, every other line floating (sneak paths through the pattern). The
  margin is ``(V_sense(selected LRS) - V_sense(selected HRS)) / read_V``.
* **VMM error** -- every cell formed with a target remaining gap uniform in
  [0, 1] nm above the smallest gap (about a decade of conductance), inputs
  uniform in [0, ``read_V``] on all rows, columns at virtual ground.
  ``vmm_error`` is the mean over columns of ``|I - G_nominal^T V| /
  G_nominal^T V`` (device spread and IR drop together); ``vmm_error_ir``
  the same against the drawn devices' own ``G^T V`` (IR drop alone).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from memcompact.sweep.spec import Param

NAME = "crossbar_margin"

PARAMETERS = {
    "size": Param("int", 32, "1", "array size n (n x n cells)", minimum=2, maximum=4096),
    "wire_resistance_ohm": Param("float", 1.0, "Ohm", "wire resistance of one segment (one cell pitch)",
                                 minimum=0.0, exclusive_minimum=True),
    "spread_scale": Param("float", 1.0, "1", "factor on the model's device-to-device sigmas (0: nominal devices)",
                          minimum=0.0, maximum=10.0),
    "read_V": Param("float", 0.2, "V", "read voltage (margin) and largest input (VMM)",
                    minimum=0.0, exclusive_minimum=True, maximum=1.0),
    "load_resistance_ohm": Param("float", 10e3, "Ohm", "sense load resistor of the margin read",
                                 minimum=0.0, exclusive_minimum=True),
    "driver_resistance_ohm": Param("float", 100.0, "Ohm", "row driver resistance of the VMM", minimum=0.0),
    "lrs_fraction": Param("float", 0.5, "1", "share of formed cells in the margin read's random pattern",
                          minimum=0.0, maximum=1.0),
    "card": Param("str", "ag_sio2", "", "model card preset", choices=("ag_sio2", "cu_sio2")),
}

OUTPUTS = {
    "read_margin": pa.float64(),
    "sense_lrs_V": pa.float64(),
    "sense_hrs_V": pa.float64(),
    "vmm_error": pa.float64(),
    "vmm_error_ir": pa.float64(),
}


def _device_params(card, n, spread_scale, rng):
    """Per-cell parameters (arrays (n, n) for the varied names) and the nominal ones."""
    from memcompact.model import preset_params
    from memcompact.model.variability import sample_devices
    from memcompact.studies import scaled_spread

    nominal = preset_params(card)
    drawn = sample_devices(nominal, n * n, rng, spread=scaled_spread(spread_scale))
    cells = {k: (np.reshape(v, (n, n)) if np.ndim(v) == 1 else v) for k, v in drawn.items()}
    return cells, nominal


def read_margin(spec, pattern, read_V, load_resistance_ohm):
    """Far-corner read margin of ``spec`` with ``pattern`` formed, lines floating [1], and both sense voltages [V]."""
    from memcompact.crossbar.analysis import formed_states
    from memcompact.crossbar.solver import solve_dc

    n = spec.rows
    rows = np.full(n, np.nan)
    rows[0] = read_V
    cols = np.full(spec.cols, np.nan)
    cols[-1] = 0.0
    sense = {}
    for label, on in (("lrs", True), ("hrs", False)):
        mask = pattern.copy()
        mask[0, -1] = on
        current = float(solve_dc(spec.with_states(formed_states(spec, mask)), rows, cols).column_currents_A[-1])
        sense[label] = current * load_resistance_ohm
    return (sense["lrs"] - sense["hrs"]) / read_V, sense["lrs"], sense["hrs"]


def vmm_errors(spec, nominal_spec, gap_nm, row_V):
    """Mean relative column-current error against the nominal and against the drawn devices' ideal VMM [1]."""
    from memcompact.crossbar.analysis import formed_states
    from memcompact.crossbar.solver import ideal_vmm, solve_dc

    everything = np.ones(spec.shape, dtype=bool)
    drawn = spec.with_states(formed_states(spec, everything, gap_nm))
    target = nominal_spec.with_states(formed_states(nominal_spec, everything, gap_nm))
    current = solve_dc(drawn, row_V).column_currents_A
    ideal_target = ideal_vmm(target.conductance_S(), row_V)
    ideal_drawn = ideal_vmm(drawn.conductance_S(), row_V)
    return (float(np.mean(np.abs(current - ideal_target) / ideal_target)),
            float(np.mean(np.abs(current - ideal_drawn) / ideal_drawn)))


def run_task(params, seed):
    """One Monte Carlo array: read margin and VMM errors (see the module docstring)."""
    from memcompact.crossbar.netlist import CrossbarSpec

    n = params["size"]
    rng = np.random.default_rng(seed)
    cells, nominal = _device_params(params["card"], n, params["spread_scale"], rng)
    pattern = rng.random((n, n)) < params["lrs_fraction"]
    margin_spec = CrossbarSpec(n, n, sense="load", load_resistance_ohm=params["load_resistance_ohm"],
                               wire_resistance_ohm=params["wire_resistance_ohm"], driver_resistance_ohm=0.0,
                               params=cells)
    margin, sense_lrs, sense_hrs = read_margin(margin_spec, pattern, params["read_V"], params["load_resistance_ohm"])
    vmm_kw = dict(wire_resistance_ohm=params["wire_resistance_ohm"],
                  driver_resistance_ohm=params["driver_resistance_ohm"])
    gap_nm = rng.uniform(0.0, 1.0, (n, n))
    row_V = rng.uniform(0.0, params["read_V"], n)
    err, err_ir = vmm_errors(CrossbarSpec(n, n, params=cells, **vmm_kw), CrossbarSpec(n, n, params=nominal, **vmm_kw),
                             gap_nm, row_V)
    return {"read_margin": margin, "sense_lrs_V": sense_lrs, "sense_hrs_V": sense_hrs, "vmm_error": err,
            "vmm_error_ir": err_ir}


def summarise(table):
    """Median and 10-90 % band per (wire resistance, spread, size): dict key -> dict of arrays."""
    from memcompact.studies import quantile_band

    data = table.filter(pc.equal(table["status"], "ok")).to_pydict()
    groups = {}
    for k in range(len(data["task_id"])):
        key = (data["wire_resistance_ohm"][k], data["spread_scale"][k])
        groups.setdefault(key, {}).setdefault(data["size"][k], []).append(k)
    out = {}
    for key, by_size in sorted(groups.items()):
        sizes = np.array(sorted(by_size))
        entry = {"size": sizes, "count": np.array([len(by_size[s]) for s in sizes])}
        for name in ("read_margin", "vmm_error", "vmm_error_ir"):
            bands = np.array([quantile_band([data[name][k] for k in by_size[s]]) for s in sizes])
            entry[name] = bands  # (sizes, 3): median, 10 %, 90 %
        out[key] = entry
    return out


def plot_results(table, path=None):
    """Read margin and VMM error vs array size: median and 10-90 % band per wire resistance and spread."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    groups = summarise(table)
    wires = sorted({k[0] for k in groups})
    spreads = sorted({k[1] for k in groups})
    colours = plt.cm.viridis(np.linspace(0.05, 0.85, max(len(wires), 1)))
    styles = ["--", "-", ":", "-."]
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.6), constrained_layout=True)
    for (wire, spread), entry in groups.items():
        colour = colours[wires.index(wire)]
        style = styles[spreads.index(spread) % len(styles)]
        label = f"{wire:g} Ohm, spread x{spread:g}"
        for ax, name in zip(axes, ("read_margin", "vmm_error")):
            med, lo, hi = entry[name].T
            ax.plot(entry["size"], med, style, color=colour, marker="o", ms=3, label=label)
            ax.fill_between(entry["size"], lo, hi, color=colour, alpha=0.15, lw=0)
    counts = np.concatenate([e["count"] for e in groups.values()]) if groups else np.array([0])
    axes[0].set_ylabel("read margin (V_LRS - V_HRS) / V_read  [1]")
    axes[0].set_title("far-cell read margin, random 50 % pattern, lines floating")
    axes[1].set_ylabel("VMM error  mean |I - G_nominal V| / G_nominal V  [1]")
    axes[1].set_title("VMM error: IR drop and device spread")
    for ax in axes:
        ax.set_yscale("log")
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.set_xlabel("array size n (n x n)")
        ax.grid(alpha=0.3, which="both")
    axes[1].legend(fontsize=7, ncol=1, title="wire per segment, spread", title_fontsize=7)
    arrays = f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()}-{counts.max()}"
    fig.suptitle(f"1R crossbar Monte Carlo: median and 10-90 % band of {arrays} arrays per point", fontsize=10)
    if path is not None:
        from memcompact.io import atomic_savefig
        atomic_savefig(fig, path, dpi=110)
    return fig
