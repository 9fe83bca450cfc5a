# CIT — two commands: `make run` (the app on SQLite with demo data) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PIP := $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: run test fuzz install install-test browser ical-js lint check worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade "pip>=24"

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) -e '.[test]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser ical-js

# ical.js (the parser of Thunderbird and Nextcloud) for the calendar tests, from the npm
# registry at the version locked in tests/ical_js; without node those tests are skipped.
ical-js:
	@if command -v npm >/dev/null 2>&1; then \
		[ -d tests/ical_js/node_modules/ical.js ] || \
		npm ci --prefix tests/ical_js --no-audit --no-fund --loglevel=error; \
	else echo "node/npm not found: the ical.js calendar tests will be skipped"; fi

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# The demo prints its e-mails and text messages to the console (refused in production).
run: export ALLOW_CONSOLE_BACKENDS ?= true
run: install
	$(BIN)/cit migrate --noinput -v0
	$(BIN)/cit collectstatic --noinput -v0
	@$(BIN)/cit demo --if-empty --show-log-ins
	@echo
	@echo "CIT is running at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@# The background worker (reminders, re-plans) runs beside gunicorn and stops with it. It
	@# rides out database outages itself; should it exit anyway, the loop starts it again.
	@( trap 'kill $$child 2>/dev/null; exit 0' INT TERM; \
	   while :; do \
	     $(BIN)/cit db_worker --queue-name '*' --interval 5 & child=$$!; wait $$child; \
	     echo "The background worker stopped (exit $$?); starting it again in 5 s."; sleep 5; \
	   done ) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn cit.wsgi:application --bind $(HOST):$(PORT) --workers 2 \
		--access-logfile - --error-logfile - --log-level warning \
		--access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss' 

LINTED := $(wildcard src tests bench)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: install-test lint
	$(BIN)/pytest -n 2 -q -p no:cacheprovider $(PYTEST_ARGS)

# The schemathesis run of the test suite with a larger budget (FUZZ_EXAMPLES examples per
# operation and role; FUZZ_SEED picks another fixed seed).
FUZZ_EXAMPLES ?= 200
FUZZ_SEED ?= 20261126
fuzz: install-test
	CIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) CIT_FUZZ_SEED=$(FUZZ_SEED) \
		$(BIN)/pytest -n 2 -q -p no:cacheprovider tests/api/test_openapi_fuzz.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache tests/ical_js/node_modules
