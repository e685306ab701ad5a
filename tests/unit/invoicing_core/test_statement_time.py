"""statement_time: the SQL time of a request, for the request log and the benchmarks."""

from pathlib import Path

import anyio
from anyio import to_thread
from sqlalchemy import Engine, text

from invoicing_core.persistence import make_engine, statement_time

# A statement that takes measurable time on any machine.
COUNT_TO = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
    "SELECT count(*) FROM n"
)


def _count(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(COUNT_TO).scalar() == 200000


def test_statements_in_the_context_and_its_worker_threads_are_counted(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'timed.db'}")
    _count(engine)  # nothing measures: no error, nothing kept

    with statement_time() as spent:
        assert spent() == 0
        _count(engine)
        in_this_thread = spent()
        assert in_this_thread > 0
        # Sync endpoints run in a worker thread, which gets a copy of the request's context.
        anyio.run(to_thread.run_sync, _count, engine)
        after_the_thread = spent()
        assert after_the_thread > in_this_thread

    _count(engine)
    assert spent() == after_the_thread
