# What people do with cardgen, by name. Every target installs what it needs first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: setup generate ingest check lint typecheck test test-catalog-change test-wheel fuzz bench clean

setup: $(STAMP)

# A venv without an .installed-* stamp is half-built (an install failed or was interrupted): it is
# removed and built again, never reused. A failed install removes its stamps, so the next run rebuilds.
$(STAMP): pyproject.toml
	@if ! ls $(VENV)/.installed-* >/dev/null 2>&1; then \
	  $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	    echo "make: cardgen needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) -V 2>&1 || echo missing) (try: make PYTHON=python3.11)" >&2; \
	    exit 1; }; \
	  rm -rf $(VENV); \
	  echo "make: creating $(VENV) with $$($(PYTHON) -V) and installing cardgen and its pinned toolchain (about a minute, first run only)"; \
	  $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
	else \
	  echo "make: pyproject.toml changed; updating $(VENV)"; \
	fi
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' || { \
	  rm -rf $(VENV); echo "make: installing into $(VENV) failed; removed it (the next run starts again)" >&2; exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $@
	@echo "make: $(VENV) is ready"

ingest: setup
	$(BIN)/cardgen ingest

generate: setup
	$(BIN)/cardgen build

check: setup
	$(BIN)/cardgen ingest --check --strict
	$(BIN)/cardgen generate --check

lint: setup
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	cd generated && ../$(BIN)/ruff check --no-cache --config ruff.toml . && ../$(BIN)/ruff format --check --no-cache --config ruff.toml .

# cardgen itself (mypy, pyproject's strict config); generated/modelsdk with mypy --strict and with pyright strict
# (tests/pyright-generated.json: its paths are relative to that file); the generated tests with mypy --strict.
typecheck: setup
	$(BIN)/mypy
	cd generated && ../$(BIN)/mypy --strict --config-file /dev/null --cache-dir ../.mypy_cache modelsdk
	$(BIN)/pyright -p tests/pyright-generated.json --pythonpath $(BIN)/python
	cd generated/tests && ../../$(BIN)/mypy --strict --config-file /dev/null --cache-dir ../../.mypy_cache \
		--ignore-missing-imports --follow-imports=silent .

# cardgen's own suite in PYTEST_WORKERS processes (pytest-xdist; auto: one per core), each test file
# on one worker so its module fixtures are built once, handed out in collection order (the long files
# first: tests/conftest.py); `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= auto
PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder
test: setup
	$(BIN)/pytest $(PARALLEL) $(PYTEST_ARGS)
	$(BIN)/cardgen conform -n $(PYTEST_WORKERS) --backend local
	$(BIN)/cardgen conform -n $(PYTEST_WORKERS) --backend recorded

# cardgen's tests must not depend on the committed catalog: in a clone of HEAD, add a document,
# change one and remove one, regenerate, then run the tests and conform there (4 to 10 min).
test-catalog-change: setup
	$(BIN)/python -m tests.catalog_change_check -- $(PARALLEL)

# cardgen installed from its wheel, outside any checkout: build the wheel in a temporary copy, install it
# with the `conform` extra into a fresh venv, ingest -> record -> generate -> conform in an empty folder.
test-wheel: setup
	$(BIN)/python -m tests.wheel_check

# A long fuzz campaign over every seed and fixture document, with a fresh random seed each run
# (make test runs a seeded 200-case one). FUZZ_EXAMPLES sets its length.
FUZZ_EXAMPLES ?= 5000
fuzz: setup
	CARDGEN_FUZZ_LONG=1 CARDGEN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/ingest/test_fuzz_documents.py -q

# Issue #16's figures on synthetic catalogs of BENCH_SIZES models built from the fixtures (about 15 min
# for all three, conformance included); conformance of catalogs over 500 models only with BENCH_CONFORM_ALL=1.
BENCH_SIZES ?= 50 200 500
BENCH_CONFORM_ALL ?= 0
bench: setup
	BENCH_SIZES="$(BENCH_SIZES)" BENCH_CONFORM_ALL="$(BENCH_CONFORM_ALL)" $(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
