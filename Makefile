# `make setup` is idempotent: it (re)installs only when pyproject.toml changed since the last install.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Two pytest workers (pytest-xdist), a test file (or a group of files sharing a server: tests/conftest.py SHARED)
# per worker at a time, so each server starts once. Measured on two cores: 223 s on a clean clone, against 411 s
# serial (three workers: no faster, the suite is CPU-bound). PYTEST_WORKERS=0 runs it serially.
PYTEST_WORKERS ?= 2

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export NO_PROXY := localhost,127.0.0.1
export no_proxy := localhost,127.0.0.1

.PHONY: setup run test bench ingest clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null || { echo "$(PY) is required (set PY=/path/to/python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	test -x $(BIN)/assistant && test -x $(BIN)/chroma
	$(BIN)/python -m index.encoder
	touch $(STAMP)

run: setup
	$(BIN)/assistant ingest --if-missing
	$(BIN)/assistant serve

# pytest's exit 5 ("no tests collected") is a failure here, not a pass.
test: setup
	@$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

# The size curve needs Debian's `wrk` (apt-get install -y wrk); without it an asyncio/httpx client stands in.
# SIZES=1,8 for a quick curve.
SIZES ?= 1,8,30,100
bench: setup
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/encoders.py
	$(BIN)/python benchmarks/size_curve.py --sizes $(SIZES)

ingest: setup
	$(BIN)/assistant ingest

clean:
	rm -rf $(VENV) data .cache
