# Everything runs inside .venv, made with the Python that .python-version names (3.12 or newer).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
WANT := $(shell cat .python-version 2>/dev/null || echo 3.12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test worker beat lint migrations-check migrate seed install clean

help:
	@echo "make run     set up .venv, migrate, load the demo and serve on http://$(HOST):$(PORT)"
	@echo "make test    run the whole test suite"
	@echo "make worker  Celery worker (needs REDIS_URL)"
	@echo "make beat    Celery beat scheduler (needs REDIS_URL)"
	@echo "make lint    ruff (style) and a check that no model change lacks its migration"

# Finds a Python >= 3.12: the exact version .python-version names first (python3.12, pyenv,
# uv), then any newer python3.x on PATH.
$(VENV)/bin/python:
	@set -e; found=""; \
	for cand in "python$(WANT)" "$$HOME/.pyenv/versions/$(WANT)/bin/python" $$(ls -d $$HOME/.pyenv/versions/$(WANT).*/bin/python 2>/dev/null | sort -rV) \
	            "$$(command -v pyenv >/dev/null && PYENV_VERSION=$$(pyenv versions --bare | grep -E '^$(WANT)(\.|$$)' | sort -rV | head -1) pyenv which python 2>/dev/null)" \
	            "$$(command -v uv >/dev/null && uv python find $(WANT) 2>/dev/null)" \
	            python3.13 python3.14 python3; do \
	  [ -n "$$cand" ] || continue; \
	  if command -v "$$cand" >/dev/null 2>&1 && "$$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then found="$$cand"; break; fi; \
	done; \
	if [ -z "$$found" ]; then \
	  echo "No Python 3.12 or newer found. Install Python $(WANT) (e.g. 'pyenv install $(WANT)' or 'uv python install $(WANT)') and run make again." >&2; exit 1; \
	fi; \
	echo "Creating $(VENV) with $$found ($$("$$found" --version))"; \
	"$$found" -m venv $(VENV)

$(VENV)/.installed: $(VENV)/bin/python requirements.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

run: seed
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/ - sign in with one of the demo logins above. Ctrl-C stops."
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest

worker: install
	@[ -n "$$REDIS_URL" ] || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run a worker." >&2; exit 1; }
	$(VENV)/bin/celery -A pmf worker --loglevel=INFO

beat: install
	@[ -n "$$REDIS_URL" ] || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run beat." >&2; exit 1; }
	$(VENV)/bin/celery -A pmf beat --loglevel=INFO --schedule=$${CELERY_BEAT_FILE:-celerybeat-schedule}

lint: install migrations-check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
