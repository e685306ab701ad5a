"""The curation loop over HTTP: what to review, entries and their versions, preview, import
and export. Publishing is POST /knowledge/reload (api.py).

Who may do what is the composition root's to say, through three dependencies:
`require_editor` (writes; returns the editor's user name), `report_scope`
(reads: None for the platform's editors, the company id for a company's admin, else
refused) and `require_drafter` (agents and editors turn a reply into a draft).
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures.
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from uuid import uuid4

from anyio import to_thread
from fastapi import APIRouter, Body, Depends, Query, UploadFile
from fastapi.responses import Response

from knowledge.api import MAX_QUESTION, error
from knowledge.editing import EntryStore, Status
from knowledge.entry import Entry
from knowledge.feedback import FeedbackLog
from knowledge.ingest import IngestError, entry_of
from knowledge.knowledge_base import KnowledgeBase
from knowledge.review import group, items_of
from knowledge.spreadsheet import content_key, export_xlsx, import_xlsx
from knowledge.unanswered import UnansweredLog

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def create_editor_router(
    knowledge_base: Callable[..., KnowledgeBase],
    unanswered_log: Callable[..., UnansweredLog],
    feedback_log: Callable[..., FeedbackLog],
    require_editor: Callable[..., Any],
    report_scope: Callable[..., Any],
    require_drafter: Callable[..., Any],
    max_upload_bytes: int,
) -> APIRouter:
    """Routes under /knowledge for the console's knowledge page."""
    router = APIRouter(prefix="/knowledge", tags=["knowledge"])
    Base = Annotated[KnowledgeBase, Depends(knowledge_base)]
    Editor = Annotated[str, Depends(require_editor)]
    Scope = Annotated[int | None, Depends(report_scope)]
    Drafter = Annotated[str, Depends(require_drafter)]

    @router.get("/review")
    def review(
        base: Base,
        scope: Scope,
        unanswered: Annotated[UnansweredLog, Depends(unanswered_log)],
        feedback: Annotated[FeedbackLog, Depends(feedback_log)],
        days: Annotated[int, Query(ge=1, le=365, description="最近多少天")] = 7,
    ) -> Any:
        """Unanswered, low-confidence and thumbs-down questions, grouped by meaning."""
        since = datetime.now(UTC) - timedelta(days=days)
        items = items_of(unanswered.asked(since, scope), feedback.ratings(since, scope))
        return {"groups": [g.to_json() for g in group(items, base.retriever.encoder)]}

    @router.get("/entries")
    def entries(
        base: Base,
        _scope: Scope,
        q: Annotated[str, Query(max_length=100, description="按 id、问题或答案筛选")] = "",
    ) -> Any:
        """The searched entries, and the console's drafts and deletions, filtered by `q`."""
        store = base.store
        changed = {s.entry_id: s for s in store.stored()} if store else {}
        rows = [_row(e, changed.pop(e.id, None)) for e in base.entries]
        rows += [_row(s.entry, s) for s in changed.values() if s.entry is not None]
        words = q.strip().lower()
        return {"entries": [r for r in rows if not words or words in r.pop("text")]}

    @router.get("/entries/{entry_id}")
    def entry(base: Base, _scope: Scope, entry_id: str) -> Any:
        """One entry as last saved (or as shipped), its status and its versions."""
        versions = base.store.versions(entry_id) if base.store else []
        latest = versions[0] if versions else None
        found = latest.entry if latest and latest.entry else None
        found = found or next((e for e in base.entries if e.id == entry_id), None)
        if found is None:
            return error(404, "entry_not_found", f"没有 id 为 {entry_id} 的知识条目", "entry_id")
        return {
            "entry": found.canonical(),
            "status": latest.status.value if latest else Status.ACTIVE.value,
            "versions": [v.to_json() for v in versions],
        }

    @router.put("/entries/{entry_id}")
    async def save(
        base: Base, editor: Editor, entry_id: str, body: Annotated[dict[str, Any], Body()]
    ) -> Any:
        """Save an entry (new or changed); searched after the next publish."""
        parsed = _parse(entry_id, body)
        if not isinstance(parsed, Entry):
            return parsed
        version = await to_thread.run_sync(_required(base).save, parsed, editor)
        return {"version": version.to_json()}

    @router.delete("/entries/{entry_id}")
    async def remove(base: Base, editor: Editor, entry_id: str) -> Any:
        """Take an entry out of the base (its versions stay); after the next publish."""
        version = await to_thread.run_sync(_required(base).delete, entry_id, editor)
        return {"version": version.to_json()}

    @router.post("/entries/{entry_id}/rollback")
    async def rollback(
        base: Base, editor: Editor, entry_id: str, version: Annotated[int, Body(embed=True)]
    ) -> Any:
        """Make the entry as it was in `version` again (a new version)."""
        store = _required(base)
        if not any(v.id == version for v in store.versions(entry_id)):
            return error(404, "version_not_found", "该条目没有这个版本", "version")
        restored = await to_thread.run_sync(store.rollback, version, editor)
        return {"version": restored.to_json() if restored else None}

    @router.post("/drafts", status_code=201)
    async def draft(
        base: Base,
        drafter: Drafter,
        question: Annotated[str, Body(max_length=MAX_QUESTION)],
        answer: Annotated[str, Body(max_length=5000)],
    ) -> Any:
        """An agent's reply becomes a draft entry for the editors (not searched yet)."""
        record = {"id": f"draft.{uuid4().hex[:10]}", "question": question, "answer": answer}
        parsed = _parse(record["id"], record)
        if not isinstance(parsed, Entry):
            return parsed
        version = await to_thread.run_sync(
            _required(base).save, parsed, drafter, Status.DRAFT, "draft"
        )
        return {"version": version.to_json()}

    @router.post("/preview")
    async def preview(
        base: Base,
        _scope: Scope,
        question: Annotated[str, Body(min_length=1, max_length=MAX_QUESTION)],
        entry: Annotated[dict[str, Any] | None, Body()] = None,
    ) -> Any:
        """How `question` would be answered with `entry` saved (nothing is saved)."""
        changed = None
        if entry is not None:
            parsed = _parse(str(entry.get("id") or ""), entry)
            if not isinstance(parsed, Entry):
                return parsed
            changed = parsed
        result = await to_thread.run_sync(base.preview, question, 5, changed)
        return result.to_json()

    @router.get("/export")
    def export(base: Base, _editor: Editor) -> Response:
        """The searched base as one .xlsx sheet (the import format)."""
        headers = {"Content-Disposition": 'attachment; filename="knowledge.xlsx"'}
        return Response(export_xlsx(base.entries), media_type=XLSX, headers=headers)

    @router.post("/import")
    async def import_file(base: Base, editor: Editor, file: UploadFile) -> Any:
        """Every row of an .xlsx file checked; when none is bad, the changed ones are saved."""
        content = await file.read(max_upload_bytes + 1)
        if len(content) > max_upload_bytes:
            limit = f"{max_upload_bytes / 2**20:g} MB"
            return error(413, "file_too_large", f"文件不能超过 {limit}", "file")
        if not (file.filename or "").lower().endswith(".xlsx"):
            return error(
                422, "unsupported_file", "请上传 .xlsx 文件（可先导出一份作为模板）", "file"
            )
        entries, errors = await to_thread.run_sync(_read, content)
        if errors:
            message = f"有 {len(errors)} 行有误，未导入任何条目"
            return error(422, "import_invalid", message, "file", rows=[e.to_json() for e in errors])
        current = {e.id: e for e in base.entries}
        changed = [e for e in entries if content_key(current.get(e.id)) != content_key(e)]
        await to_thread.run_sync(_required(base).save_all, changed, editor, "import")
        return {"rows": len(entries), "changed": len(changed)}

    return router


def _required(base: KnowledgeBase) -> EntryStore:
    if base.store is None:
        raise RuntimeError("this knowledge base keeps no console entries")
    return base.store


def _parse(entry_id: str, body: dict[str, Any]) -> Entry | Response:
    try:
        return entry_of("console", 1, {**body, "id": entry_id})
    except IngestError as bad:
        return error(422, "invalid_entry", bad.reason, bad.field)


def _row(entry: Entry, stored: Any) -> dict[str, Any]:
    status = stored.status.value if stored else "active"
    return {
        "id": entry.id,
        "question": entry.question,
        "status": status,
        "edited": stored is not None,
        "updated_by": stored.updated_by if stored else None,
        "updated_at": stored.updated_at.isoformat() if stored else None,
        "text": f"{entry.id} {entry.question} {entry.answer}".lower(),
    }


def _read(content: bytes) -> Any:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "import.xlsx"
        path.write_bytes(content)
        return import_xlsx(path)
