"""`python -m knowledge build|search|eval|unanswered`: the knowledge base from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from knowledge.evaluation import evaluate, read_questions
from knowledge.ingest import IngestError
from knowledge.knowledge_base import MAX_K, KnowledgeBase, ensure_index
from knowledge.settings import KnowledgeSettings


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the command, return the exit status."""
    arguments = _parser().parse_args(argv)
    settings = KnowledgeSettings()
    try:
        status: int = arguments.run(arguments, settings)
    except (IngestError, FileNotFoundError) as failure:
        print(f"错误：{failure}", file=sys.stderr)
        return 2
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description="开票助手知识库")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build the index (skipped when it is up to date)")
    build.add_argument(
        "--source", type=Path, help="folder or file of entries (YAML/JSONL/CSV/XLSX)"
    )
    build.add_argument("--index", type=Path, help="index folder")
    build.set_defaults(run=_build)

    search = commands.add_parser("search", help="search the knowledge base")
    search.add_argument("question", nargs="?", help="the question")
    search.add_argument("--queries", type=Path, help="file with one question a line")
    search.add_argument("--index", type=Path, help="search this index as it is")
    search.add_argument("-k", type=int, default=5, help=f"how many hits, 1–{MAX_K}")
    search.add_argument("--json", action="store_true", help="print JSON (one object a line)")
    search.set_defaults(run=_search)

    evaluation = commands.add_parser("eval", help="hit@1, hit@3, MRR, rejection, latency")
    evaluation.add_argument("file", type=Path, help="JSONL of {question, expected_id or null}")
    evaluation.add_argument("--index", type=Path, help="evaluate this index as it is")
    evaluation.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluation.set_defaults(run=_eval)

    unanswered = commands.add_parser("unanswered", help="most frequent unanswered questions")
    unanswered.add_argument("--limit", type=int, default=20)
    unanswered.add_argument("--days", type=int, default=30)
    unanswered.add_argument("--json", action="store_true")
    unanswered.set_defaults(run=_unanswered)
    return parser


def _build(arguments: argparse.Namespace, settings: KnowledgeSettings) -> int:
    source = arguments.source or settings.knowledge_source
    folder = arguments.index or settings.knowledge_index_dir
    started = time.perf_counter()
    outcome = ensure_index(settings, source, folder)
    manifest = outcome.manifest
    what = "built" if outcome.built else "up to date, skipped the build"
    print(
        f"knowledge index {folder}: {what} ({manifest.entries} entries, "
        f"{manifest.phrasings} phrasings, model {manifest.model}, dimension {manifest.dimension}, "
        f"content {manifest.content_hash[:12]}) in {time.perf_counter() - started:.1f} s"
    )
    return 0


def _open(arguments: argparse.Namespace, settings: KnowledgeSettings) -> KnowledgeBase:
    if arguments.index:
        return KnowledgeBase.load(settings, arguments.index)
    outcome = ensure_index(settings)
    if outcome.built:
        print(
            f"built the knowledge index {settings.knowledge_index_dir} "
            f"({outcome.manifest.build_seconds} s)",
            file=sys.stderr,
        )
    return KnowledgeBase.load(settings, settings.knowledge_index_dir)


def _search(arguments: argparse.Namespace, settings: KnowledgeSettings) -> int:
    if not 1 <= arguments.k <= MAX_K:
        print(f"错误：-k 应在 1 到 {MAX_K} 之间", file=sys.stderr)
        return 2
    if arguments.queries:
        questions = [
            q for q in arguments.queries.read_text(encoding="utf-8").splitlines() if q.strip()
        ]
    elif arguments.question:
        questions = [arguments.question]
    else:
        print("错误：请给出问题，或用 --queries 指定问题文件", file=sys.stderr)
        return 2
    base = _open(arguments, settings)
    for question in questions:
        result = base.search(question, arguments.k)
        if arguments.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
            continue
        print(f"{question}  → {'已找到答案' if result.answered else '没有把握，以下为相近问题'}")
        for hit in result.hits:
            print(f"  {hit.score:.3f}  {hit.id}  {hit.question}")
    return 0


def _eval(arguments: argparse.Namespace, settings: KnowledgeSettings) -> int:
    questions = read_questions(arguments.file)
    base = _open(arguments, settings)
    report, _ = evaluate(questions, base.search)
    if arguments.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print("\n".join(report.lines()))
    return 0


def _unanswered(arguments: argparse.Namespace, settings: KnowledgeSettings) -> int:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import create_engine

    from knowledge import migrations
    from knowledge.unanswered import UnansweredLog

    engine = create_engine(settings.effective_database_url)
    try:
        migrations.upgrade(engine)
        since = datetime.now(UTC) - timedelta(days=arguments.days)
        rows = UnansweredLog(engine).report(arguments.limit, since)
    finally:
        engine.dispose()
    if arguments.json:
        print(json.dumps([row.to_json() for row in rows], ensure_ascii=False))
        return 0
    print(f"最近 {arguments.days} 天未能解答的问题（按次数）：" if rows else "没有未解答的问题。")
    for row in rows:
        closest = f"  最接近：{row.closest_id}（{row.closest_score:.2f}）" if row.closest_id else ""
        print(f"{row.count:5d}  {row.question}{closest}")
    return 0
