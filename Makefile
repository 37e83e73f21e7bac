# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: run test lint venv bench bench-full bench-peers screenshots wheel-check clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(PY) main.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

wheel-check: $(STAMP)
	PYTHON=$(PY) tests/wheel/check.sh

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

bench-full: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench --full

# Annotator against Label Studio 1.23 side by side (installs it into ~/.cache/annotator-bench
# once; ~20 minutes; not in CI). BENCH_PEERS_ARGS=--quick: 1,000 documents, one run.
bench-peers: $(STAMP)
	$(PY) -m bench.peers $(BENCH_PEERS_ARGS)

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshots docs/screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
