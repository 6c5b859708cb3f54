# Two commands for a fresh machine with Python 3.10+: `make demo` and `make test`.
# `make notebooks` re-runs notebooks/*.ipynb in place; `make test-browser` checks them in Chromium.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup setup-browser setup-docs demo test test-browser notebooks docs bench lint format clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,plots,data,notebooks]'
	touch $(STAMP)

# JupyterLab and Playwright, only for the browser check. Playwright drives Debian's Chromium
# (/usr/bin/chromium): never `playwright install`, which downloads browsers of its own.
BROWSER_STAMP := $(VENV)/.installed-browser
setup-browser: $(BROWSER_STAMP)

$(BROWSER_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,notebooks,browser]'
	touch $(BROWSER_STAMP)

demo: setup
	$(PY) examples/demo.py

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

# Needs Chromium (apt-get install chromium); screenshots go to test-artifacts/.
test-browser: setup-browser
	$(PY) -m pytest -m browser tests/browser

notebooks: setup
	$(PY) scripts/run_notebooks.py

# Not part of `make test`: installs the references (micrograd, PyTorch CPU, scikit-learn for
# the data sets) and times them against ours; writes benchmarks/RESULTS.md (~5 minutes).
bench: setup
	$(PY) -m pip install --quiet micrograd==0.1.0 torch==2.13.0 scikit-learn
	$(PY) benchmarks/run.py

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) demo-output .pytest_cache test-artifacts docs/_build docs/_generated docs/notebooks

# The documentation site (Sphinx, myst-nb, furo): docs/_build/html, built offline, warnings
# are errors. Runs every notebook (about a minute; cached by content under docs/_build).
DOCS_STAMP := $(VENV)/.installed-docs
setup-docs: $(DOCS_STAMP)

$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,plots,data,notebooks,docs]'
	touch $(DOCS_STAMP)

docs: setup-docs
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
