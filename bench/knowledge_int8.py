"""The int8 encoder against the float one on the held-out sets, in one run.

Two indexes of knowledge/entries, one built and searched with the float ONNX export
and one with its int8 quantization (KNOWLEDGE_INT8), answer the held-out questions of
`knowledge_accuracy`, `knowledge_realworld` (test) and `knowledge_public` with the
hybrid search. The rule (issue 20): int8 stays only while every figure holds within
0.5 point of the float one. Each bench's own baselines (BM25, plain vectors) are left
out: this compares the product's search with itself.

    .venv/bin/python -m bench.knowledge_int8 [--work DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.knowledge_context import context
from bench.knowledge_realworld import SETS, Asked, figures
from bench.report import publish
from knowledge import KnowledgeBase, KnowledgeSettings, ensure_index
from knowledge.evaluation import evaluate, read_questions

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "bench" / "data" / "knowledge_heldout.jsonl"
PUBLIC = ROOT / "bench" / "data" / "knowledge_public.jsonl"
TOLERANCE = 0.005


def held_out_figures(base: KnowledgeBase, threshold: float) -> dict[str, float]:
    """The hybrid's figures on the three held-out sets, as shares."""
    found: dict[str, float] = {}
    for name, path in (("heldout", HELDOUT), ("public", PUBLIC)):
        report, _ = evaluate(read_questions(path), base.search)
        for field in ("hit_at_1", "hit_at_3", "mrr", "answered_correctly", "rejection_accuracy"):
            found[f"{name}.{field}"] = round(float(getattr(report, field)), 4)
    rows = [json.loads(line) for line in SETS["test"].read_text(encoding="utf-8").splitlines()]
    asked = [
        Asked(
            r["question"], r["source"], frozenset(r["expected_ids"]), base.search(r["question"], 5)
        )
        for r in rows
    ]
    realworld = figures(asked, threshold)
    for field in ("wrong_of_all", "right_of_covered", "right_of_all"):
        found[f"realq_test.{field}"] = float(realworld[field])  # type: ignore[arg-type]
    return found


def main() -> None:
    """Build both indexes (unless up to date in --work), evaluate, print the deltas."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-knowledge-int8")
    arguments = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    for weights, int8 in (("float", False), ("int8", True)):
        settings = KnowledgeSettings(
            knowledge_source=ROOT / "knowledge" / "entries", knowledge_int8=int8
        )
        folder = arguments.work / weights
        ensure_index(settings, folder=folder)
        base = KnowledgeBase.load(settings, folder)
        results[weights] = held_out_figures(base, settings.knowledge_answer_threshold)
    worst = 0.0
    print(f"{'':34}{'float':>8}{'int8':>8}{'delta':>8}")
    for field, value in results["float"].items():
        delta = results["int8"][field] - value
        # Fewer wrong answers is better; for every other figure, more is.
        loss = delta if field.endswith("wrong_of_all") else -delta
        worst = max(worst, loss)
        print(f"{field:34}{value:8.3f}{results['int8'][field]:8.3f}{delta:+8.3f}")
    holds = worst <= TOLERANCE
    print(f"largest loss {worst * 100:.1f} points; within 0.5 point: {'yes' if holds else 'NO'}")
    publish(
        "knowledge_int8",
        {**context("m3e-small"), **results, "largest_loss": round(worst, 4), "holds": holds},
    )


if __name__ == "__main__":
    main()
