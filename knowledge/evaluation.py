"""Evaluating search on questions with known answers: hit@1, hit@3, MRR, rejection, latency."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from knowledge.ingest import IngestError
from knowledge.result import SearchResult

# Ranks beyond this count as a miss for MRR.
EVAL_K = 10


@dataclass(frozen=True)
class Question:
    """A question and the entry that answers it (None when none should), and any other
    entries whose answers answer it as well."""

    question: str
    expected_id: str | None
    also: tuple[str, ...] = ()

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every entry that answers the question; empty when none should."""
        return tuple(i for i in (self.expected_id, *self.also) if i)

    def rank(self, ids: Sequence[str]) -> int | None:
        """The 1-based rank of the first accepted entry among `ids`, if any."""
        return next((n for n, i in enumerate(ids, start=1) if i in self.accepted), None)


@dataclass(frozen=True)
class Report:
    """Accuracy on in-domain questions, rejection on out-of-domain ones, and latency."""

    questions: int
    in_domain: int
    out_of_domain: int
    hit_at_1: float
    hit_at_3: float
    mrr: float
    answered_correctly: float
    rejection_accuracy: float
    latency_p50_ms: float
    latency_p95_ms: float

    def to_json(self) -> dict[str, float | int]:
        """The report as a flat JSON object."""
        return asdict(self)

    def lines(self) -> list[str]:
        """The report as lines for a person."""
        return [
            f"questions            {self.questions} ({self.in_domain} in domain, "
            f"{self.out_of_domain} out of domain)",
            f"hit@1                {self.hit_at_1:.3f}",
            f"hit@3                {self.hit_at_3:.3f}",
            f"MRR                  {self.mrr:.3f}",
            f"answered correctly   {self.answered_correctly:.3f}  (in domain)",
            f"rejection accuracy   {self.rejection_accuracy:.3f}  (out of domain)",
            f"latency p50 / p95    {self.latency_p50_ms:.1f} / {self.latency_p95_ms:.1f} ms",
        ]


def read_questions(path: Path) -> list[Question]:
    """The questions of a JSONL file of {question, expected_id or null, also_ids?}."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise IngestError(path, number, f"不是有效的 JSON：{error.msg}") from error
        if not isinstance(record, dict) or not isinstance(record.get("question"), str):
            raise IngestError(path, number, "每行应为 {question, expected_id} 对象")
        expected, also = record.get("expected_id"), record.get("also_ids") or []
        if expected is not None and not isinstance(expected, str):
            raise IngestError(path, number, "expected_id 应为文本或 null")
        if not isinstance(also, list) or not all(isinstance(i, str) for i in also):
            raise IngestError(path, number, "also_ids 应为文本列表")
        questions.append(Question(record["question"], expected, tuple(also)))
    return questions


def evaluate(
    questions: Sequence[Question], search: Callable[[str, int], SearchResult]
) -> tuple[Report, list[dict[str, object]]]:
    """Run every question through `search`; the report and one record per question."""
    records: list[dict[str, object]] = []
    latencies: list[float] = []
    for item in questions:
        started = time.perf_counter()
        result = search(item.question, EVAL_K)
        latencies.append((time.perf_counter() - started) * 1000)
        ids = [hit.id for hit in result.hits]
        records.append(
            {
                "question": item.question,
                "expected_id": item.expected_id,
                "answered": result.answered,
                "ids": ids,
                "score": result.hits[0].score if result.hits else 0.0,
            }
        )
    return _report(questions, records, latencies), records


def _report(
    questions: Sequence[Question], records: list[dict[str, object]], latencies: list[float]
) -> Report:
    inside = [(q, r) for q, r in zip(questions, records, strict=True) if q.accepted]
    outside = [r for q, r in zip(questions, records, strict=True) if not q.accepted]
    ranks = [q.rank(r["ids"] if isinstance(r["ids"], list) else []) for q, r in inside]
    return Report(
        questions=len(questions),
        in_domain=len(inside),
        out_of_domain=len(outside),
        hit_at_1=_share(r == 1 for r in ranks),
        hit_at_3=_share(r is not None and r <= 3 for r in ranks),
        mrr=float(np.mean([1 / r if r else 0.0 for r in ranks])) if ranks else 0.0,
        answered_correctly=_share(
            r == 1 and rec["answered"] for r, (_, rec) in zip(ranks, inside, strict=True)
        ),
        rejection_accuracy=_share(not r["answered"] for r in outside),
        latency_p50_ms=float(np.percentile(latencies, 50)) if latencies else 0.0,
        latency_p95_ms=float(np.percentile(latencies, 95)) if latencies else 0.0,
    )


def _share(flags: Iterable[object]) -> float:
    values = list(flags)
    return sum(bool(v) for v in values) / len(values) if values else 0.0
