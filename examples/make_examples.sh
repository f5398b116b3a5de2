#!/usr/bin/env bash
# Regenerate the example I-t curves in examples/ from the cluster-chain simulator:
#   bash examples/make_examples.sh
# Each curve is one `memcompact chain` run (Ag/SiO2 or Cu/SiO2, 40 nm film,
# 500 Ohm series resistance from the chain preset, constant voltage);
# its it.csv is copied here under a descriptive name, with the run's
# summary.json (regime, events, all chain parameters) next to it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MC=.venv/bin/memcompact
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {  # name metal voltage duration seed [extra chain options...]
    local name=$1 metal=$2 volt=$3 dur=$4 seed=$5
    shift 5
    "$MC" chain --metal "$metal" --voltage "$volt" --thickness 40e-9 --duration "$dur" --seed "$seed" \
        --samples 1000 --no-progress -o "$tmp/$name" "$@" >/dev/null
    cp "$tmp/$name/it.csv" "examples/$name.csv"
    cp "$tmp/$name/summary.json" "examples/$name.summary.json"
    echo "examples/$name.csv"
}
# a voltage series for a global fit (Fig. 5a-like: formation after a delay)
run ag_sio2_4.0V Ag 4.0 300 1
run ag_sio2_4.5V Ag 4.5 300 2
run ag_sio2_5.0V Ag 5.0 300 3
# small AE reservoir and contact: formation, depletion drop, refill (Fig. 5a, 5e-j)
run ag_sio2_depletion_3V Ag 3.0 500 0 --reservoir-m3 300e-27 --set contact_radius_m=2.5e-9
# strong Joule heating, 10 mA compliance: transition to a solid ECM filament (Fig. 6)
run ag_sio2_ecm_3V Ag 3.0 300 0 --thermal-resistance 1.5e6 --compliance 0.01
# Cu: slower ions, two-stage growth (Fig. 2a-f)
run cu_sio2_6V Cu 6.0 300 1
