"""The knowledge base over HTTP: search, reload (editors) and the unanswered report.

The router takes its parts as FastAPI dependencies, so the composition root
decides where the knowledge base lives and who counts as an admin.
"""

# No `from __future__ import annotations`: FastAPI must see the dependency
# aliases built inside create_router when it reads the route signatures.
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from knowledge.ingest import IngestError
from knowledge.knowledge_base import MAX_K, BuildOutcome, KnowledgeBase
from knowledge.unanswered import Asker, UnansweredLog

MAX_QUESTION = 500
DEFAULT_K = 5


def from_app_state(name: str) -> Callable[[Request], Any]:
    """A dependency that returns `request.app.state.<name>` (set in the app's lifespan)."""

    def dependency(request: Request) -> Any:
        return getattr(request.app.state, name)

    return dependency


def error(
    status: int, code: str, message: str, field: str | None = None, **details: Any
) -> JSONResponse:
    """The contract's error body: {"error": {"code", "message", "field"?, ...details}}."""
    body: dict[str, Any] = {"code": code, "message": message, **details}
    if field is not None:
        body["field"] = field
    return JSONResponse({"error": body}, status_code=status)


def create_router(
    knowledge_base: Callable[..., KnowledgeBase],
    unanswered_log: Callable[..., UnansweredLog | None] | None = None,
    require_editor: Callable[..., Any] | None = None,
    report_scope: Callable[..., Any] | None = None,
    asker: Callable[..., Any] | None = None,
    on_reload: Callable[[Request, BuildOutcome], Awaitable[None]] | None = None,
) -> APIRouter:
    """Routes under /knowledge.

    The composition root says who is who: `require_editor` guards reload (the
    base every company shares); `report_scope` gives the company whose
    unanswered questions the caller may read (None: every company's) or refuses;
    `asker` says who asks (company, conversation), kept with each logged question;
    `on_reload` tells the other workers that the base changed (publishing).
    """
    router = APIRouter(prefix="/knowledge", tags=["knowledge"])
    Base = Annotated[KnowledgeBase, Depends(knowledge_base)]
    Log = Annotated[UnansweredLog | None, Depends(unanswered_log or _nobody)]
    Who = Annotated[Asker, Depends(asker or _anonymous)]
    Scope = Annotated[int | None, Depends(report_scope or _nobody)]
    editor = [Depends(require_editor)] if require_editor else []

    @router.get("/search")
    def search(
        base: Base,
        log: Log,
        who: Who,
        q: Annotated[str, Query(description="用户的问题")] = "",
        k: Annotated[str, Query(description=f"返回条数，1–{MAX_K}，默认 {DEFAULT_K}")] = str(
            DEFAULT_K
        ),
    ) -> Any:
        """{answered, hits:[{id, question, answer, score, sources, effective_date, basis}],
        out_of_scope}; answered: a confident match."""
        question = q.strip()
        if not question:
            return error(422, "invalid_input", "问题不能为空", "q")
        if len(question) > MAX_QUESTION:
            return error(422, "invalid_input", f"问题过长，最多 {MAX_QUESTION} 个字符", "q")
        count = _count(k)
        if count is None:
            return error(422, "invalid_input", f"k 应为 1 到 {MAX_K} 之间的整数", "k")
        result = base.search(question, count)
        if log is not None:
            log.record(question, result, channel="api", asker=who)
        return result.to_json()

    @router.post("/reload", dependencies=editor)
    async def reload(base: Base, request: Request) -> Any:
        """Publish: re-read the entries (files and the console's), rebuild the index if they
        changed and swap it in on every worker, without a restart."""
        try:
            outcome = await to_thread.run_sync(base.reload)
        except IngestError as failure:
            return error(422, "knowledge_source_invalid", f"知识库文件有误，未重新加载：{failure}")
        if on_reload is not None:
            await on_reload(request, outcome)
        manifest = outcome.manifest
        return {
            "rebuilt": outcome.built,
            "entries": manifest.entries,
            "phrasings": manifest.phrasings,
            "content_hash": manifest.content_hash,
            "built_at": manifest.built_at,
        }

    @router.get("/unanswered")
    def unanswered(
        log: Log,
        scope: Scope,
        limit: Annotated[int, Query(ge=1, le=200, description="最多返回多少个问题")] = 20,
        days: Annotated[int, Query(ge=1, le=3650, description="统计最近多少天")] = 30,
    ) -> Any:
        """The most frequent questions the knowledge base could not answer (the caller's
        company's, or every company's for the platform's editors)."""
        if log is None:
            return error(503, "unanswered_log_unavailable", "未配置未解答问题记录")
        since = datetime.now(UTC) - timedelta(days=days)
        return {"questions": [row.to_json() for row in log.report(limit, since, scope)]}

    return router


def _nobody() -> None:
    return None


def _anonymous() -> Asker:
    return Asker()


def _count(k: str) -> int | None:
    # Parsed here rather than by FastAPI so the error has the contract's shape
    # even in an app without the composition root's error handlers.
    try:
        value = int(k.strip())
    except ValueError:
        return None
    return value if 1 <= value <= MAX_K else None
