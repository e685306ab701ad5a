"""Databases for the integration tests: SQLite and, when set, PostgreSQL, migrated by the app.

Here rather than in tests/conftest.py because migrating imports the app's
composition root (channels.app), which loads FastAPI and the knowledge stack:
the unit tests must not pay for that.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from channels.app import migrate_database
from invoicing_core.persistence import make_engine


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
