# carestat: `make demo` and `make test` work on a fresh machine with only Python 3.11+.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint format bench parity calibrate clean docs rules

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/carestat demo --out demo-output

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

parity: $(STAMP)
	$(BIN)/python -m tools.parity.run
	$(BIN)/python -m tools.parity.faults

calibrate: $(STAMP)
	$(BIN)/python tools/calibrate.py --seeds 200
	$(BIN)/python tools/calibrate.py --seeds 200 --frailty 0.01 --first-seed 1000

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache

docs: $(STAMP)
	$(BIN)/python tools/gen_docs.py
	$(BIN)/python -m carestat.rules.docs

rules: $(STAMP)
	$(BIN)/python -m carestat.rules.compile
