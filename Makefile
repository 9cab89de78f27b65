# Compute Deals: `make help` lists the targets. README.md says which two you need.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
BUYER ?=
PARAMS ?=
SINCE ?=
BASE_URL ?=
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: help venv book pdf outputs lab test bench chromium clean

help:  ## list the targets
	@awk -F ':.*## ' '/^[a-z-]+:.*## / {printf "  make %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(VENV)/.installed  ## create .venv and install the pinned requirements.txt into it

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq pip==26.3 && $(BIN)/python -m pip install -qq -r requirements.txt
	$(BIN)/python -m pip install -qq --no-deps --no-build-isolation -e .
	touch $@

book: venv  ## validate DATA (default data/), run the notebooks with papermill, build _build/html
	$(BIN)/python -m compute_deals build --data "$(DATA)" $(if $(BUYER),--buyer "$(BUYER)") $(if $(PARAMS),--params "$(PARAMS)") $(if $(SINCE),--since "$(SINCE)") $(if $(BASE_URL),--base-url "$(BASE_URL)")

pdf: book chromium  ## print the book into one PDF (_build/compute-deals.pdf): contents, page numbers, charts as drawn
	$(BIN)/python -m compute_deals pdf

outputs: venv  ## re-run notebooks/*.ipynb with default parameters and store the outputs nbval checks
	$(BIN)/python -m compute_deals refresh-outputs

lab: venv  ## open JupyterLab on notebooks/ (loopback; prints the address): edit a parameters cell, run all
	$(BIN)/python -m compute_deals lab

test: venv chromium  ## build the book, then pytest: package tests, strict nbval, browser test
	$(BIN)/python -m compute_deals test

bench: venv  ## time cold, no-op, one-row and 10,000-deal builds (medians); writes _build/bench.json
	$(BIN)/python -m compute_deals.build.bench

chromium:  ## install Debian's chromium for the browser test, if it is missing
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

clean:  ## remove _build (the .venv stays)
	rm -rf _build
