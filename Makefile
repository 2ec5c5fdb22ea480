# Two commands on a fresh Debian 12 machine, as root:
#   make run    set everything up (system packages, .venv, database, demo data) and serve the app
#   make test   the same set-up plus Chromium, then the whole test suite
# and `make bench` for the speed figures (bench/results.json); `make bench-city` adds those of a
# city of 4,000,000 people on the PostgreSQL at 127.0.0.1:5432 (its own database, citybench).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := .make
export FLASK_APP := wsgi

# Pango + HarfBuzz (with its subsetter, or a receipt PDF takes seconds) + a real CJK font;
# pg_dump/pg_restore for `flask backup`/`restore` on PostgreSQL.
APT_RUNTIME := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-noto-cjk \
               python3-venv ca-certificates postgresql-client
# Browser tests, QR decoding from rendered PDFs, PDF to text/image; Redis for the throttling tests
# against a shared store (tests/ops/test_throttle_live.py starts its own if none runs on 6379);
# nginx in front of two app nodes (tests/ops/test_two_nodes.py, bench/bench_nodes.py start their
# own, with a generated config, never the system's).
APT_TEST := chromium zbar-tools poppler-utils redis-server nginx

.PHONY: run test bench bench-city setup setup-test db serve demo-accounts clean

run: setup db
	@echo
	@echo "  两险征缴 is at http://$(HOST):$(PORT)/"
	@$(BIN)/flask demo-accounts
	@echo
	$(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

test: setup setup-test db
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup setup-test db
	$(BIN)/python -m bench

# Builds the city once (about 3.5 GB, tens of minutes on 2 shared cores), then reuses it;
# CITY_ARGS=--rebuild builds it anew. Not part of `make test`.
bench-city: setup setup-test
	$(BIN)/python -m bench.city $(CITY_ARGS)

setup: $(STAMP)/apt-runtime $(STAMP)/venv

setup-test: $(STAMP)/apt-test $(STAMP)/venv-dev $(STAMP)/npm-test

db: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty

$(STAMP)/apt-runtime: scripts/apt-install.sh
	scripts/apt-install.sh $(APT_RUNTIME)
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/apt-test: scripts/apt-install.sh
	scripts/apt-install.sh $(APT_TEST)
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/venv: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/venv-dev: requirements-dev.txt $(STAMP)/venv
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	@mkdir -p $(STAMP) && touch $@

# axe-core at the version and hash in tests/e2e/package-lock.json, nothing else.
$(STAMP)/npm-test: tests/e2e/package.json tests/e2e/package-lock.json $(STAMP)/apt-test
	@# Node's npm for the pinned browser-test tools in tests/e2e/package.json (axe-core): the
	@# machine's own Node.js (NodeSource's bundles npm, which conflicts with Debian's npm), else Debian's.
	command -v npm >/dev/null || scripts/apt-install.sh nodejs npm
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMP) && touch $@

clean:
	rm -rf $(VENV) $(STAMP) tests/e2e/node_modules
