"""Alembic migrations of the invoicing core, applied to a given engine."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

VERSION_TABLE = "alembic_version_invoicing"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the core's tables in `engine`'s database to `revision`."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
