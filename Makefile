# memcompact: `make test` and `make demo` do all set-up first (scripts/setup.sh:
# ngspice >= 42 with OSDI via apt when missing, .venv with pip install -e
# '.[dev,va]' when pyproject.toml changed); both steps are skipped when done.

PY     := .venv/bin/python
PYTEST := $(PY) -m pytest
# Tests run in one pytest-xdist worker per core, one test file per worker at a time
# (module fixtures are built once); XDIST= runs them in one process.
XDIST  ?= -n auto --dist loadfile

.PHONY: help setup test test-quick demo toolchain clean

help:
	@echo "make test        set up, then run the whole test suite (all markers)"
	@echo "make test-quick  set up, then run the tests not marked slow"
	@echo "make demo        set up, then run the demo pipeline into out/demo"
	@echo "make toolchain   set up, then check Verilog-A -> OSDI -> ngspice"
	@echo "make setup       only the set-up (idempotent)"

setup:
	@bash scripts/setup.sh

# pytest's exit 5 means it collected no test: reported and failed, never a pass.
test: setup
	@$(PYTEST) $(XDIST) $(PYTEST_ARGS) || { rc=$$?; [ $$rc -ne 5 ] || echo "make: pytest ran no test (exit 5)" >&2; exit $$rc; }

test-quick: setup
	@$(PYTEST) $(XDIST) -m "not slow" $(PYTEST_ARGS) || { rc=$$?; [ $$rc -ne 5 ] || echo "make: pytest ran no test (exit 5)" >&2; exit $$rc; }

demo: setup
	@bash scripts/demo.sh

toolchain: setup
	@$(PY) -m memcompact.spice

clean:
	rm -rf out .pytest_cache
