"""User-written netlists with and without ``uic``: wall time and results.

Runs, with plain ``ngspice -b`` and default options, each netlist as written (the
operating point first) and with ``uic``: tests/data/netlists/device_stress.cir,
tests/data/netlists/cell_1t1r.cir, and the crossbar of examples/user_crossbar.py (32x32
by default: 2 Ohm segments, V/2 write of cell (0, 0) at 5 V for 2 ms, 0.2 V read). Prints
the wall time of each run, the op/uic ratio, and the measured currents both ways.

    .venv/bin/python benchmarks/bench_user_netlists.py [--rows 32]

A benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(folder, name, text):
    (folder / name).write_text(text)
    start = time.perf_counter()
    proc = subprocess.run(["ngspice", "-b", name], cwd=folder, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{name}: ngspice failed\n{proc.stderr[-2000:]}")
    from memcompact.spice.batch import measured_values

    return wall, measured_values(proc.stdout)


def with_uic(text):
    return "\n".join(line + " uic" if line.lower().startswith(".tran ") else line for line in text.splitlines()) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=32, help="crossbar rows = columns")
    args = parser.parse_args()
    from memcompact.export import export_text
    from memcompact.model import preset_card
    from memcompact.spice import compile_va

    spec = importlib.util.spec_from_file_location("user_crossbar", ROOT / "examples" / "user_crossbar.py")
    crossbar = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(crossbar)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        va = folder / "memcompact_ecm.va"
        va.write_text(export_text("verilog-a", preset_card("ag_sio2")))
        compile_va(va)
        netlists = {
            "device_stress": (ROOT / "tests/data/netlists/device_stress.cir").read_text(),
            "cell_1t1r": (ROOT / "tests/data/netlists/cell_1t1r.cir").read_text(),
            f"crossbar_{args.rows}x{args.rows}": crossbar.crossbar_netlist(args.rows, args.rows),
        }
        print("| netlist | op wall [s] | uic wall [s] | op/uic | measured currents, op / uic [A] |")
        print("| --- | --- | --- | --- | --- |")
        for name, text in netlists.items():
            t_op, v_op = run(folder, f"{name}.cir", text)
            t_uic, v_uic = run(folder, f"{name}_uic.cir", with_uic(text))
            keys = [k for k in v_op if k in v_uic][:3]
            shown = "; ".join(f"{k} {v_op[k]:.4e} / {v_uic[k]:.4e}" for k in keys)
            print(f"| {name} | {t_op:.1f} | {t_uic:.1f} | {t_op / t_uic:.2f} | {shown} |", flush=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
