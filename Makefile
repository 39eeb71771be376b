# Two commands for a new user: `make demo` and `make test`. Everything else builds on them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test check lint typecheck bench sample-data clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	# The sample runner's config: time zone, athlete profile, shoes.
	$(VENV)/bin/calfguard report --config sample_data/calfguard.toml sample_data/

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check analyzer tests bench
	$(VENV)/bin/ruff format --check analyzer tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

check: lint typecheck test

bench: $(STAMP)
	$(PY) bench/bench_readers.py

# Regenerates sample_data/ from the fixed seed; a test checks the committed files match.
sample-data: $(STAMP)
	$(PY) -m analyzer.samplegen sample_data

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
