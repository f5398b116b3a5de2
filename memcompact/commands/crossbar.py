"""``memcompact crossbar``: build, run and plot an N x M crossbar with the compact model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from memcompact.errors import InputError
from memcompact.io.card import card_series_resistance_ohm

NAME = "crossbar"
HELP = "crossbar array (1R/1T1R) in ngspice or the Python solver: program a pattern, read it, or a VMM"
DESCRIPTION = (
    "Build an N x M crossbar of compact-model cells (wire resistance per segment [Ohm], row drivers "
    "with source resistance [Ohm], virtual-ground or load-resistor sense), write its ngspice netlist "
    "and run a task: 'program' (a checkerboard pattern written row by row with the V/2 or V/3 scheme, "
    "then read back), 'read' (read a pre-set checkerboard of formed cells), or 'vmm' (random row "
    "voltages in, column currents out, against the ideal product). Results as CSV and JSON, plots as PNG. "
    "The cells have no series resistor of their own: a fitted card's loop resistance (its measurement's "
    "probes and source) is not used, the array's wires, drivers and sense are the loop (docs/crossbar.md).")


def add_arguments(parser):
    parser.add_argument("--rows", type=int, required=True, help="number of rows N")
    parser.add_argument("--cols", type=int, required=True, help="number of columns M")
    parser.add_argument("--cell", default="1R", choices=("1R", "1T1R"), help="cell type")
    parser.add_argument("--wire-ohm", type=float, default=1.0, help="wire resistance per segment [Ohm]")
    parser.add_argument("--driver-ohm", type=float, default=100.0, help="row driver source resistance [Ohm]")
    parser.add_argument("--sense", default="virtual_ground", choices=("virtual_ground", "load"),
                        help="column sense: virtual ground (0 V source) or a load resistor")
    parser.add_argument("--load-ohm", type=float, default=1000.0, help="sense load resistor [Ohm]")
    parser.add_argument("--card", default="ag_sio2", help="model card JSON, or a preset name")
    parser.add_argument("--task", default="program", choices=("program", "read", "vmm"), help="what to run")
    parser.add_argument("--engine", default="ngspice", choices=("ngspice", "python"),
                        help="ngspice (Verilog-A cells) or the Python nodal solver")
    parser.add_argument("--scheme", default="V/2", choices=("V/2", "V/3"), help="write scheme (task program)")
    parser.add_argument("--program-v", type=float, default=4.5, help="write voltage [V]")
    parser.add_argument("--program-width", type=float, default=5e-3, help="write pulse width [s]")
    parser.add_argument("--read-v", type=float, default=0.2, help="read voltage [V] (also the VMM full scale)")
    parser.add_argument("--variability", action="store_true",
                        help="device-to-device spread (memcompact.model.variability defaults)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the variability and the VMM inputs")
    parser.add_argument("-o", "--output", required=True, metavar="OUT_DIR", help="output folder")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


#: Largest --rows / --cols per engine: the Python solver's line-preconditioned conjugate gradients
#: scale to 1024 (docs/benchmarks.md, "Crossbar solver at scale"); ngspice's transient at 256x256
#: already runs for hours.
MAX_LINES = {"python": 1024, "ngspice": 256}


def _check(args):
    limit = MAX_LINES[args.engine]
    for name in ("rows", "cols"):
        value = getattr(args, name)
        if value < 1 or value > limit:
            raise InputError(f"--{name}: must be between 1 and {limit} with --engine {args.engine}, got {value}")
    for name, value, strict in (("--wire-ohm", args.wire_ohm, True), ("--driver-ohm", args.driver_ohm, False),
                                ("--load-ohm", args.load_ohm, True), ("--program-v", args.program_v, True),
                                ("--program-width", args.program_width, True), ("--read-v", args.read_v, True)):
        if not np.isfinite(value) or value < 0 or (strict and value == 0):
            raise InputError(f"{name}: must be {'>' if strict else '>='} 0, got {value}")
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")


def series_resistance_line(card, args):
    """The one line saying which series resistance the cells see and why the card's fitted one is not used."""
    recorded = card_series_resistance_ohm(card)
    loop = (f"the array's wires (--wire-ohm {args.wire_ohm:g} Ohm per segment), row drivers (--driver-ohm "
            f"{args.driver_ohm:g} Ohm) and sense are the loop; docs/crossbar.md")
    if recorded is None:
        return f"series resistance: 0 Ohm per cell (default: {loop})"
    return (f"series resistance: 0 Ohm per cell (the card's fitted loop resistance, {recorded:g} Ohm, belongs "
            f"to its measurement set-up and is not used: {loop})")


def _formed_states(spec, pattern):
    """States with the cells of ``pattern`` formed (gap at its minimum, nucleated), the others fresh."""
    from memcompact.model.compiled import state_bounds

    states = spec.states.copy()
    params = {k: np.broadcast_to(np.asarray(v, dtype=float), spec.shape) for k, v in spec.params.items()}
    bounds = state_bounds(params)
    gap_min = np.broadcast_to(bounds[1][0], spec.shape)
    states[0][pattern] = 1.1
    states[1][pattern] = gap_min[pattern]
    return states


#: The cell model's OSDI, copied next to the netlist (``pre_osdi`` resolves from the netlist's folder).
_OSDI_NAME = "memcompact_ecm_cell.osdi"


def _write_netlist(out, netlist, summary):
    """Write crossbar.cir and the cell OSDI beside it, so ``ngspice -b OUT/crossbar.cir`` runs."""
    from memcompact.crossbar.cellmodel import cell_osdi
    from memcompact.errors import ToolchainError
    from memcompact.io import atomic_write_bytes, atomic_write_text

    atomic_write_text(out / "crossbar.cir", netlist)
    try:
        atomic_write_bytes(out / _OSDI_NAME, cell_osdi().read_bytes())
        summary["netlist"] = f"ngspice -b {out / 'crossbar.cir'}"
    except ToolchainError as exc:  # the Python engine needs no compiler
        summary["netlist"] = f"needs {_OSDI_NAME} beside it ({exc})"


def _write_matrix_csv(path, matrix, what):
    from memcompact.io import atomic_write_text

    n, m = matrix.shape
    lines = [f"# {what}", "row," + ",".join(f"col{j}" for j in range(m))]
    lines += [f"{i}," + ",".join(f"{x:.9g}" for x in matrix[i]) for i in range(n)]
    atomic_write_text(path, "\n".join(lines) + "\n")


def run(args):
    _check(args)
    from memcompact.crossbar import plots
    from memcompact.crossbar.netlist import CrossbarSpec, transient_netlist, vmm_netlist
    from memcompact.crossbar.operations import program_and_read, program_phases, read_phases
    from memcompact.crossbar.solver import ideal_vmm, solve_dc, solve_dc_many
    from memcompact.io import atomic_savefig, atomic_write_text
    from memcompact.model import card_params, load_model_card
    from memcompact.model.variability import sample_devices
    from memcompact.progress import Progress

    card = load_model_card(args.card)
    params = card_params(card)
    print(series_resistance_line(card, args), file=sys.stderr)
    n, m = args.rows, args.cols
    if args.variability:
        sampled = sample_devices(params, n * m, seed=args.seed)
        params = {k: (np.asarray(v).reshape(n, m) if np.ndim(v) else v) for k, v in sampled.items()}
    spec = CrossbarSpec(n, m, cell=args.cell, wire_resistance_ohm=args.wire_ohm,
                        driver_resistance_ohm=args.driver_ohm, sense=args.sense,
                        load_resistance_ohm=args.load_ohm, params=params)
    checker = (np.add.outer(np.arange(n), np.arange(m)) % 2 == 0)
    out = Path(args.output)
    summary = {"rows": n, "cols": m, "cell": args.cell, "wire_resistance_ohm": args.wire_ohm,
               "driver_resistance_ohm": args.driver_ohm, "sense": args.sense, "task": args.task,
               "engine": args.engine, "card": str(args.card), "variability": args.variability, "seed": args.seed,
               "cell_series_resistance_ohm": 0.0,
               "card_series_resistance_ohm": card_series_resistance_ohm(card)}
    progress = not args.quiet
    with Progress(f"crossbar {args.task}", 3, unit=" stages", enabled=progress) as bar:
        if args.task == "program":
            phases = program_phases(spec, checker, args.scheme, args.program_v, args.program_width) + \
                read_phases(spec, args.read_v)
            netlist = transient_netlist(spec, phases, title=f"program {args.scheme} and read",
                                        osdi=_OSDI_NAME)
            bar.update(1, note="netlist written")
            res = program_and_read(spec, checker, args.scheme, args.engine, args.program_v, args.program_width,
                                   args.read_v, progress=progress and args.engine == "python")
            bar.update(2, note="simulated")
            out.mkdir(parents=True, exist_ok=True)
            _write_netlist(out, netlist, summary)
            _write_matrix_csv(out / "read_currents.csv", res.read_currents_A,
                              f"read current [A] of each cell at {args.read_v} V after programming")
            summary.update(scheme=args.scheme, program_V=args.program_v, program_width_s=args.program_width,
                           read_V=args.read_v, wall_time_s=res.wall_time_s,
                           read_margin_decades=res.margin_decades(),
                           on_current_A_median=float(np.median(res.read_currents_A[checker])),
                           off_current_A_median=float(np.median(res.read_currents_A[~checker]))
                           if (~checker).any() else None)
            fig = plots.plot_read_map(res.read_currents_A, checker, title=f"{n}x{m} {args.cell}, {args.scheme}")
        else:
            spec = spec.with_states(_formed_states(spec, checker))
            if args.task == "read":
                inputs = args.read_v * np.eye(n)          # read row i: read_V on it, every other line at 0 V
                gate_rows = None
                if spec.cell == "1T1R":
                    gate_rows = np.where(np.eye(n, dtype=bool), spec.transistor.gate_on_V,
                                         spec.transistor.gate_off_V)
                if args.engine == "python":   # states frozen: one network, all rows as right-hand sides
                    currents = solve_dc_many(spec, inputs, 0.0, gate_rows)
                else:
                    from memcompact.crossbar.netlist import run_vmm_ngspice
                    currents = np.zeros((n, m))
                    for i in range(n):
                        currents[i] = run_vmm_ngspice(spec, inputs[i], 0.0, None if gate_rows is None else gate_rows[i])
                        bar.update(1 + (i + 1) / n)
                bar.update(2, note="simulated")
                netlist = vmm_netlist(spec, np.where(np.arange(n) == 0, args.read_v, 0.0), title="read row 0",
                                      osdi=_OSDI_NAME)
                out.mkdir(parents=True, exist_ok=True)
                _write_netlist(out, netlist, summary)
                _write_matrix_csv(out / "read_currents.csv", currents,
                                  f"read current [A] of each cell at {args.read_v} V (rows read one at a time)")
                on, off = currents[checker], currents[~checker]
                summary.update(read_V=args.read_v, read_margin_decades=float(np.log10(on.min() / off.max()))
                               if off.size else None)
                fig = plots.plot_read_map(currents, checker, title=f"{n}x{m} {args.cell}, read")
            else:
                rng = np.random.default_rng(args.seed)
                row_V = rng.uniform(0.0, args.read_v, n)
                netlist = vmm_netlist(spec, row_V, title="vector-matrix multiply", osdi=_OSDI_NAME)
                if args.engine == "python":
                    dc = solve_dc(spec, row_V)
                    currents, vcell = dc.column_currents_A, dc.cell_voltage_V
                else:
                    from memcompact.crossbar.netlist import column_currents, node_voltages, run_dc_ngspice
                    result = run_dc_ngspice(spec, row_V)
                    currents = column_currents(result, spec)
                    vr, vc = node_voltages(result, spec)
                    vcell = vr - vc if spec.cell == "1R" else solve_dc(spec, row_V).cell_voltage_V
                bar.update(2, note="simulated")
                ideal = ideal_vmm(spec.conductance_S(), row_V)
                out.mkdir(parents=True, exist_ok=True)
                _write_netlist(out, netlist, summary)
                lines = ["# VMM: row voltages in, column currents out; ideal = sum_i G_ij V_i",
                         "col,current_A,ideal_A,relative_error"]
                rel = (currents - ideal) / ideal
                lines += [f"{j},{currents[j]:.9g},{ideal[j]:.9g},{rel[j]:.6g}" for j in range(m)]
                atomic_write_text(out / "vmm.csv", "\n".join(lines) + "\n")
                atomic_write_text(out / "row_voltages.csv", "row,voltage_V\n" +
                                  "".join(f"{i},{v:.9g}\n" for i, v in enumerate(row_V)))
                summary.update(vmm_relative_error_max=float(np.max(np.abs(rel))),
                               vmm_relative_error_mean=float(np.mean(np.abs(rel))))
                fig = plots.plot_ir_drop(row_V[:, None] - vcell, title=f"{n}x{m} {args.cell}: IR drop (VMM)")
        atomic_write_text(out / "summary.json", json.dumps(summary, indent=2, default=float) + "\n")
        atomic_savefig(fig, out / f"{args.task}.png", dpi=120)
        import matplotlib.pyplot as plt
        plt.close(fig)
    if not args.quiet:
        print(json.dumps(summary, indent=2, default=float))
    return 0
