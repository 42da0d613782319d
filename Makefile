# One-command set-up for a fresh machine (Debian, Python 3.11). `make demo` and `make test` install what
# they need into ./.venv first; nothing is downloaded but Python packages (and Debian's chromium for the
# dashboard screenshot test, via `make system-deps`, which needs root).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test system-deps lint bench clean

$(BIN)/auditor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	@touch $(BIN)/auditor

setup: $(BIN)/auditor

demo: setup
	$(BIN)/auditor demo

test: setup lint
	$(BIN)/python -m pytest -q

system-deps:
	command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

lint: setup
	$(BIN)/ruff check auditor spiders checklist reports samplesite tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) audit-demo *.egg-info
