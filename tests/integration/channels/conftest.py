"""Fixtures of the app's tests: the database with every package's tables."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

import knowledge


@pytest.fixture(scope="session")
def engine(engine: Engine) -> Engine:
    """The test database with the knowledge base's tables too, as `channels migrate` leaves it."""
    knowledge.upgrade_database(engine)
    return engine
