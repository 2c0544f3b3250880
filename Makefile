# Jusha: `make run` brings the platform up on SQLite; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-pg e2e bench bench-quick install messages migrate demo screenshots clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q --upgrade pip
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

install: $(VENV)/.installed messages

messages: $(VENV)/.installed
	$(PY) -m jusha.core.compilemessages

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py createcachetable

demo: migrate
	DEBUG=1 JUSHA_DEMO=1 $(PY) manage.py load_demo

# Web server on http://127.0.0.1:$(PORT) and the task worker beside it, on SQLite unless
# DATABASE_URL names another database. Ctrl+C stops both.
# The worker's lines go to var/worker.log; the address banner is the last line printed
# before the server serves.
run: demo
	@mkdir -p var; DEBUG=1 JUSHA_DEMO=1 $(PY) manage.py jusha_worker >>var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 JUSHA_DEMO=1 $(PY) manage.py serve 127.0.0.1:$(PORT) --noreload \
	  --banner "Jusha: http://127.0.0.1:{port}  (demo log-ins in README.md; the worker logs to var/worker.log; Ctrl+C to stop)"

# The whole suite: unit, integration and browser journeys (these skip, saying why, when
# Debian's chromium is not installed; CI makes that a failure).
test: install
	$(PY) -m pytest

# Every public page in Simplified Chinese at 1280 px and 390 px, in var/screenshots/, against
# its own server (port SCREENSHOT_PORT, default 8765) on the demo data; Debian's chromium.
screenshots: demo
	DEBUG=1 JUSHA_DEMO=1 $(PY) tools/screenshots.py

bench: install
	$(PY) bench/run_all.py

bench-quick: install
	$(PY) bench/run_all.py --quick

clean:
	rm -rf $(VENV) var
