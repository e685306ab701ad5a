"""The whole base as one .xlsx sheet, and back: what operators edit in Excel or WPS.

Columns are the import format (ingest.py): id, question, questions (one phrasing a
line), answer, tags, sources (one a line: "文件名 第X条 https://…"), effective_date,
checked. An import checks every row and reports each bad one (row, field, reason);
the rows are used only when none is bad.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from knowledge.entry import Entry
from knowledge.ingest import REQUIRED, IngestError, entry_of, read_xlsx

COLUMNS = (*REQUIRED, "questions", "tags", "sources", "effective_date", "checked")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowError:
    """A row that cannot be imported: where and why (in Chinese)."""

    row: int | None
    field: str | None
    message: str

    def to_json(self) -> dict[str, object]:
        """{row, field, message}."""
        return {"row": self.row, "field": self.field, "message": self.message}


def export_xlsx(entries: list[Entry]) -> bytes:
    """The entries as an .xlsx workbook of one sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("知识条目")
    sheet.append(list(COLUMNS))
    for entry in entries:
        sheet.append(
            [
                entry.id,
                entry.question,
                entry.answer,
                "\n".join(entry.questions),
                "、".join(entry.tags),
                "\n".join(" ".join(filter(None, (s.label, s.url))) for s in entry.sources),
                entry.effective_date,
                entry.checked,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def content_key(entry: Entry | None) -> object:
    """What a row says of an entry: its content, each source as cited (the sheet's one
    text per source does not say where a document's name ends and its article begins)."""
    if entry is None:
        return None
    return {**entry.canonical(), "sources": [(s.label, s.url) for s in entry.sources]}


def import_xlsx(path: Path) -> tuple[list[Entry], list[RowError]]:
    """The entries of an .xlsx file and the errors of its bad rows (a bad file: one error)."""
    entries: list[Entry] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    try:
        for line, record in read_xlsx(path):
            if line > MAX_ROWS + 1:
                errors.append(RowError(line, None, f"最多导入 {MAX_ROWS} 行"))
                break
            try:
                entry = entry_of(path.name, line, record)
            except IngestError as bad:
                errors.append(RowError(line, bad.field, bad.reason))
                continue
            if entry.id in seen:
                errors.append(RowError(line, "id", f"条目 id 重复：{entry.id}"))
            seen.add(entry.id)
            entries.append(entry)
    except IngestError as bad:
        errors.append(RowError(bad.line, bad.field, bad.reason))
    if not entries and not errors:
        errors.append(RowError(None, None, "文件中没有任何条目"))
    return entries, errors
