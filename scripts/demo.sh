#!/usr/bin/env bash
# `make demo`: run `memcompact demo -o out/demo` when that command exists;
# until it does, run the parts of the pipeline that exist and say so.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MC=.venv/bin/memcompact
if "$MC" demo --help >/dev/null 2>&1; then
    exec "$MC" demo -o out/demo
fi
echo "demo: 'memcompact demo' is not implemented yet; running what exists instead:"
echo "demo: 1) memcompact check on the example data in tests/data/"
shopt -s nullglob
files=(tests/data/*.csv tests/data/*.json)
good=()
for f in "${files[@]}"; do
    case "$(basename "$f")" in bad_*) ;; *) good+=("$f") ;; esac
done
if ((${#good[@]})); then
    "$MC" check "${good[@]}"
else
    echo "demo: no example data in tests/data/ yet"
fi
echo "demo: 2) toolchain: Verilog-A resistor -> openvaf-r -> OSDI -> ngspice (shared and -b)"
.venv/bin/python -m memcompact.spice
