# Two commands for a fresh machine: `make run` (the whole system, demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-stamp
export MOTCUA_DATA_DIR ?= $(CURDIR)/instance

.PHONY: run test lint bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[hardware,scan,catalog,test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/motcua init --demo
	MOTCUA_SIMULATED_HARDWARE=1 $(BIN)/motcua serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -rs

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance .pytest_cache
