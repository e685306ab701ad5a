"""Fixtures shared by every test folder: databases on SQLite and, when set, PostgreSQL."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from channels.app import migrate_database
from invoicing_core.persistence import make_engine

ROOT = Path(__file__).resolve().parent.parent

# Suites log in and chat far faster than people do, from one address; the limits
# themselves are tested with their own low settings (tests/integration/channels).
for _limit in ("RATE_LIMIT_LOGIN", "RATE_LIMIT_CHAT", "RATE_LIMIT_WECHAT"):
    os.environ.setdefault(_limit, "100000/minute")


def _database_kinds() -> list[str]:
    # CI sets TEST_DATABASE_URL so every database test also runs on PostgreSQL.
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(scope="session", params=_database_kinds())
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private schema in TEST_DATABASE_URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'app.db'}"
        return
    base = make_url(os.environ["TEST_DATABASE_URL"])
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the fresh database, migrated to the newest schema."""
    engine = make_engine(database_url)
    migrate_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """Returns a function that finds a free TCP port on 127.0.0.1."""

    def find() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
            return port

    return find
