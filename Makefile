# Two commands for a newcomer: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EPIGRID := $(BIN)/epigrid
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install migrate demo serve test test-browser lint types migrations-check bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("epigrid needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(EPIGRID) migrate --noinput
	$(EPIGRID) createcachetable

# Builds the Encheng scenario once (an existing database is kept) and serves it.
demo: migrate
	$(EPIGRID) scenario encheng --if-empty --accounts-json data/demo-accounts.json
	EPIGRID_SECURE_COOKIES=$${EPIGRID_SECURE_COOKIES:-0} $(EPIGRID) serve --host $(HOST) --port $(PORT)

serve: migrate
	$(EPIGRID) serve --host $(HOST) --port $(PORT)

# The whole suite on SQLite, or on PostgreSQL when EPIGRID_DATABASE_URL points there.
# Browser tests skip (with the reason) where no Chromium is installed.
test: install
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: install
	$(BIN)/mypy epigrid

migrations-check: install
	$(EPIGRID) makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
