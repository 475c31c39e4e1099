# One command per task. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check fmt bench load venv demo clean

$(BIN)/python:
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
	$(BIN)/python manage.py setup_demo

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

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache
