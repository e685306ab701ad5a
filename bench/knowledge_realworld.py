"""Real taxpayers' invoice questions: how often the product answers right, wrong, or not at all.

The sets (bench/data/realq_test.jsonl, held out; bench/data/realq_dev.jsonl, for
calibration; sources in bench/data/realq_sources.md) hold public taxpayer questions,
each labelled by reading with `expected_ids`: the entries whose answer answers it
(empty when the base does not cover it). One line each:
{"question", "source", ..., "expected_ids": [...]}.

The product's reply to a question is what the bot does with the search result:
- **answer**: `answered` is true and the first hit is shown as the answer; right
  when that entry is expected, wrong otherwise (also when nothing is expected);
- **declined**: a question about another tax (`out_of_scope`);
- **suggested**: "您是想问……吗？" with the hits the bot shows (score ≥ 0.2, at most 3);
- **offered a person**: nothing close.

Figures: wrong answers as a share of all questions (target ≤ 5 %), right answers as
a share of the questions the base covers (target ≥ 70 %). The table of every
question is printed too. `--sweep` (dev set only) prints the figures over answer
thresholds, for choosing KNOWLEDGE_ANSWER_THRESHOLD.

    .venv/bin/python -m bench.knowledge_realworld [--set test|dev] [--index DIR] [--sweep]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.knowledge_context import context
from bench.report import publish
from knowledge import KnowledgeBase, KnowledgeSettings, SearchResult, ensure_index

ROOT = Path(__file__).resolve().parent.parent
SETS = {"test": ROOT / "bench/data/realq_test.jsonl", "dev": ROOT / "bench/data/realq_dev.jsonl"}
# What the bot shows below the answer threshold (bot/actions/knowledge.py).
SUGGESTION_CONFIDENCE = 0.2
SUGGESTIONS = 3
WRONG_TARGET, RIGHT_TARGET = 0.05, 0.70


@dataclass(frozen=True)
class Asked:
    """One question of a set, what should answer it, and what search gave."""

    question: str
    source: str
    expected: frozenset[str]
    result: SearchResult

    def outcome(self, threshold: float) -> str:
        """right, wrong, declined, suggested or person, answering at `threshold`."""
        hits = self.result.hits
        if hits and hits[0].score >= threshold:
            return "right" if hits[0].id in self.expected else "wrong"
        if self.result.out_of_scope:
            return "declined"
        return "suggested" if self.suggestions() else "person"

    def suggestions(self) -> list[str]:
        """The entries the bot would offer as "您是想问……吗？"."""
        shown = [hit for hit in self.result.hits if hit.score >= SUGGESTION_CONFIDENCE]
        return [hit.id for hit in shown[:SUGGESTIONS]]


def main() -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=sorted(SETS), default="test")
    parser.add_argument("--index", type=Path, help="an index of knowledge/entries (else built)")
    parser.add_argument("--sweep", action="store_true", help="figures over thresholds (dev)")
    arguments = parser.parse_args()
    if arguments.sweep and arguments.set == "test":
        parser.error("--sweep chooses settings, so it runs on the dev set only")
    run(arguments.set, arguments.index, arguments.sweep)


def run(name: str, index: Path | None, sweep: bool) -> None:
    """Search every question of the set and print the table and the figures."""
    rows = [json.loads(line) for line in SETS[name].read_text(encoding="utf-8").splitlines()]
    settings = KnowledgeSettings(knowledge_source=ROOT / "knowledge" / "entries")
    with tempfile.TemporaryDirectory() as scratch:
        folder = index or Path(scratch) / "index"
        ensure_index(settings, folder=folder)
        base = KnowledgeBase.load(settings, folder)
        asked = [
            Asked(
                row["question"],
                row["source"],
                frozenset(row["expected_ids"]),
                base.search(row["question"], 5),
            )
            for row in rows
        ]
    threshold = settings.knowledge_answer_threshold
    _table(asked, threshold)
    if sweep:
        for candidate in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
            print(f"threshold {candidate:.2f}: {json.dumps(figures(asked, candidate))}")
    publish(
        f"knowledge_realworld_{name}",
        {
            "set": str(SETS[name].relative_to(ROOT)),
            "threshold": threshold,
            "subject_penalty": settings.knowledge_subject_penalty,
            **figures(asked, threshold),
            "targets": {
                "wrong_of_all_at_most": WRONG_TARGET,
                "right_of_covered_at_least": RIGHT_TARGET,
            },
            **context(settings.knowledge_model),
        },
    )


def figures(asked: list[Asked], threshold: float) -> dict[str, object]:
    """Counts of each outcome, the two target shares, and suggestions that held the answer."""
    outcomes = Counter(question.outcome(threshold) for question in asked)
    covered = [question for question in asked if question.expected]
    right_of_covered = sum(q.outcome(threshold) == "right" for q in covered)
    suggested_right = sum(
        q.outcome(threshold) == "suggested" and bool(q.expected & set(q.suggestions()))
        for q in asked
    )
    return {
        "questions": len(asked),
        "covered": len(covered),
        "outcomes": dict(sorted(outcomes.items())),
        "wrong_of_all": round(outcomes["wrong"] / len(asked), 3),
        "right_of_covered": round(right_of_covered / max(len(covered), 1), 3),
        "right_of_all": round(outcomes["right"] / len(asked), 3),
        "suggested_with_the_right_entry": suggested_right,
    }


def _table(asked: list[Asked], threshold: float) -> None:
    print(
        "outcome    score  shown (first hit)                      expected               question"
    )
    for question in asked:
        top = question.result.hits[0] if question.result.hits else None
        shown = f"{top.score:.2f}  {top.id:<38}" if top else "-     " + " " * 38
        expected = ",".join(sorted(question.expected)) or "(none)"
        print(f"{question.outcome(threshold):<10} {shown} {expected:<22} {question.question}")


if __name__ == "__main__":
    main()
