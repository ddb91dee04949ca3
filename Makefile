# Kasane: `make demo` runs the map with sample data; `make test` runs every check.
# Both set everything up first (system packages when run as root, .venv, the database).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: demo test setup system lint serve bench-residents clean-db help bench-etl bench-server bench-transit bench-surge bench-filters bench-search bench-replicas bench-visit bundle i18n-extract i18n-compile i18n-check

help:
	@echo "make demo   - set up, load the demo data and serve http://127.0.0.1:8000"
	@echo "make test   - set up, lint, type-check and run the whole test suite"
	@echo "make bundle - an offline installation bundle in dist/kasane-bundle (docs/install.md)"
	@echo "make bench-etl | bench-server | bench-residents | bench-transit | bench-surge | bench-visit | bench-search | bench-replicas - benchmarks"

demo: setup
	$(BIN)/kasane demo

test: setup
	@scripts/setup-system.sh test
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

setup: system $(STAMP) $(NODE_STAMP)

system:
	@scripts/setup-system.sh demo

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m kasane.catalogues compile
	@touch $@

# Browser libraries (Leaflet and friends) from npm, served by Kasane under /vendor/.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# gettext catalogues (docs/languages.md): extract after changing page text, compile .po -> .mo
i18n-extract: setup
	$(BIN)/python -m kasane.catalogues extract

i18n-compile: setup
	$(BIN)/python -m kasane.catalogues compile

i18n-check: setup
	$(BIN)/python -m kasane.catalogues check

serve: setup
	$(BIN)/kasane serve

# Offline bundle for closed networks (wheels, npm cache, layer files, install.sh): docs/install.md
bundle: setup
	scripts/bundle.sh

bench-residents: setup
	@scripts/setup-system.sh bench
	$(BIN)/python bench/residents.py

# CQL2 filters on 200k synthetic shelters: parse, page of 100, z12 tile (docs/api.md).
bench-filters: setup
	$(BIN)/python bench/filters.py

bench-etl: setup
	$(BIN)/python bench/etl.py

# The tile/items mix against the primary alone, then with one hot standby (docs/scaling-out.md).
bench-replicas: setup
	$(BIN)/python bench/replicas.py
# Map server vs TiPg on the shared benchmark's synthetic layers (prints the results table).
bench-server: setup
	bench/server/run.sh

clean-db:
	-$(BIN)/kasane db down
	rm -rf .kasane

bench-transit: setup
	$(BIN)/python bench/transit.py

# 500 concurrent clients for 60 s: tiles, items and hazards-at on the demo data (loopback).
bench-surge: setup
	$(BIN)/python bench/surge.py

# Whole resident visits (page, assets, tiles, markers, hazards here, nearest shelter), 500 at
# once for 60 s: kasane serve vs the static edition under nginx (docs/disaster-day.md).
bench-visit: setup
	@scripts/setup-system.sh bench
	$(BIN)/python bench/visit.py

# Gazetteer import (300,000 blocks) and GET /api/search at 50 concurrent clients (15 s per gazetteer).
bench-search: setup
	$(BIN)/python bench/search.py
