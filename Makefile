# Reachable: everyday commands. `make run` starts the whole stack with demo data; `make test` is what CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Stamps: each step reruns only when what it was made from changes.
PYTHON_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
VENDOR := safeguarding/static/vendor
VENDOR_STAMP := $(VENDOR)/.copied
CHROMIUM ?= /usr/bin/chromium
# Extra arguments for pytest, e.g. make test PYTEST_ARGS="-k sign_in -x"
PYTEST_ARGS ?=
# pytest-xdist workers for the independent tests; the `process` and `browser` tests then run on their own.
PYTEST_WORKERS ?= 2

.PHONY: help venv install static run test lint fmt chromium bench-deadlines bench-referrals bench-panels bench-networks bench-chronology

help:
	@echo "make run      install, build static assets, migrate, load demo data, start web + worker + beat"
	@echo "make test     install, static, Chromium, then ruff, mypy and pytest (what CI runs)"
	@echo "make lint     ruff check, ruff format --check, mypy, import-linter's contracts"
	@echo "make fmt      ruff check --fix, ruff format"
	@echo "make install  create $(VENV) and install pinned Python packages (constraints.txt)"
	@echo "make static   npm ci, then copy front-end assets into $(VENDOR)/"
	@echo "make bench-deadlines  100,000 clocks, 10,000 falling due in a minute (docs/benchmarks.md)"
	@echo "make bench-referrals  referral API vs a bare endpoint at 32 clients, its p95 at 4; person search over 500,000 people"
	@echo "make bench-panels     the PDF meeting pack of a 20-item meeting (target under 5 s)"
	@echo "make bench-networks   network view and link_add over 500,000 people and 2,000,000 links (BENCH_QUICK=1: a tenth)"

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(PYTHON_STAMP)

# The project is not itself installed: pyproject.toml lists no packages, and `pip install .` would leave
# build/ and *.egg-info in the work tree. Its requirements are installed, pinned by constraints.txt.
$(PYTHON_STAMP): pyproject.toml constraints.txt safeguarding/devstack/requirements.py | $(BIN)/python
	$(BIN)/python safeguarding/devstack/requirements.py dev > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -r $(VENV)/requirements.txt
	touch $@

static: $(VENDOR_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENDOR_STAMP): $(NODE_STAMP) safeguarding/devstack/copy_static.sh
	bash safeguarding/devstack/copy_static.sh
	touch $@

run: install static
	$(BIN)/python -m safeguarding.devstack

# Browser tests drive Debian's Chromium through Playwright (Playwright's own browser download cannot be used).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
			&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation; }; then \
			echo "WARNING: could not install chromium (apt-get install chromium, as root)."; \
			echo "WARNING: the browser tests will fail until $(CHROMIUM) exists."; \
		fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	# The import contracts in pyproject.toml (the layers). The graph takes under a second, so no cache dir.
	$(BIN)/lint-imports --no-cache

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Two passes: independent tests on $(PYTEST_WORKERS) workers (each with its own test database and Redis
# database, see safeguarding/settings/test.py), then the tests that start worker processes or drive Chromium,
# one at a time, so their timing never competes with other tests. Exit status 5 is pytest's "no tests
# collected", which a PYTEST_ARGS filter may cause in either pass.
test: install static chromium lint
	DJANGO_SETTINGS_MODULE=safeguarding.settings.test $(BIN)/pytest -n $(PYTEST_WORKERS) \
		-m "not process and not browser" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	DJANGO_SETTINGS_MODULE=safeguarding.settings.test $(BIN)/pytest \
		-m "process or browser" $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Benchmarks print their figures, write them to docs/benchmarks.md, and end with one line of key=value.
bench-deadlines: install
	$(BIN)/python -m bench.deadlines

bench-referrals: install
	$(BIN)/python -m bench.referrals

bench-panels: install
	$(BIN)/python -m bench.panels

bench-networks: install
	$(BIN)/python -m bench.networks

bench-chronology: install
	$(BIN)/python -m bench.chronology
