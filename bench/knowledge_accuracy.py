"""Held-out accuracy of the knowledge search, side by side with plain BM25 and plain vectors.

All three search the same entries in the same run. The held-out set
(bench/data/knowledge_heldout.jsonl) only measures: thresholds of the two
baselines are set on the dev data (the entries' own phrasings, each left out
of the index in turn, and bench/data/knowledge_dev_ood.txt), like the hybrid's.

    .venv/bin/python -m bench.knowledge_accuracy [--index DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.knowledge_context import context
from bench.report import publish
from knowledge import KnowledgeBase, KnowledgeSettings, ensure_index
from knowledge.evaluation import Report, evaluate, read_questions
from knowledge.keyword import KeywordIndex
from knowledge.result import Hit, SearchResult
from knowledge.retriever import Retriever

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "bench" / "data" / "knowledge_heldout.jsonl"
DEV_OOD = ROOT / "bench" / "data" / "knowledge_dev_ood.txt"
Scorer = Callable[[str, int | None], npt.NDArray[np.float32]]


class Baselines:
    """Plain BM25 (jieba words, questions and answers) and plain vectors, entry = best match."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        index = retriever.index
        analyzer = retriever.analyzer
        self._words = analyzer.tokens
        self._normalize = analyzer.normalize
        self._questions = KeywordIndex.build(
            [self._words(self._normalize(p)) for e in index.entries for p in e.phrasings]
        )
        self._answers = KeywordIndex.build(
            [self._words(self._normalize(e.answer)) for e in index.entries]
        )

    def bm25(self, question: str, leave_out: int | None = None) -> npt.NDArray[np.float32]:
        """Per entry: the better of its best phrasing's and its answer's BM25 share."""
        tokens = self._words(self._normalize(question))
        phrasings = self._questions.scores(tokens)
        if leave_out is not None:
            phrasings[leave_out] = 0.0
        index = self.retriever.index
        best = np.maximum.reduceat(phrasings, index.starts[:-1])
        return np.maximum(best, self._answers.scores(tokens))

    def vector(self, question: str, leave_out: int | None = None) -> npt.NDArray[np.float32]:
        """Per entry: the cosine of its closest phrasing or of its answer."""
        index = self.retriever.index
        vector = self.retriever.encoder.encode([self._normalize(question)])[0]
        phrasings = index.phrasing_vectors @ vector
        if leave_out is not None:
            phrasings[leave_out] = -1.0
        best = np.maximum.reduceat(phrasings, index.starts[:-1])
        if index.answer_vectors is not None:
            best = np.maximum(best, index.answer_vectors @ vector)
        return best


def dev_threshold(scorer: Scorer, retriever: Retriever) -> float:
    """The threshold that gets most dev decisions right (OOD weighted as 20 % of questions)."""
    index = retriever.index
    positives: list[tuple[float, bool]] = []
    for number, entry in enumerate(index.entries):
        for offset, phrasing in enumerate(entry.phrasings):
            scores = scorer(phrasing, int(index.starts[number]) + offset)
            positives.append((float(scores.max()), int(scores.argmax()) == number))
    lines = DEV_OOD.read_text(encoding="utf-8").splitlines()
    negatives = [float(scorer(q, None).max()) for q in lines if q.strip() and not q.startswith("#")]
    best = (-1.0, 0.0)
    for threshold in np.unique([s for s, _ in positives] + negatives):
        right = np.mean([ok and s >= threshold for s, ok in positives])
        rejected = np.mean([s < threshold for s in negatives])
        best = max(best, (0.8 * right + 0.2 * rejected, float(threshold)))
    return best[1]


def as_search(
    scorer: Scorer, threshold: float, retriever: Retriever
) -> Callable[[str, int], SearchResult]:
    """A search function over one baseline scorer."""
    entries = retriever.index.entries

    def search(question: str, k: int) -> SearchResult:
        scores = scorer(question, None)
        top = np.argsort(-scores, kind="stable")[:k]
        hits = [Hit(entries[i], float(scores[i])) for i in top]
        return SearchResult(bool(hits) and hits[0].score >= threshold, hits)

    return search


def main() -> None:
    """Evaluate the three searches on the held-out set and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, help="an index of knowledge/entries (else built)")
    arguments = parser.parse_args()
    settings = KnowledgeSettings(knowledge_source=ROOT / "knowledge" / "entries")
    questions = read_questions(HELDOUT)
    with tempfile.TemporaryDirectory() as scratch:
        folder = arguments.index or Path(scratch) / "index"
        ensure_index(settings, folder=folder)
        base = KnowledgeBase.load(settings, folder)
        baselines = Baselines(base.retriever)
        reports: dict[str, Report] = {"hybrid": evaluate(questions, base.search)[0]}
        for name, scorer in (("bm25", baselines.bm25), ("vector", baselines.vector)):
            threshold = dev_threshold(scorer, base.retriever)
            reports[name] = evaluate(questions, as_search(scorer, threshold, base.retriever))[0]
    print(f"held-out set: {HELDOUT.relative_to(ROOT)}")
    _table(reports)
    hybrid = reports["hybrid"]
    print(
        f"targets: hit@1 >= 0.90 ({'met' if hybrid.hit_at_1 >= 0.9 else 'MISSED'}), "
        f"rejection >= 0.85 ({'met' if hybrid.rejection_accuracy >= 0.85 else 'MISSED'})"
    )
    publish(
        "knowledge_accuracy",
        {**context(settings.knowledge_model), **{k: v.to_json() for k, v in reports.items()}},
    )


def _table(reports: dict[str, Report]) -> None:
    rows = [
        ("hit@1", "hit_at_1"),
        ("hit@3", "hit_at_3"),
        ("MRR", "mrr"),
        ("answered correctly", "answered_correctly"),
        ("rejection accuracy", "rejection_accuracy"),
        ("latency p50 ms", "latency_p50_ms"),
        ("latency p95 ms", "latency_p95_ms"),
    ]
    first = next(iter(reports.values()))
    print(f"questions: {first.in_domain} in domain, {first.out_of_domain} out of domain")
    print(f"{'':22}" + "".join(f"{name:>10}" for name in reports))
    for label, field in rows:
        values = "".join(f"{getattr(r, field):>10.3f}" for r in reports.values())
        print(f"{label:22}{values}")


if __name__ == "__main__":
    main()
