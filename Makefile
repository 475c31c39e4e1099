# One command per task. `make run` and `make test` work on a fresh machine.
# The interpreter for .venv: the first of python3.13, python3.12, python3.11 on PATH
# that runs and is 3.11 to 3.13 (pyproject's requires-python); `make PYTHON=/path/to/python` overrides.
PYTHON_IN_RANGE := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for py in python3.13 python3.12 python3.11; do \
	$$py -c '$(PYTHON_IN_RANGE)' >/dev/null 2>&1 && { echo $$py; break; }; done)
endif
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check fmt bench load faults venv demo clean

$(BIN)/python:
ifeq ($(PYTHON),)
	@echo "No Python 3.11 to 3.13 on PATH (tried python3.13, python3.12, python3.11):" \
		"install one, or name it: make PYTHON=/path/to/python3.12" >&2; exit 1
endif
	@$(PYTHON) -c '$(PYTHON_IN_RANGE)' >/dev/null 2>&1 || { \
		echo "PYTHON=$(PYTHON) is not a Python 3.11 to 3.13 that runs: name another, or leave PYTHON unset" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file changes.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py setup_demo --address $(HOST):$(PORT)

run: demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# lint-imports: the apps' ladder and the pure costing modules (contracts in pyproject.toml).
check: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmark (python -m bench, outside the apps): one JSON line on stdout; BENCH_ARGS="--tiny" proves it runs.
bench: venv
	@$(BIN)/python -m bench $(BENCH_ARGS)

# Load test: gunicorn + PostgreSQL (DATABASE_URL) on loopback, locust headless.
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
load: venv
	$(BIN)/python -m loadtest.run --users $(LOAD_USERS) --seconds $(LOAD_SECONDS)

# Fault injection (python -m faults): its own PostgreSQL cluster (PG_BIN, default PostgreSQL 15's),
# two Redis servers, gunicorn and a Celery worker on spare loopback ports; each part failed in turn.
faults: venv
	$(BIN)/python -m faults

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache
