# Sextant: the commands a newcomer types. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUF := node_modules/.bin/buf
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install protos protos-check ts docs k8s buf-lint buf-breaking lint test up down demo bench clean

help: ## List every target with a one-line description
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml package.json clients/typescript/package.json clients/typescript/package-lock.json
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	npm install --no-audit --no-fund --silent
	cd clients/typescript && npm ci --no-audit --no-fund --silent
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with dev extras (and buf from npm)

protos: $(STAMP) ## Regenerate the Python stubs from protos/
	$(PY) tools/protogen.py

protos-check: $(STAMP) ## Fail when the committed stubs are stale
	$(PY) tools/protogen.py --check

ts: $(STAMP) ## Regenerate the TypeScript stubs (clients/typescript/src/gen) from protos/
	cd clients/typescript && ../../$(BUF) generate --template buf.gen.yaml

docs: $(STAMP) ## Regenerate the configuration reference and the per-service RPC pages (docs/services/)
	$(PY) tools/configref.py
	$(PY) tools/servicedocs.py

k8s: $(STAMP) ## Regenerate deploy/k8s manifests from the suite table
	$(PY) tools/k8sgen.py

buf-lint: $(STAMP) ## buf lint on protos/
	$(BUF) lint

buf-breaking: $(STAMP) ## buf breaking against the main branch
	@if git rev-parse --verify --quiet main >/dev/null && git cat-file -e main:buf.yaml 2>/dev/null; then \
		$(BUF) breaking --against '.git#branch=main'; \
	else echo "buf breaking: main has no contracts yet, nothing to compare"; fi

lint: $(STAMP) buf-lint ## ruff and buf lint
	$(VENV)/bin/ruff check services clients/python/sextant tests tools bench

test: $(STAMP) protos-check buf-lint buf-breaking ## Everything CI runs: contract checks, then the whole test suite
	$(VENV)/bin/pytest -q

up: $(STAMP) ## Start the six services locally (Ctrl-C stops them)
	$(VENV)/bin/sextant up

down: $(STAMP) ## Stop a stack started with `sextant up --detach`
	$(VENV)/bin/sextant down

demo: $(STAMP) ## Bring the stack up and run the lending demo
	$(VENV)/bin/sextant demo

bench: $(STAMP) ## Run every benchmark script under bench/
	@for script in bench/*_bench.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(PY) $$script || exit 1; done

clean: ## Remove the virtualenv, node_modules and local state
	rm -rf $(VENV) node_modules .sextant .pytest_cache
