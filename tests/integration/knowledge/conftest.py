"""One real index of knowledge/entries per session, built with the real model."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from knowledge import KnowledgeBase, KnowledgeSettings, ensure_index, upgrade_database

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def knowledge_settings(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeSettings:
    """Settings with the project's entries and an index folder of this session."""
    return KnowledgeSettings(
        knowledge_source=ROOT / "knowledge" / "entries",
        knowledge_index_dir=tmp_path_factory.mktemp("knowledge") / "index",
    )


@pytest.fixture(scope="session")
def knowledge_base(knowledge_settings: KnowledgeSettings) -> KnowledgeBase:
    """The project's knowledge base, built once (the model loads once)."""
    return KnowledgeBase.open(knowledge_settings)


@pytest.fixture(scope="session")
def knowledge_index(knowledge_base: KnowledgeBase, knowledge_settings: KnowledgeSettings) -> Path:
    """The folder of the session's index."""
    assert ensure_index(knowledge_settings).built is False
    return knowledge_settings.knowledge_index_dir


@pytest.fixture(scope="session")
def knowledge_engine(engine: Engine) -> Engine:
    """The test database with the knowledge tables migrated too."""
    upgrade_database(engine)
    return engine
