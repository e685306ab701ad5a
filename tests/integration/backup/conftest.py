"""Deployments to back up and restore: the app's database and Rasa's tracker store, each
fresh, on SQLite files or on PostgreSQL databases of their own (skipped only when no
PostgreSQL server answers at TEST_DATABASE_URL, or the development machine's default)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from channels import service_secrets
from channels.backup import Sources
from knowledge import KnowledgeSettings

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# Rasa's SQLTrackerStore's table (rasa/core/tracker_store.py, SQLTrackerStore.SQLEvent).
_tracker = sa.MetaData()
tracker_events = sa.Table(
    "events",
    _tracker,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


@dataclass(frozen=True)
class Deployment:
    """Where one deployment keeps its data, and how to lose it all (the wipe of a drill)."""

    kind: str
    sources: Sources
    wipe: Callable[[], None]

    def sqlalchemy_url(self, which: str) -> str:
        """A URL this venv's SQLAlchemy opens (Rasa's says postgresql:// for psycopg2)."""
        url = make_url(self.sources.databases()[which])
        if url.get_backend_name() == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)


def _postgres_admin() -> sa.Engine:
    base = make_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.skip(f"no PostgreSQL server answers at {base}: {error.orig}")
    return admin


def _forget_secrets(var_dir: Path) -> None:
    for name in service_secrets.FILES:
        (var_dir / name).unlink(missing_ok=True)


def _sqlite_deployment(var_dir: Path) -> Deployment:
    files = [var_dir / name for name in ("app.db", "rasa-tracker.db")]

    def wipe() -> None:
        _forget_secrets(var_dir)
        for database in files:
            for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
                path.unlink(missing_ok=True)

    sources = Sources(
        database_url=f"sqlite:///{files[0]}",
        tracker_url=f"sqlite:///{files[1]}",
        var_dir=var_dir,
        knowledge_index_dir=KnowledgeSettings().knowledge_index_dir,
    )
    return Deployment("sqlite", sources, wipe)


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    """A deployment with no database content yet (the tracker store not even made)."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    if request.param == "sqlite":
        yield _sqlite_deployment(var_dir)
        return
    admin = _postgres_admin()
    names = [f"backup_{uuid.uuid4().hex[:12]}", ""]
    names[1] = f"{names[0]}_rasa"
    base = admin.url.set(password=None)

    def wipe() -> None:
        _forget_secrets(var_dir)
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    wipe()
    app_url = admin.url.set(database=names[0]).render_as_string(hide_password=False)
    rasa_url = base.set(drivername="postgresql", database=names[1]).render_as_string()
    sources = Sources(app_url, rasa_url, var_dir, KnowledgeSettings().knowledge_index_dir)
    try:
        yield Deployment("postgresql", sources, wipe)
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def tracker_engine(deployment: Deployment) -> sa.Engine:
    """Rasa's tracker store, its table made as Rasa makes it at its first start."""
    engine = sa.create_engine(deployment.sqlalchemy_url("tracker"))
    _tracker.create_all(engine)
    return engine
