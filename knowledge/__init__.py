"""The policy knowledge base of 开票助手 and its search.

The public face the composition root uses:

    settings = KnowledgeSettings()
    base = KnowledgeBase.open(settings)          # once per process; builds a stale index
    base.search("忘记密码怎么办", k=5)            # SearchResult(answered, hits)
    base.reload()                                 # after the entries changed
    upgrade_database(engine)                      # the unanswered-question log's tables
    log = UnansweredLog(engine, settings.knowledge_log_below)
    app.include_router(create_router(...), prefix="/api/v1")
"""

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
