"""Alembic migrations of the knowledge base's tables, applied to a given engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

VERSION_TABLE = "alembic_version_knowledge"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the knowledge tables of `engine`'s database to `revision`."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
