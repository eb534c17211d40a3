# Two commands for a fresh machine: `make run` and `make test`. Both set everything up.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test setup bytecode bench bench-server docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test,spark]"
	@touch $(STAMP)

# Compiled bytecode for the editable checkout, as pip writes for an installed wheel: with
# PYTHONDONTWRITEBYTECODE set (as on CI), every process would otherwise recompile every
# module it imports (~0.1 s of a cold `clearance check`). Only changed files are recompiled.
bytecode: $(STAMP)
	@$(PY) -m compileall -q src/clearance

# The main job, offline, on bundled real data (data/).
run: bytecode
	HF_HUB_OFFLINE=1 PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash scripts/demo.sh

# System packages the server tests use (Debian chromium, postgresql): installed when missing,
# never fatal (those tests then skip with a visible reason).
test: bytecode
	@bash scripts/system_deps.sh
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q -n 2 -p no:cacheprovider

# The Hub report docs/hub-analytics.md shows (charts and page): generated, not committed.
docs: bytecode
	HF_HUB_OFFLINE=1 $(VENV)/bin/clearance hub report data/hub-2025-sample.jsonl --out docs/hub-report \
		--leaderboard ../shared/data/open-llm-leaderboard-2025-02.csv

bench: bytecode
	HF_HUB_OFFLINE=1 $(PY) bench/bench_graph.py

bench-server: bytecode
	HF_HUB_OFFLINE=1 $(PY) bench/bench_server.py --workers 2

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .hypothesis
