"""Alembic migrations of the conversation store, applied to a given engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

VERSION_TABLE = "alembic_version_channels"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the conversation tables of `engine`'s database to `revision`."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the conversation tables back to `revision`."""
    _run(engine, command.downgrade, revision)


def _run(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        step(config, revision)
