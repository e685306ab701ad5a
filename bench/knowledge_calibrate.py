"""Fit the knowledge search's fusion weights and confidence curve on the entries themselves.

Every phrasing of every entry is asked as a question with that phrasing left
out of the index (leave-one-phrasing-out); the out-of-domain questions of
bench/data/knowledge_dev_ood.txt must be rejected. The held-out evaluation set
is never read here. Prints the settings to put into knowledge/settings.py.

    .venv/bin/python -m bench.knowledge_calibrate [--index DIR] [--keep-weights]

`--keep-weights` refits only the confidence curve (after entries gained phrasings,
say), keeping the fusion weights the settings name.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from bench.knowledge_context import context
from bench.report import publish
from knowledge import KnowledgeBase, KnowledgeSettings, ensure_index
from knowledge.retriever import FEATURES, Retriever

ROOT = Path(__file__).resolve().parent.parent
OOD = ROOT / "bench" / "data" / "knowledge_dev_ood.txt"
# The share of out-of-domain questions expected among those asked.
OOD_SHARE = 0.2
Sample = tuple[npt.NDArray[np.float32], npt.NDArray[np.int64], int | None]


def samples(retriever: Retriever) -> list[Sample]:
    """(features, candidates, expected entry or None) for every dev question."""
    index = retriever.index
    found: list[Sample] = []
    for number, entry in enumerate(index.entries):
        for offset, phrasing in enumerate(entry.phrasings):
            text, _ = retriever.prepare(phrasing)
            row = int(index.starts[number]) + offset
            features, candidates = retriever.features(text, leave_out=row)
            found.append((features, candidates, number))
    for line in OOD.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            features, candidates = retriever.features(retriever.prepare(line)[0])
            found.append((features, candidates, None))
    return found


def fit_weights(data: list[Sample], step: float = 0.05) -> npt.NDArray[np.float32]:
    """The weights (a grid over the simplex) with the best leave-one-phrasing-out hit@1."""
    inside = [(f, c, e) for f, c, e in data if e is not None]
    stacked = np.vstack([f for f, _, _ in inside])
    starts = np.cumsum([0] + [len(c) for _, c, _ in inside])[:-1]
    right = np.concatenate([c == e for _, c, e in inside])
    best: tuple[float, npt.NDArray[np.float32]] | None = None
    for weights in _simplex(len(FEATURES), round(1 / step)):
        fused = stacked @ weights
        # The right entry must hold the segment's maximum (ties count against it).
        hit = np.maximum.reduceat(np.where(right, fused, -np.inf), starts) > np.maximum.reduceat(
            np.where(right, -np.inf, fused), starts
        )
        score = float(hit.mean())
        if best is None or score > best[0] + 1e-9:
            best = (score, weights)
    assert best is not None
    return best[1]


def _simplex(dimensions: int, parts: int) -> list[npt.NDArray[np.float32]]:
    """Every weight vector of `dimensions` multiples of 1/parts summing to 1 (stars and bars)."""
    points = []
    for bars in itertools.combinations(range(parts + dimensions - 1), dimensions - 1):
        edges = np.array([-1, *bars, parts + dimensions - 1])
        points.append(((np.diff(edges) - 1) / parts).astype(np.float32))
    return points


def fit_confidence(data: list[Sample], weights: npt.NDArray[np.float32]) -> tuple[float, float]:
    """Platt scaling of the best fused score to P(first hit is right), OOD share weighted."""
    scores, labels = [], []
    for features, candidates, expected in data:
        fused = features @ weights
        scores.append(float(fused.max()))
        labels.append(expected is not None and int(candidates[fused.argmax()]) == expected)
    y = np.array(labels)
    inside = np.array([expected is not None for *_, expected in data])
    sample_weight = np.where(
        inside, 1.0, OOD_SHARE / (1 - OOD_SHARE) * inside.sum() / (~inside).sum()
    )
    model = LogisticRegression(C=100.0).fit(
        np.array(scores)[:, None], y, sample_weight=sample_weight
    )
    slope = float(model.coef_[0][0])
    return slope, float(-model.intercept_[0] / slope)


def summary(
    data: list[Sample], weights: npt.NDArray[np.float32], slope: float, offset: float
) -> dict[str, float]:
    """Leave-one-phrasing-out hit@1, answered-correctly and dev rejection for these settings."""
    hits, answered_right, rejected = [], [], []
    for features, candidates, expected in data:
        fused = features @ weights
        confident = 1 / (1 + np.exp(-slope * (fused.max() - offset))) >= 0.5
        if expected is None:
            rejected.append(not confident)
            continue
        right = int(candidates[fused.argmax()]) == expected
        hits.append(right)
        answered_right.append(right and confident)
    return {
        "loo_hit_at_1": float(np.mean(hits)),
        "loo_answered_correctly": float(np.mean(answered_right)),
        "dev_rejection_accuracy": float(np.mean(rejected)),
    }


def main() -> None:
    """Calibrate and print the settings."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, help="an index of knowledge/entries (else built)")
    parser.add_argument("--keep-weights", action="store_true", help="fit the confidence curve only")
    arguments = parser.parse_args()
    settings = KnowledgeSettings(knowledge_source=ROOT / "knowledge" / "entries")
    with tempfile.TemporaryDirectory() as scratch:
        folder = arguments.index or Path(scratch) / "index"
        if arguments.index is None:
            ensure_index(settings, folder=folder)
        retriever = KnowledgeBase.load(settings, folder).retriever
        data = samples(retriever)
    current = np.array([getattr(settings, f"knowledge_weight_{f}") for f in FEATURES], np.float32)
    print(
        "current settings:",
        summary(
            data, current, settings.knowledge_confidence_slope, settings.knowledge_confidence_offset
        ),
    )
    weights = current if arguments.keep_weights else fit_weights(data)
    slope, offset = fit_confidence(data, weights)
    figures = summary(data, weights, slope, offset)
    print("fitted:", figures)
    for name, value in zip(FEATURES, weights, strict=True):
        print(f"    knowledge_weight_{name}: float = {value:.3f}")
    print(f"    knowledge_confidence_slope: float = {slope:.2f}")
    print(f"    knowledge_confidence_offset: float = {offset:.3f}")
    publish(
        "knowledge_calibrate",
        {
            **context(settings.knowledge_model),
            "weights": dict(zip(FEATURES, map(float, weights), strict=True)),
            "slope": slope,
            "offset": offset,
            **figures,
        },
    )


if __name__ == "__main__":
    main()
