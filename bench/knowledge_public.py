"""Real taxpayer questions from public web pages: hybrid search against plain BM25 and vectors.

One run searches the same entries three ways and prints hit@1, hit@3, MRR (rows
with an expected entry) and rejection accuracy (rows with none):

- hybrid: `KnowledgeBase.search`, as configured (identifiers, fused features,
  calibrated confidence);
- bm25: bm25s over the jieba words of every phrasing and, separately, of every
  answer; an entry scores the better of its best phrasing and its answer;
- vector: m3e-small cosine of the question to every phrasing and answer; an
  entry scores its closest one.

The baselines are `bench.knowledge_accuracy.Baselines`, with their rejection
thresholds set on the dev data as there. The set (bench/data/knowledge_public.jsonl,
sources in bench/README.md) is a test set: nothing is tuned on it.

    .venv/bin/python -m bench.knowledge_public [--index DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bench.knowledge_accuracy import Baselines, as_search, dev_threshold
from bench.knowledge_context import context
from bench.report import publish
from knowledge import KnowledgeBase, KnowledgeSettings, ensure_index
from knowledge.evaluation import EVAL_K, Question, Report, evaluate, read_questions
from knowledge.result import SearchResult

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "bench" / "data" / "knowledge_public.jsonl"
Search = Callable[[str, int], SearchResult]
# Paired bootstrap of the hybrid's lead over each baseline.
RESAMPLES = 10_000
SEED = 20260101


def main() -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, help="an index of knowledge/entries (else built)")
    run(parser.parse_args().index)


def run(index: Path | None) -> None:
    """Evaluate the three searches on the public set and print and publish the figures."""
    questions = read_questions(PUBLIC)
    kinds = [json.loads(line)["kind"] for line in _lines(PUBLIC)]
    settings = KnowledgeSettings(knowledge_source=ROOT / "knowledge" / "entries")
    with tempfile.TemporaryDirectory() as scratch:
        folder = index or Path(scratch) / "index"
        ensure_index(settings, folder=folder)
        base = KnowledgeBase.load(settings, folder)
        baselines = Baselines(base.retriever)
        searches: dict[str, Search] = {"hybrid": base.search}
        thresholds: dict[str, float] = {}
        for name, scorer in (("bm25", baselines.bm25), ("vector", baselines.vector)):
            thresholds[name] = dev_threshold(scorer, base.retriever)
            searches[name] = as_search(scorer, thresholds[name], base.retriever)
        results = {name: evaluate(questions, search) for name, search in searches.items()}
    reports = {name: report for name, (report, _) in results.items()}
    ranks = {name: _ranks(questions, records) for name, (_, records) in results.items()}

    print(f"public set: {PUBLIC.relative_to(ROOT)} (sources: bench/README.md)")
    _table(reports)
    leads = {name: _lead(ranks["hybrid"], ranks[name]) for name in ("bm25", "vector")}
    for name, lead in leads.items():
        print(
            f"hybrid - {name}: hit@1 {lead['hit_at_1']:+.3f} "
            f"[{lead['hit_at_1_low']:+.3f}, {lead['hit_at_1_high']:+.3f}], "
            f"MRR {lead['mrr']:+.3f} [{lead['mrr_low']:+.3f}, {lead['mrr_high']:+.3f}] "
            f"(95 % paired bootstrap); first place won/lost {lead['won']}/{lead['lost']}"
        )
    beats = all(
        reports["hybrid"].hit_at_1 > reports[name].hit_at_1
        and reports["hybrid"].mrr > reports[name].mrr
        for name in ("bm25", "vector")
    )
    print(f"hybrid beats both baselines on hit@1 and MRR: {'yes' if beats else 'NO'}")
    by_kind = _by_kind(questions, kinds, ranks)
    _kind_table(by_kind)
    publish(
        "knowledge_public",
        {
            **context(settings.knowledge_model),
            "data": str(PUBLIC.relative_to(ROOT)),
            "baseline_thresholds": thresholds,
            **{name: report.to_json() for name, report in reports.items()},
            "hybrid_lead": leads,
            "by_kind": by_kind,
            "hybrid_beats_both": beats,
        },
    )


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _ranks(questions: Sequence[Question], records: list[dict[str, object]]) -> list[int | None]:
    """Per question with an expected entry, the rank of that entry (None: not in the top EVAL_K)."""
    return [
        question.rank(record["ids"] if isinstance(record["ids"], list) else [])
        for question, record in zip(questions, records, strict=True)
        if question.accepted
    ]


def _lead(hybrid: list[int | None], baseline: list[int | None]) -> dict[str, float | int]:
    """The hybrid's lead in hit@1 and MRR, with 95 % paired bootstrap intervals."""
    first = np.array([r == 1 for r in hybrid], dtype=float) - np.array(
        [r == 1 for r in baseline], dtype=float
    )
    reciprocal = np.array([1 / r if r else 0.0 for r in hybrid]) - np.array(
        [1 / r if r else 0.0 for r in baseline]
    )
    rng = np.random.default_rng(SEED)
    samples = rng.integers(0, len(first), size=(RESAMPLES, len(first)))
    first_means = first[samples].mean(axis=1)
    reciprocal_means = reciprocal[samples].mean(axis=1)
    return {
        "hit_at_1": float(first.mean()),
        "hit_at_1_low": float(np.percentile(first_means, 2.5)),
        "hit_at_1_high": float(np.percentile(first_means, 97.5)),
        "mrr": float(reciprocal.mean()),
        "mrr_low": float(np.percentile(reciprocal_means, 2.5)),
        "mrr_high": float(np.percentile(reciprocal_means, 97.5)),
        "won": int((first > 0).sum()),
        "lost": int((first < 0).sum()),
    }


def _by_kind(
    questions: Sequence[Question], kinds: list[str], ranks: dict[str, list[int | None]]
) -> dict[str, dict[str, object]]:
    """hit@1 and MRR of each search per kind of source (rows with an expected entry)."""
    inside = [kind for question, kind in zip(questions, kinds, strict=True) if question.accepted]
    totals = Counter(kinds)
    table: dict[str, dict[str, object]] = {}
    for kind in sorted(totals):
        rows = [i for i, k in enumerate(inside) if k == kind]
        figures: dict[str, object] = {"questions": totals[kind], "in_domain": len(rows)}
        for name, found in ranks.items():
            picked = [found[i] for i in rows]
            figures[name] = {
                "hit_at_1": float(np.mean([r == 1 for r in picked])) if picked else 0.0,
                "mrr": float(np.mean([1 / r if r else 0.0 for r in picked])) if picked else 0.0,
            }
        table[kind] = figures
    return table


def _table(reports: dict[str, Report]) -> None:
    rows = [
        ("hit@1", "hit_at_1"),
        ("hit@3", "hit_at_3"),
        (f"MRR (@{EVAL_K})", "mrr"),
        ("answered correctly", "answered_correctly"),
        ("rejection accuracy", "rejection_accuracy"),
        ("latency p50 ms", "latency_p50_ms"),
    ]
    first = next(iter(reports.values()))
    print(
        f"questions: {first.questions} ({first.in_domain} with an expected entry, "
        f"{first.out_of_domain} that no entry answers)"
    )
    print(f"{'':22}" + "".join(f"{name:>10}" for name in reports))
    for label, field in rows:
        print(f"{label:22}" + "".join(f"{getattr(r, field):>10.3f}" for r in reports.values()))
    print("(baselines reject below a threshold set on the dev data, as in knowledge_accuracy)")


def _kind_table(by_kind: dict[str, dict[str, object]]) -> None:
    print("by kind of source, hit@1 / MRR on rows with an expected entry:")
    for kind, figures in by_kind.items():
        cells = []
        for name in ("hybrid", "bm25", "vector"):
            values = figures[name]
            assert isinstance(values, dict)
            cells.append(f"{name} {values['hit_at_1']:.2f}/{values['mrr']:.2f}")
        print(
            f"  {kind:15} {figures['questions']:>3} rows ({figures['in_domain']:>2} in KB)  "
            + "  ".join(cells)
        )


if __name__ == "__main__":
    main()
