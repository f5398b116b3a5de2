#!/usr/bin/env bash
# `make demo`: run `memcompact demo -o out/demo` when that command exists (issue 8);
# until then, run the pipeline that exists, step by step, into out/demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MC=.venv/bin/memcompact
OUT=out/demo
if "$MC" demo --help >/dev/null 2>&1; then
    exec "$MC" demo -o "$OUT"
fi
has() { "$MC" "$1" --help >/dev/null 2>&1; }
mkdir -p "$OUT"
step() { echo; echo "== demo: $*"; }

if has chain; then
    step "cluster chain, Ag/SiO2 40 nm at 4 V for 300 s"
    "$MC" chain --metal Ag --voltage 4 --thickness 40e-9 --duration 300 --seed 1 -o "$OUT/chain"
fi
step "compact model card (Ag/SiO2 preset)"
"$MC" card ag_sio2 -o "$OUT/card.json"
step "constant 3 V stress through 1 kOhm: formation ~100 s, depletion drop, refill"
"$MC" simulate --card "$OUT/card.json" --voltage 3 --duration 300 -o "$OUT/stress_3V.csv" --plot "$OUT/stress_3V.png" --quiet
step "triangular sweep +4/-4 V, 2 cycles: pinched bipolar loops"
"$MC" simulate --card "$OUT/card.json" --sweep 4,-4,2,2 -o "$OUT/sweep.csv" --plot "$OUT/sweep.png" --quiet
if has condense; then
    step "condensation: chain at 4, 4.5, 5 V -> fitted compact card"
    "$MC" condense --voltages 4.0,4.5,5.0 --duration 300 -o "$OUT/condense"
fi
if has export; then
    step "export: Verilog-A (compiled to OSDI), ngspice subcircuit, standalone Python"
    "$MC" export verilog-a --card "$OUT/card.json" -o "$OUT/memcompact_ecm.va" --osdi
    "$MC" export ngspice --card "$OUT/card.json" -o "$OUT/memcompact_ecm.lib"
    "$MC" export python --card "$OUT/card.json" -o "$OUT/memcompact_ecm.py"
fi
step "toolchain check: Verilog-A resistor -> openvaf-r -> OSDI -> ngspice"
.venv/bin/python -m memcompact.spice
echo
echo "demo: outputs in $OUT:"
ls -1 "$OUT"
