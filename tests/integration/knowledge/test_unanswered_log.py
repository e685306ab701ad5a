"""The unanswered-question log on a real database (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, inspect

from knowledge import Hit, SearchResult, UnansweredLog
from knowledge.entry import Entry
from knowledge.migrations import VERSION_TABLE


def result(answered: bool, score: float) -> SearchResult:
    return SearchResult(answered, [Hit(Entry("a.one", "问", "答"), score)])


def test_the_tables_have_their_own_version_table(knowledge_engine: Engine) -> None:
    tables = set(inspect(knowledge_engine).get_table_names())
    assert {"knowledge_unanswered_questions", VERSION_TABLE} <= tables


def test_only_unanswered_or_low_confidence_questions_are_recorded(knowledge_engine: Engine) -> None:
    log = UnansweredLog(knowledge_engine, low_confidence=0.7)
    tag = uuid.uuid4().hex[:8]
    assert log.record(f"没答上 {tag}", result(False, 0.2)) is True
    assert log.record(f"答得没把握 {tag}", result(True, 0.6)) is True
    assert log.record(f"答上了 {tag}", result(True, 0.9)) is False
    assert log.record("   ", result(False, 0.1)) is False
    reported = {row.question for row in log.report(limit=200)}
    assert {f"没答上 {tag}", f"答得没把握 {tag}"} <= reported
    assert f"答上了 {tag}" not in reported


def test_variants_of_one_question_are_counted_together(knowledge_engine: Engine) -> None:
    log = UnansweredLog(knowledge_engine)
    tag = uuid.uuid4().hex[:8]
    for question in [f"全电发票 {tag}", f"全电发票  {tag}", f"数电票 {tag}"]:
        log.record(question, result(False, 0.1))
    row = next(r for r in log.report(limit=200) if tag in r.question)
    assert row.count == 3
    assert row.question == f"数电票 {tag}"  # the newest wording stands for the group
    assert row.last_asked_at.tzinfo is not None


def test_the_report_can_look_at_recent_questions_only(knowledge_engine: Engine) -> None:
    log = UnansweredLog(knowledge_engine)
    assert log.report(since=datetime.now(UTC) + timedelta(minutes=1)) == []
