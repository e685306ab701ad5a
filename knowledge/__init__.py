"""The policy knowledge base of 开票助手 and its search.

The public face the composition root uses:

    settings = KnowledgeSettings()
    base = KnowledgeBase.open(settings)          # once per process; builds a stale index
    base.search("忘记密码怎么办", k=5)            # SearchResult(answered, hits)
    base.reload()                                 # after the entries changed
    upgrade_database(engine)                      # the unanswered-question log's tables
    log = UnansweredLog(engine, settings.knowledge_log_below)
    app.include_router(create_router(...), prefix="/api/v1")

The names load on first use (PEP 562): importing a light module such as
`knowledge.text` or `knowledge.entry` then does not pull in faiss, FastAPI and
the database layer, which keeps the unit tests (`make unit`) fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.api import create_router, from_app_state
    from knowledge.editing import EntryStore
    from knowledge.editor_api import create_editor_router
    from knowledge.feedback import Feedback, FeedbackLog
    from knowledge.ingest import IngestError, load_entries
    from knowledge.knowledge_base import BuildOutcome, KnowledgeBase, ensure_index
    from knowledge.migrations import upgrade as upgrade_database
    from knowledge.result import Hit, SearchResult
    from knowledge.settings import KnowledgeSettings
    from knowledge.unanswered import Asker, UnansweredLog, UnansweredQuestion

# Public name → (module, name in that module).
_EXPORTS: dict[str, tuple[str, str]] = {
    "Asker": ("knowledge.unanswered", "Asker"),
    "BuildOutcome": ("knowledge.knowledge_base", "BuildOutcome"),
    "EntryStore": ("knowledge.editing", "EntryStore"),
    "Feedback": ("knowledge.feedback", "Feedback"),
    "FeedbackLog": ("knowledge.feedback", "FeedbackLog"),
    "Hit": ("knowledge.result", "Hit"),
    "IngestError": ("knowledge.ingest", "IngestError"),
    "KnowledgeBase": ("knowledge.knowledge_base", "KnowledgeBase"),
    "KnowledgeSettings": ("knowledge.settings", "KnowledgeSettings"),
    "SearchResult": ("knowledge.result", "SearchResult"),
    "UnansweredLog": ("knowledge.unanswered", "UnansweredLog"),
    "UnansweredQuestion": ("knowledge.unanswered", "UnansweredQuestion"),
    "create_editor_router": ("knowledge.editor_api", "create_editor_router"),
    "create_router": ("knowledge.api", "create_router"),
    "ensure_index": ("knowledge.knowledge_base", "ensure_index"),
    "from_app_state": ("knowledge.api", "from_app_state"),
    "load_entries": ("knowledge.ingest", "load_entries"),
    "upgrade_database": ("knowledge.migrations", "upgrade"),
}

__all__ = [
    "Asker",
    "BuildOutcome",
    "EntryStore",
    "Feedback",
    "FeedbackLog",
    "Hit",
    "IngestError",
    "KnowledgeBase",
    "KnowledgeSettings",
    "SearchResult",
    "UnansweredLog",
    "UnansweredQuestion",
    "create_editor_router",
    "create_router",
    "ensure_index",
    "from_app_state",
    "load_entries",
    "upgrade_database",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module the first time the name is used, then keep the name."""
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'knowledge' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names too, though most are not loaded yet."""
    return sorted({*globals(), *__all__})
