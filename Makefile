PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
DEMO_DIR ?= var/demo
HUB_PORT ?= 8443
NODE_PORT ?= 8601
QUICK ?=

.PHONY: venv test lint system-packages demo bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev,demo]'
	@touch $(STAMP)

test: lint system-packages
	$(PY) -m pytest $(PYTEST_ARGS)

# Debian's programs the tests drive (chromium, PostgreSQL, HAProxy): installed as root, else an
# error saying how.
system-packages:
	@tools/system-packages

# The house rules a tool can keep: the layers (import-linter contracts), the style and the
# likely bugs (ruff), the types of sync/ and shared/ (mypy); their settings are in pyproject.toml.
lint: $(STAMP)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

demo: $(STAMP)
	$(VENV)/bin/fieldsync demo --dir $(DEMO_DIR) --hub-port $(HUB_PORT) --node-port $(NODE_PORT)

# Every bench/*.py (not _*), one table in bench/RESULTS.md; QUICK=1 for CI-sized runs.
bench: $(STAMP)
	$(PY) bench/_report.py $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
