#!/usr/bin/env bash
# `make demo`: the whole pipeline on the built-in Ag/SiO2 default into out/demo
# (memcompact demo: chain -> condense -> fit -> export -> crossbar -> figures).
# Extra arguments go to `memcompact demo`, e.g. `bash scripts/demo.sh --quick`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec .venv/bin/memcompact demo -o out/demo "$@"
