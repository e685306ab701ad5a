"""An operator's own FAQ, imported as it is: the product's search against plain methods.

An operator imports rows of question and answer, with no extra phrasings. On each
corpus of bench/data/faq_corpora/ (real public Q&A rows and real questions asked
elsewhere, labelled by reading; sources in its README) the rows become a knowledge
base of their own, and one run ranks every query four ways:

- product: `KnowledgeBase.search` as configured;
- bm25: bm25s over the jieba words of each row's question and answer
  (`bench.knowledge_accuracy.Baselines.bm25`);
- vector: m3e-small cosine to each row's question and answer (`Baselines.vector`);
- rrf: reciprocal-rank fusion of bm25 and vector (k = 60).

It prints hit@1 and MRR (ranks past 10 count 0) over the queries a row answers.
The corpora are test data: nothing is tuned on them.

    .venv/bin/python -m bench.knowledge_faq_import
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.knowledge_accuracy import Baselines
from bench.knowledge_context import context
from bench.report import publish
from knowledge import KnowledgeBase, KnowledgeSettings, ensure_index

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "bench" / "data" / "faq_corpora"
DEPTH = 10
# The usual constant of reciprocal-rank fusion (Cormack et al., 2009).
RRF_K = 60
Ranking = Callable[[str], list[str]]


def main() -> None:
    """Rank every corpus's queries four ways; print and publish the figures."""
    figures = {folder.name: run(folder) for folder in sorted(CORPORA.iterdir()) if folder.is_dir()}
    wins = all(
        corpus["product"][metric] > corpus[name][metric]
        for corpus in figures.values()
        for name in ("bm25", "vector", "rrf")
        for metric in ("hit_at_1", "mrr")
    )
    print(f"product beats bm25, vector and rrf on hit@1 and MRR on every corpus: {wins}")
    publish("knowledge_faq_import", {**context("m3e-small"), "corpora": figures, "wins": wins})


def run(folder: Path) -> dict[str, dict[str, float]]:
    """The four rankings' hit@1 and MRR on one corpus."""
    queries = [json.loads(line) for line in _lines(folder / "queries.jsonl")]
    labelled = [(q["query"], q["expected"]) for q in queries if q["expected"]]
    with tempfile.TemporaryDirectory() as scratch:
        base = _imported(folder / "rows.jsonl", Path(scratch))
        rankings = _rankings(base)
        figures = {name: _score(rank, labelled) for name, rank in rankings.items()}
    rows = len(_lines(folder / "rows.jsonl"))
    print(f"\n{folder.name}: {rows} rows, {len(queries)} queries, {len(labelled)} a row answers")
    print(f"{'':10}{'hit@1':>8}{'MRR':>8}")
    for name, values in figures.items():
        print(f"{name:10}{values['hit_at_1']:8.3f}{values['mrr']:8.3f}")
    return figures


def _imported(rows: Path, scratch: Path) -> KnowledgeBase:
    """A knowledge base of the rows alone: id, question and answer, as an operator imports."""
    source = scratch / "entries"
    source.mkdir()
    with (source / "faq.jsonl").open("w", encoding="utf-8") as out:
        for line in _lines(rows):
            row = json.loads(line)
            entry = {"id": row["id"], "question": row["question"], "answer": row["answer"]}
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    settings = KnowledgeSettings(knowledge_source=source)
    ensure_index(settings, folder=scratch / "index")
    return KnowledgeBase.load(settings, scratch / "index")


def _rankings(base: KnowledgeBase) -> dict[str, Ranking]:
    ids = [entry.id for entry in base.retriever.index.entries]
    baselines = Baselines(base.retriever)

    def product(query: str) -> list[str]:
        return [hit.id for hit in base.search(query, DEPTH).hits]

    def ranked(scorer: Callable[[str], npt.NDArray[np.float32]]) -> Ranking:
        return lambda query: [ids[i] for i in np.argsort(-scorer(query), kind="stable")[:DEPTH]]

    bm25, vector = ranked(baselines.bm25), ranked(baselines.vector)

    def rrf(query: str) -> list[str]:
        fused: dict[str, float] = {}
        for ranking in (bm25(query), vector(query)):
            for place, entry_id in enumerate(ranking, start=1):
                fused[entry_id] = fused.get(entry_id, 0.0) + 1.0 / (RRF_K + place)
        return sorted(fused, key=lambda entry_id: -fused[entry_id])[:DEPTH]

    return {"product": product, "bm25": bm25, "vector": vector, "rrf": rrf}


def _score(rank: Ranking, labelled: list[tuple[str, str]]) -> dict[str, float]:
    places = [_place(rank(query), expected) for query, expected in labelled]
    return {
        "hit_at_1": float(np.mean([place == 1 for place in places])),
        "mrr": float(np.mean([1 / place if place else 0.0 for place in places])),
    }


def _place(ranking: list[str], expected: str) -> int | None:
    return ranking.index(expected) + 1 if expected in ranking else None


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


if __name__ == "__main__":
    main()
