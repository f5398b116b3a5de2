"""Per-device transient cost in ngspice: Verilog-A/OSDI vs native subcircuit vs a plain resistor.

Same stimulus for all (the standard constant-voltage stress, 3 V for 300 s
through 1 kOhm, memcompact.export.testbench.standard_stimuli), same options
(reltol 1e-4, abstol 1e-15, Gear, largest step 1/6000 of the run, uic), N
identical devices in parallel, each with its own series resistor, in one
netlist run in shared ngspice. Prints wall time per run and per device, and
the accepted time points.

    .venv/bin/python benchmarks/bench_export.py [--devices 1 4] [--repeat 2] [--lib OLD.lib --models native]

A benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import time

from memcompact.export.definition import card_values
from memcompact.export.parity import Backends
from memcompact.export.testbench import SERIES_OHM, TransientOptions, device_lines, pwl_source, standard_stimuli
from memcompact.model import preset_card


def netlist(kind, n, stimulus, options, lib):
    card = preset_card("ag_sio2")
    lines = [f"* bench: {kind}, {n} devices"]
    if kind == "native":
        lines.append(f".include {lib}")
    lines += pwl_source("V1", "src", stimulus)
    for k in range(n):
        lines.append(f"R{k} src ae{k} {SERIES_OHM:g}")
        if kind == "resistor":
            lines.append(f"Rdev{k} ae{k} 0 1e6")
        else:
            dev = device_lines("verilog-a" if kind == "verilog-a" else "ngspice", card_values(card), instance=str(k))
            lines += [line.replace(" ae 0 ", f" ae{k} 0 ") for line in dev[:1]] + dev[1:] if k == 0 or kind == "native" \
                else [dev[0].replace(" ae 0 ", f" ae{k} 0 ")]
    lines.append(".options " + " ".join(f"{k}={v}" for k, v in options.options.items()))
    lines.append(".save i(V1)")
    lines.append(f".tran {options.step_s:.6g} {stimulus.duration_s:.6g} 0 {options.max_step_s:.6g} uic")
    lines.append(".end")
    return "\n".join(lines) + "\n"


def main(argv=None):
    from memcompact.spice import run_netlist

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--lib", help="native library file to time instead of the generated one "
                                      "(e.g. one written by an older version)")
    parser.add_argument("--models", nargs="+", default=["resistor", "verilog-a", "native"],
                        choices=["resistor", "verilog-a", "native"])
    args = parser.parse_args(argv)
    backends = Backends()
    lib = args.lib or backends.lib
    stimulus = standard_stimuli()["stress"]
    d = stimulus.duration_s
    options = TransientOptions(d / 6000, d / 6000, {"reltol": 1e-4, "abstol": 1e-15, "method": "gear"})
    rows = []
    for kind in args.models:
        for n in args.devices:
            text = netlist(kind, n, stimulus, options, lib)
            best = None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                result = run_netlist(text, osdi=[backends.osdi] if kind == "verilog-a" else ())
                elapsed = time.perf_counter() - t0
                best = elapsed if best is None else min(best, elapsed)
            rows.append((kind, n, best, best / n, len(result.scale)))
            print(f"  {kind} x{n}: {best:.2f} s", flush=True)
    print()
    print(f"{'model':<10} {'devices':>7} {'wall [s]':>9} {'per device [s]':>15} {'time points':>12}")
    for kind, n, wall, per, points in rows:
        print(f"{kind:<10} {n:>7d} {wall:>9.2f} {per:>15.3f} {points:>12d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
