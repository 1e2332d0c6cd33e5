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

UV_VERSION ?= 0.13.8
UPGRADE ?=

.PHONY: venv lock test lint system-packages demo bench clean

venv: $(STAMP)

# Exactly what was tested: every package (the build tools too) at the version and with the
# hashes of requirements.lock, refused if a download differs; then the project itself, no deps.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --require-hashes --only-binary :all: -r requirements.lock
	$(PIP) install -q --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Re-resolve requirements.lock from pyproject.toml (+ tools/lock/build.in) for every platform:
# versions already locked are kept unless UPGRADE=1. Then `make test` and commit both files.
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml tools/lock/build.in --extra dev --extra demo \
		--universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" \
		$(if $(UPGRADE),--upgrade) -q -o requirements.lock

test: lint system-packages
	$(PY) -m pytest $(PYTEST_ARGS)

# Debian's programs the tests drive (chromium): installed as root, else an error saying how.
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
