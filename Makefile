# gaibu — every target installs what it needs on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# third-party-web (MIT) gives suggestions for unknown domains; fetched from the npm registry.
TPW_VERSION ?= 0.30.0
TPW_FILE := registry/data/third-party-web/entities.json
# axe-core (MPL-2.0) checks the accessibility of the console and the public pages in the tests.
AXE_VERSION ?= 4.14.1
AXE_FILE := .tools/axe-core/axe.min.js

.PHONY: setup chromium venv third-party-web axe-core demo test test-fast bench lint postgres clean

setup: chromium venv third-party-web axe-core

chromium:
	@if [ -n "$$GAIBU_CHROMIUM" ] && [ -x "$$GAIBU_CHROMIUM" ]; then exit 0; fi; \
	if command -v chromium >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromium ]; then exit 0; fi; \
	echo "Installing Debian's chromium (apt-get)…"; \
	$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,dev]'
	@touch $@

third-party-web: $(TPW_FILE)

$(TPW_FILE):
	@mkdir -p $(dir $@)
	@set -e; tmp=$$(mktemp -d); \
	url=$$(npm view third-party-web@$(TPW_VERSION) dist.tarball 2>/dev/null || echo https://registry.npmjs.org/third-party-web/-/third-party-web-$(TPW_VERSION).tgz); \
	echo "Fetching third-party-web $(TPW_VERSION) from the npm registry…"; \
	curl -fsSL "$$url" -o $$tmp/tpw.tgz; \
	tar -xzf $$tmp/tpw.tgz -C $$tmp package/dist/entities.json package/LICENSE 2>/dev/null || tar -xzf $$tmp/tpw.tgz -C $$tmp; \
	cp $$tmp/package/dist/entities.json $@; \
	cp $$tmp/package/LICENSE $(dir $@)LICENSE 2>/dev/null || true; \
	echo "$(TPW_VERSION)" > $(dir $@)VERSION; rm -rf $$tmp

axe-core: $(AXE_FILE)

$(AXE_FILE):
	@mkdir -p $(dir $@)
	@set -e; tmp=$$(mktemp -d); \
	url=$$(npm view axe-core@$(AXE_VERSION) dist.tarball 2>/dev/null || echo https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz); \
	echo "Fetching axe-core $(AXE_VERSION) from the npm registry…"; \
	curl -fsSL "$$url" -o $$tmp/axe.tgz; \
	tar -xzf $$tmp/axe.tgz -C $$tmp package/axe.min.js package/LICENSE; \
	cp $$tmp/package/LICENSE $(dir $@)LICENSE; cp $$tmp/package/axe.min.js $@; \
	echo "$(AXE_VERSION)" > $(dir $@)VERSION; rm -rf $$tmp

demo: setup
	$(PY) -m gaibu.demo

# The suite runs against SQLite and, for the tests marked postgres, a local PostgreSQL server.
test: setup
	url=$$(bash scripts/test-postgres.sh) && GAIBU_TEST_POSTGRES_URL="$$url" $(PY) -m pytest -q

test-fast: venv
	$(PY) -m pytest -q -m "not browser"

bench: setup
	$(PY) bench/crawl.py
	$(PY) bench/match.py
	$(PY) bench/har_memory.py
	url=$$(bash scripts/test-postgres.sh) && $(PY) bench/console.py --postgres "$$url"

postgres:
	@bash scripts/test-postgres.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy scanner registry gaibu site_generator

clean:
	rm -rf $(VENV) demo-out .pytest_cache
