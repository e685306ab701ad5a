"""Evaluation labels: one expected entry, other entries that answer as well, or none."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.evaluation import Question, read_questions
from knowledge.ingest import IngestError


def test_any_accepted_entry_counts_at_its_rank(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    rows = [
        '{"question": "技术服务费开几个点", "expected_id": "issue.tax_rates",'
        ' "also_ids": ["rules.rate_6"]}',
        '{"question": "今天天气", "expected_id": null}',
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    rated, weather = read_questions(path)
    assert rated.rank(["rules.rate_13", "rules.rate_6", "issue.tax_rates"]) == 2
    assert rated.rank(["rules.rate_13"]) is None
    assert weather.accepted == () and Question("q", None, ("a.b",)).accepted == ("a.b",)


def test_also_ids_must_be_a_list_of_ids(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"question": "问", "expected_id": null, "also_ids": "a.b"}', encoding="utf-8")
    with pytest.raises(IngestError, match="also_ids"):
        read_questions(path)
