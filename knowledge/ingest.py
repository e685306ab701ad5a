"""Reading entries from the project's YAML files and from JSONL, CSV and XLSX files.

Every problem is reported as an IngestError naming the file, the line (or row)
and the reason in Chinese, for the knowledge-base owners who wrote the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from knowledge.entry import Entry, Source

SUFFIXES = (".yaml", ".yml", ".jsonl", ".csv", ".xlsx")
REQUIRED = ("id", "question", "answer")
OPTIONAL = ("questions", "tags", "sources", "effective_date", "checked")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
# How CSV and XLSX cells list several phrasings or sources (JSONL and YAML use a list).
PHRASING_SEPARATORS = re.compile(r"[|\n｜]")
SOURCE_SEPARATORS = re.compile(r"[|\n｜；;]")
URL = re.compile(r"https?://\S+")
SOURCE_FIELDS = ("name", "article", "url")
# "国家税务总局公告2024年第11号 第二条": the document, then the article cited.
# libyaml's loader when PyYAML was built with it (the wheels are): the same documents and
# line marks, about ten times faster than the pure-Python one on knowledge/entries.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ARTICLE = re.compile(r"\s+(?=第[一二三四五六七八九十百零〇\d]+[条款项])")


class IngestError(ValueError):
    """A file of entries that cannot be used: where and why."""

    def __init__(
        self, path: Path | str, line: int | None, reason: str, field: str | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        self.field = field
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


def load_entries(source: Path) -> list[Entry]:
    """Every entry under `source` (a folder or one file); ids must be unique."""
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.suffix.lower() in SUFFIXES)
        if not files:
            raise IngestError(source, None, f"文件夹中没有知识条目文件（{'、'.join(SUFFIXES)}）")
    elif source.is_file():
        files = [source]
    else:
        raise IngestError(source, None, "文件或文件夹不存在")
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for path in files:
        for entry in load_file(path):
            if entry.id in seen:
                raise IngestError(
                    path, _line_of(entry), f"条目 id 重复：{entry.id}（已在 {seen[entry.id]} 出现）"
                )
            seen[entry.id] = entry.origin
            entries.append(entry)
    return entries


def load_file(path: Path) -> list[Entry]:
    """The entries of one file, read according to its suffix."""
    readers = {
        ".yaml": _read_yaml,
        ".yml": _read_yaml,
        ".jsonl": _read_jsonl,
        ".csv": _read_csv,
        ".xlsx": read_xlsx,
    }
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise IngestError(
            path, None, f"不支持的文件类型：{path.suffix}（支持 {'、'.join(SUFFIXES)}）"
        )
    entries = [entry_of(path, line, record) for line, record in reader(path)]
    if not entries:
        raise IngestError(path, None, "文件中没有任何条目")
    return entries


def _read_yaml(path: Path) -> Iterator[tuple[int, Any]]:
    text = _text(path)
    try:
        document = yaml.compose(text, Loader=SAFE_LOADER)
        data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise IngestError(path, line, f"YAML 格式错误：{error.problem}") from error
    if data is None:
        return
    if not isinstance(data, list) or not isinstance(document, yaml.SequenceNode):
        raise IngestError(path, 1, "YAML 文件应为条目列表（每项以“- id:”开头）")
    for node, record in zip(document.value, data, strict=True):
        yield node.start_mark.line + 1, record


def _read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            raise IngestError(path, number, f"不是有效的 JSON：{error.msg}") from error


def _read_csv(path: Path) -> Iterator[tuple[int, Any]]:
    reader = csv.reader(_text(path).splitlines(keepends=True))
    header = next(reader, None)
    if header is None:
        return
    columns = _columns(path, [cell.strip() for cell in header])
    start = reader.line_num + 1
    for row in reader:
        if any(cell.strip() for cell in row):
            yield start, _record(path, start, columns, row)
        start = reader.line_num + 1


def read_xlsx(path: Path) -> Iterator[tuple[int, Any]]:
    from openpyxl import load_workbook  # only XLSX imports need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise IngestError(path, None, f"无法读取 XLSX 文件：{error}") from error
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        columns = _columns(path, ["" if cell is None else str(cell).strip() for cell in header])
        for number, row in enumerate(rows, start=2):
            cells = ["" if cell is None else str(cell) for cell in row]
            if any(cell.strip() for cell in cells):
                yield number, _record(path, number, columns, cells)
    finally:
        workbook.close()


def _columns(path: Path, header: list[str]) -> list[str]:
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise IngestError(
            path,
            1,
            f"缺少必填列：{', '.join(missing)}（表头应含 id, question, answer，可选 questions）",
        )
    unknown = [name for name in header if name and name not in REQUIRED + OPTIONAL]
    if unknown:
        raise IngestError(path, 1, f"不认识的列：{', '.join(unknown)}")
    return header


def _record(path: Path, line: int, columns: list[str], cells: list[str]) -> dict[str, Any]:
    if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
        raise IngestError(path, line, f"本行有 {len(cells)} 列，多于表头的 {len(columns)} 列")
    record: dict[str, Any] = dict(zip(columns, cells, strict=False))
    if "questions" in record:
        record["questions"] = [p for p in PHRASING_SEPARATORS.split(record["questions"]) if p]
    if "tags" in record:
        record["tags"] = [t for t in re.split(r"[,，、\s]+", record["tags"]) if t]
    if "sources" in record:
        record["sources"] = [p for p in SOURCE_SEPARATORS.split(record["sources"]) if p.strip()]
    return record


def entry_of(path: Path | str, line: int, record: Any) -> Entry:
    """The entry a record (a mapping of the fields) describes, or IngestError naming the field."""
    if not isinstance(record, Mapping):
        raise IngestError(path, line, "条目应为对象（含 id、question、answer）")
    unknown = [str(name) for name in record if name not in REQUIRED + OPTIONAL]
    if unknown:
        raise IngestError(path, line, f"不认识的字段：{', '.join(unknown)}", unknown[0])
    for name in REQUIRED:
        if name not in record or record[name] is None:
            raise IngestError(path, line, f"缺少必填字段 {name}", name)
        if not isinstance(record[name], str):
            raise IngestError(path, line, f"字段 {name} 应为文本", name)
        if not record[name].strip():
            raise IngestError(path, line, f"字段 {name} 为空", name)
    entry_id = record["id"].strip()
    if not ID_PATTERN.match(entry_id):
        raise IngestError(
            path,
            line,
            f"条目 id 格式不正确：{entry_id!r}（只能含字母、数字、点、下划线、连字符）",
            "id",
        )
    return Entry(
        id=entry_id,
        question=record["question"].strip(),
        answer=record["answer"].strip(),
        questions=_strings(path, line, "questions", record.get("questions")),
        tags=_strings(path, line, "tags", record.get("tags")),
        sources=_sources(path, line, record.get("sources")),
        effective_date=_date(path, line, "effective_date", record.get("effective_date")),
        checked=_date(path, line, "checked", record.get("checked")),
        origin=f"{path}:{line}",
    )


def _sources(path: Path | str, line: int, value: Any) -> tuple[Source, ...]:
    """A list of {name, article?, url?} or of texts ("名称 条款 https://…")."""
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(_source(path, line, item) for item in items)


def _source(path: Path | str, line: int, item: Any) -> Source:
    if isinstance(item, str):
        url = URL.search(item)
        name, *article = ARTICLE.split(URL.sub("", item).strip(), maxsplit=1)
        fields = {"name": name, "article": "".join(article), "url": url.group(0) if url else ""}
    elif isinstance(item, Mapping) and all(key in SOURCE_FIELDS for key in item):
        fields = {key: "" if item.get(key) is None else str(item[key]).strip() for key in item}
    else:
        raise IngestError(
            path, line, "依据 sources 应为列表，每项为文本或含 name、article、url 的对象", "sources"
        )
    if not fields.get("name"):
        raise IngestError(path, line, "依据 sources 的每一项都要有文件名称 name", "sources")
    if fields.get("url") and not URL.fullmatch(fields["url"]):
        raise IngestError(
            path, line, f"依据的网址应以 http:// 或 https:// 开头：{fields['url']}", "sources"
        )
    return Source(**fields)


def _date(path: Path | str, line: int, name: str, value: Any) -> str:
    """An ISO date (YYYY-MM-DD); YAML reads an unquoted one as a date already."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        # A spreadsheet's date cell reads as "2024-12-01 00:00:00".
        return dt.datetime.fromisoformat(str(value).strip()).date().isoformat()
    except ValueError:
        raise IngestError(
            path, line, f"字段 {name} 应为日期，格式 YYYY-MM-DD：{value}", name
        ) from None


def _strings(path: Path | str, line: int, name: str, value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = [value]
    # YAML reads a bare 12366 as a number; it is still a word of the entry.
    if not isinstance(value, list | tuple) or not all(_is_scalar(item) for item in value):
        raise IngestError(path, line, f"字段 {name} 应为文本列表", name)
    return tuple(str(item).strip() for item in value if str(item).strip())


def _is_scalar(item: Any) -> bool:
    return isinstance(item, str | int | float) and not isinstance(item, bool)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # Excel saves CSV with a BOM
    except UnicodeDecodeError as error:
        raise IngestError(path, None, "文件不是 UTF-8 编码") from error


def _line_of(entry: Entry) -> int | None:
    line = entry.origin.rpartition(":")[2]
    return int(line) if line.isdigit() else None
