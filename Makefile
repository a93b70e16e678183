PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test serve soak bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11+ is needed: set PYTHON=/path/to/python3" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/chatarchive run archive.db --schedules schedules/ --recaps recaps/ --once
	@echo
	@echo "Recaps written under recaps/:"
	@find recaps -name '*.md' | sort | sed 's/^/  /'
	@echo "Archive: archive.db  (list chats: $(BIN)/chatarchive chats archive.db)"
	@echo "Browse it in Datasette: make serve  (then open http://127.0.0.1:8001/)"

serve: $(STAMP)
	@test -f archive.db || $(MAKE) demo
	$(BIN)/chatarchive serve archive.db

test: $(TEST_STAMP)
	$(BIN)/ruff check src tests fixtures $(wildcard benchmarks)
	$(BIN)/mypy
	$(BIN)/pytest -q -m "not slow"

soak: $(TEST_STAMP)
	$(BIN)/pytest -q -m slow

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) archive.db archive.db-wal archive.db-shm recaps
