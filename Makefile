# Volunteer Hub: the targets humans and CI both use.
# `make run` installs and serves the app on SQLite with demo data, with a jobs worker beside it
# printing every email (and its links) in the same terminal; `make test` runs every check.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
GOVUK := node_modules/govuk-frontend/dist/govuk
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run install install-dev assets db-upgrade seed serve test lint typecheck unit e2e chromium format clean

run: install assets db-upgrade seed serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/dist/app.css: node_modules/.package-lock.json static/src/app.scss
	mkdir -p static/dist/assets
	cp $(GOVUK)/govuk-frontend.min.js static/dist/govuk-frontend.min.js
	cp -R $(GOVUK)/assets/images static/dist/assets/
	npx --no-install sass --pkg-importer=node --style=compressed --no-source-map static/src/app.scss $@

assets: static/dist/app.css

db-upgrade: install
	mkdir -p instance
	$(FLASK) db upgrade

seed: install
	$(FLASK) demo seed

# Flask's own variables for `flask run`; the app's development settings read them too, so links
# in emails open http://$(HOST):$(PORT) (production uses BASE_URL instead).
db-upgrade seed serve: export FLASK_RUN_HOST = $(HOST)
db-upgrade seed serve: export FLASK_RUN_PORT = $(PORT)

# The jobs worker (emails, reminders, retention, quarterly reports) runs beside the server on the
# SQLite queue in instance/ and stops with it (Ctrl+C).
serve:
	@echo "Serving Volunteer Hub on http://$(HOST):$(PORT)"
	@echo "Emails are printed here (with their links) and listed at http://$(HOST):$(PORT)/admin/emails"
	@$(FLASK) jobs worker --exit-with-parent & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run

chromium:
	@test -x /usr/bin/chromium || (echo "Installing Debian's chromium for browser tests" && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null))

test: install-dev assets chromium lint typecheck unit

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@# No block of 6 or more lines repeated inside the package (issue 18).
	$(BIN)/pylint --disable=all --enable=duplicate-code --min-similarity-lines=6 --score=n volunteer_hub

typecheck: install-dev
	$(BIN)/mypy

unit: install-dev assets
	$(BIN)/pytest $(PYTEST_ARGS)

e2e: install-dev assets chromium
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules static/dist .pytest_cache .mypy_cache .ruff_cache
