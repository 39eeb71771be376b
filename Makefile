# Two commands for a new user: `make demo` and `make test`. Everything else builds on them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test check lint typecheck bench fuzz sample-data clean chromium docs-images

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	# The sample runner's config: time zone, athlete profile, shoes.
	$(VENV)/bin/calfguard report --config sample_data/calfguard.toml sample_data/

test: $(STAMP) chromium
	$(PY) -m pytest -q

# The HTML report's browser test needs Debian's chromium: installed here when missing and this
# is root; otherwise that test is skipped, with its reason.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing chromium for the HTML report's browser test"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
			|| echo "could not install chromium: the browser test will be skipped"; \
	else \
		echo "chromium is missing and this is not root: the browser test will be skipped" \
			"(sudo apt-get install chromium)"; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check analyzer tests bench
	$(VENV)/bin/ruff format --check analyzer tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

check: lint typecheck test

bench: $(STAMP)
	$(PY) bench/bench_readers.py
	$(PY) bench/bench_summary.py
	$(PY) bench/bench_html.py
	$(PY) bench/bench_batch.py $(BENCH_ARGS)
	$(PY) bench/bench_engines.py
	$(PY) bench/bench_team.py $(TEAM_BENCH_ARGS)

# The long fuzzing run (about 20 minutes on 2 cores); make test runs a bounded one.
fuzz: $(STAMP)
	CALFGUARD_FUZZ_MUTANTS=400 CALFGUARD_FUZZ_EXAMPLES=3000 $(PY) -m pytest -q tests/fuzz

# Regenerates sample_data/ and sample_data/team/ from their fixed seeds; tests check the
# committed files match.
sample-data: $(STAMP)
	$(PY) -m analyzer.samplegen sample_data
	$(PY) -m analyzer.samplegen team sample_data/team

# Regenerates the pictures in docs/report.md from sample_data/.
docs-images: $(STAMP) chromium
	$(PY) docs/img/render.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
