# The two commands a fresh clone needs: `make preview` and `make test`. Each bootstraps venv/ from the
# pinned requirements on first use.
PYTHON ?= python3
VENV := venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REQUIREMENTS := requirements.txt requirements-dev.txt constraints.txt $(wildcard policies/*/requirements.txt)

STACK ?= dev
OUT ?=
SARIF ?=
POLICY_CONFIG ?=
FILE ?=
FIRST ?=
OUTPUTS ?=
CONFIG ?=
MY_IP ?=
JSON ?=
PROBE ?=
MODULE ?=
MUTATE_CHILDREN ?= 1
ALL_TESTS ?=
SAMPLE ?=

REPORT_ARGS = $(if $(OUT),--out $(OUT)) $(if $(SARIF),--sarif $(SARIF)) $(if $(POLICY_CONFIG),--policy-config $(POLICY_CONFIG))

.PHONY: help venv test lint typecheck unit preview audit bench cloud-coverage doctor mutate clean

help:
	@echo "make preview [STACK=dev|prod] [OUT=report.json] [SARIF=report.sarif] [POLICY_CONFIG=file.json] [FIRST=1]"
	@echo "make audit FILE=<stack export or preview --json> [OUT=...] [SARIF=...] [POLICY_CONFIG=...]"
	@echo "make test      lint, type check and the whole test suite"
	@echo "make doctor [STACK=dev|prod] [OUTPUTS=outputs.json] [CONFIG=config.json] [MY_IP=203.0.113.7] [JSON=report.json] [PROBE=1]"
	@echo "make bench     preview wall time, pack evaluation rate, test-suite time"
	@echo "make cloud-coverage   regenerate docs/cloud-rules.md (cloud rules per property the program sets)"
	@echo "make mutate [MODULE=ingress] [MUTATE_CHILDREN=1] [SAMPLE=0.25]  mutation testing (slow; weekly workflow, not make test)"

$(STAMP): $(REQUIREMENTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy __main__.py components offline policies/guardrails ops

unit: $(STAMP)
	$(PY) -m pytest

test: lint typecheck unit

preview: $(STAMP)
	$(PY) -m offline preview --stack $(STACK) $(REPORT_ARGS) $(if $(FIRST),--first-preview)

audit: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make audit FILE=<stack export or preview --json>"; exit 2; }
	$(PY) -m offline audit $(FILE) $(REPORT_ARGS)

# Read-only checks of the deployed stack in the lab's debugging order (AWS credentials from the standard chain).
doctor: $(STAMP)
	@$(PY) -m ops doctor --stack $(STACK) $(if $(OUTPUTS),--outputs $(OUTPUTS)) $(if $(CONFIG),--config $(CONFIG)) \
		$(if $(MY_IP),--my-ip $(MY_IP)) $(if $(JSON),--json $(JSON)) $(if $(PROBE),--probe)

bench: $(STAMP)
	$(PY) -m offline bench

mutate: $(STAMP)
	$(PY) tools/mutate.py --max-children $(MUTATE_CHILDREN) $(if $(ALL_TESTS),--all-tests) $(if $(SAMPLE),--sample $(SAMPLE)) $(MODULE)

# Regenerate the cloud-rules coverage table after adding a rule or a property.
cloud-coverage: $(STAMP)
	$(PY) -m offline cloud-coverage > docs/cloud-rules.md.tmp && mv docs/cloud-rules.md.tmp docs/cloud-rules.md

clean:
	rm -rf build mutants .mypy_cache .ruff_cache .pytest_cache
