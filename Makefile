# Two commands matter: `make reports` and `make test`. Both create the project
# environment (.venv) on first use and rebuild it only when requirements.lock changes.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# src/ is imported from the repository root, whatever the working directory.
export PYTHONPATH := $(CURDIR)
export PYTHONHASHSEED := 0
export SOURCE_DATE_EPOCH := 1500000000

.PHONY: help env env-sync cluster-env cluster-sync reports plan unlock test test-fast soak browser lint lab scratch bench run diff manifest standin lock clean distclean

help:
	@echo "make reports   build every report into reports/ (creates .venv on first use)"
	@echo "make test      run every test (unit, pipeline, browser)"
	@echo "make plan      what make reports would run, and why (runs nothing)"
	@echo "make run NB=<name> PARAMS=<file.yml>   one notebook with other parameters, into build/adhoc/"
	@echo "make lab       JupyterLab on 127.0.0.1 with the project kernel (EDIT=1 to save pipeline notebooks)"
	@echo "make scratch NB=<name>   your own copy of a pipeline notebook in notebooks/scratch/"
	@echo "make lint      ruff, notebook pairing and output checks"
	@echo "make soak      JupyterLab: a minute of typing through the 20 s autosave (CI runs it)"
	@echo "make bench     benchmarks -> benchmarks/results/"
	@echo "make diff BASE=<ref>   which published values moved since a release (build/diff/changes.csv)"
	@echo "make manifest  re-record data/raw checksums after a deliberate raw-data change"
	@echo "make standin   regenerate the labelled stand-in FOIA file (seeded)"
	@echo "make clean     remove build outputs (keeps .venv)"

env: $(STAMP)

# The stamp holds the lock's checksum: a `touch` (or a checkout that only changes file times)
# does not re-sync the environment; a changed lock does.
LOCK_SUM = $$(sha256sum < requirements.lock)
$(STAMP): requirements.lock
	@if [ -f $@ ] && [ "$(LOCK_SUM)" = "$$(cat $@)" ]; then touch $@; else $(MAKE) env-sync; fi

env-sync:
	@test -x $(PY) || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@$(PY) -m pip install -q --disable-pip-version-check "$$(grep "^uv==" requirements.lock)" 2>&1 | { grep -v "is ignored: it is neither" || true; }
	@echo "installing requirements.lock into $(VENV)"
	@# bytecode compiled now: each report's process and kernel import pandas and matplotlib, and
	@# compiling them on every import (PYTHONDONTWRITEBYTECODE) would cost seconds per process
	@$(VENV)/bin/uv pip sync -q --compile-bytecode --python $(PY) requirements.lock
	@echo "$(CURDIR)" > "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/stca_repo.pth"
	@$(PY) -m ipykernel install --sys-prefix --name stca-foia --display-name "Python (stca-foia)" >/dev/null
	@echo "$(LOCK_SUM)" > $(STAMP)

# The SLURM executor plugin (profiles/slurm), beside the environment rather than in it: see
# pyproject.toml's `cluster` extra. Cluster runs and the test that dry-runs profiles/slurm put
# it on PYTHONPATH.
CLUSTER := $(VENV)/cluster
cluster-env: $(CLUSTER)/.installed
CLUSTER_PINS = $$($(PY) -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["cluster"]))')
$(CLUSTER)/.installed: pyproject.toml $(STAMP)
	@if [ -f $@ ] && [ "$(CLUSTER_PINS)" = "$$(cat $@)" ]; then touch $@; else $(MAKE) cluster-sync; fi

cluster-sync:
	@echo "installing the SLURM executor plugin into $(CLUSTER)"
	@$(VENV)/bin/uv pip install -q --target $(CLUSTER) --no-deps --python $(PY) $(CLUSTER_PINS)
	@echo "$(CLUSTER_PINS)" > $(CLUSTER)/.installed

lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11 --universal --no-header -q

# Snakemake runs the pipeline (Snakefile, from pipeline.yml) with profiles/local: up to JOBS
# notebooks at once, each report re-run only when something it is built from changed. Snakemake
# locks the checkout, so a second `make reports` here stops with a message instead of running
# every notebook twice. `make plan` says what would run and why, running nothing.
SNAKEMAKE = $(VENV)/bin/snakemake --profile profiles/local --cores $(JOBS)
LOCK_HINT = echo "make reports: another build may be running in $(CURDIR) (Snakemake holds .snakemake/locks/); wait for it, or run 'make unlock' if none is running" >&2

reports: $(STAMP)
	@$(SNAKEMAKE) || { rc=$$?; if ls .snakemake/locks/*.lock >/dev/null 2>&1; then $(LOCK_HINT); fi; exit $$rc; }

plan: $(STAMP)
	@$(SNAKEMAKE) --dry-run --quiet host

unlock: $(STAMP)
	$(SNAKEMAKE) --unlock

# One notebook with other parameters, written only under build/adhoc/<name>-<time>/ (OUT= to
# choose the folder there); reports/ and data/processed/ are never written, so a build in
# progress is not disturbed.
run: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make run NB=<pipeline name or notebook path> [PARAMS=file.yml] [OUT=build/adhoc/<folder>]"; exit 2; }
	$(PY) -m src.run adhoc "$(NB)" $(if $(PARAMS),--params-file "$(PARAMS)") $(if $(OUT),--out "$(OUT)")

test: $(STAMP) $(CLUSTER)/.installed browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The browser tests drive a system Chromium (never a downloaded one): Debian's package, installed
# here when missing and we are root with apt-get, or any Chromium/Chrome named by CHROMIUM_PATH.
browser:
	@if [ -n "$${CHROMIUM_PATH:-}" ] && [ -x "$${CHROMIUM_PATH}" ]; then exit 0; fi; \
	if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; \
	else \
	  echo "make test needs Chromium for the browser tests: sudo apt-get install chromium (or set CHROMIUM_PATH)"; exit 1; \
	fi

# The JupyterLab soak: the analyst's browser test typing into a pipeline notebook for 60 s
# through the project's own 20 s autosave (make test types 10 s through a 2 s autosave). CI runs
# it after make test.
soak: $(STAMP) browser
	STCA_LAB_TYPING_SECONDS=60 STCA_LAB_AUTOSAVE_SECONDS=20 \
	  $(PY) -m pytest tests/test_lab.py -k test_an_analyst_runs_start_here $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

lint: $(STAMP)
	@# the pipeline's notebooks only: a launcher or Duplicate notebook in notebooks/ is an analyst's
	$(VENV)/bin/ruff check src tests benchmarks jupyter $$($(PY) -m src.notebooks files)
	$(VENV)/bin/ruff format --check src tests benchmarks jupyter
	$(PY) -m src.notebooks check

# JupyterLab on 127.0.0.1 only, token authentication on (the URL with the token is printed). The
# project's settings (jupyter/jupyter_server_config.py: opened at notebooks/, project kernel only,
# pipeline notebooks read-mostly, no terminals, idle kernels culled) are linked into .venv, so any
# `jupyter lab` from the environment uses them. EDIT=1 saves changes to pipeline notebooks;
# TERMINALS=1 turns terminals on.
LAB_PORT ?= 8888
LAB_CONFIG := $(VENV)/etc/jupyter/jupyter_server_config.py
$(LAB_CONFIG): $(STAMP)
	@mkdir -p $(dir $@)
	@ln -sfn "$(CURDIR)/jupyter/jupyter_server_config.py" $@

lab: $(STAMP) $(LAB_CONFIG)
	STCA_ROOT="$(CURDIR)" STCA_LAB_EDIT=$(if $(filter 1,$(EDIT)),1,0) STCA_LAB_TERMINALS=$(if $(filter 1,$(TERMINALS)),1,0) \
	  STCA_PUBLISHED_UNCHANGED=1 \
	  $(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

# Which published values moved since BASE (a release tag, branch or commit): BASE is built in a
# throwaway worktree under build/diff/, then every CSV is compared by its primary key (daff).
diff: $(STAMP)
	@test -n "$(BASE)" || { echo "usage: make diff BASE=<git ref, e.g. v0.1.0>"; exit 2; }
	@test -f reports/data/datapackage.json || $(MAKE) reports
	$(PY) -m src.diff "$(BASE)"

scratch: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make scratch NB=<pipeline name or notebook, e.g. start_here>"; exit 2; }
	@$(PY) -m src.lab scratch "$(NB)"

bench: $(STAMP)
	$(PY) -m benchmarks.run $(BENCH_ARGS)

manifest: $(STAMP)
	$(PY) -m src.helpers write-manifest

standin: $(STAMP)
	$(PY) -m src.standin

clean:
	rm -rf build reports/*.html reports/figures reports/data data/processed/* .snakemake

distclean: clean
	rm -rf $(VENV)
