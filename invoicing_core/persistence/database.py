"""Database engines: SQLite in WAL mode by default, PostgreSQL by URL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

# The statement time of the current request, when something measures it (statement_time).
_statement_seconds: ContextVar[list[float] | None] = ContextVar("statement_seconds", default=None)


def make_engine(url: str) -> Engine:
    """Create an engine for `url`, tuned for concurrent use by the app."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True)
    else:
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
    event.listen(engine, "before_cursor_execute", _statement_started)
    event.listen(engine, "after_cursor_execute", _statement_finished)
    return engine


@contextmanager
def statement_time() -> Iterator[Callable[[], float]]:
    """Add up the seconds SQL statements take in this context, worker threads it starts included.

    Yields a function that tells the sum so far (commits are not statements and not counted).
    """
    spent = [0.0]
    token = _statement_seconds.set(spent)
    try:
        yield lambda: spent[0]
    finally:
        _statement_seconds.reset(token)


def _statement_started(connection: Connection, *_: Any) -> None:
    connection.info.setdefault("statement_started", []).append(time.perf_counter())


def _statement_finished(connection: Connection, *_: Any) -> None:
    started = connection.info["statement_started"].pop()
    spent = _statement_seconds.get()
    if spent is not None:
        spent[0] += time.perf_counter() - started


def begin_write(engine: Engine) -> AbstractContextManager[Connection]:
    """A transaction that will write after reading (locks at BEGIN on SQLite)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE").begin()


def _begin_sqlite(connection: Connection) -> None:
    # A deferred SQLite transaction that reads and then writes fails at once if another
    # writer committed meanwhile; IMMEDIATE takes the write lock first and waits for it.
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while one writer commits; the busy timeout makes a
    # second writer wait for the lock instead of failing at once.
    # SQLAlchemy's "begin" event issues BEGIN itself (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
