"""Finding entries for a question: identifiers first, then keywords and vectors, fused.

Each candidate entry gets five features, all roughly in [0, 1]: the cosine of
the question to the entry's closest phrasing, to the mean of its phrasings and
to its answer, and the keyword match with its phrasings and with its answer.
Their weighted sum is mapped through a logistic curve fitted on the entries'
own phrasings, so a hit's score reads as the chance that it is the answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge.encoder import Encoder
from knowledge.entry import Entry
from knowledge.identifiers import find_identifiers, replace_unknown
from knowledge.index import KnowledgeIndex
from knowledge.result import Hit, SearchResult
from knowledge.settings import KnowledgeSettings
from knowledge.text import TextAnalyzer
from knowledge.vector import cosines

# How many entries each of keyword and vector search proposes for fusion.
CANDIDATES = 30
# Phrasings fetched from the vector index to propose entries from.
NEAREST_PHRASINGS = 100
FEATURES = (
    "question_vector",
    "centroid_vector",
    "answer_vector",
    "question_keywords",
    "answer_keywords",
)


@dataclass(frozen=True)
class Weights:
    """Fusion weights per feature and the logistic calibration of the fused score."""

    features: npt.NDArray[np.float32]
    slope: float
    offset: float
    threshold: float
    subject_penalty: float = 1.0

    @classmethod
    def from_settings(cls, settings: KnowledgeSettings) -> Weights:
        """The weights the settings name."""
        values = [getattr(settings, f"knowledge_weight_{name}") for name in FEATURES]
        return cls(
            np.array(values, dtype=np.float32),
            settings.knowledge_confidence_slope,
            settings.knowledge_confidence_offset,
            settings.knowledge_answer_threshold,
            settings.knowledge_subject_penalty,
        )

    def confidence(self, score: float) -> float:
        """The calibrated chance, 0–1, that an entry with this fused score answers."""
        return 1.0 / (1.0 + math.exp(-self.slope * (score - self.offset)))


class Retriever:
    """Searches one loaded index with one encoder and analyzer."""

    def __init__(
        self, index: KnowledgeIndex, encoder: Encoder, analyzer: TextAnalyzer, weights: Weights
    ) -> None:
        self.index = index
        self.encoder = encoder
        self.analyzer = analyzer
        self._weights = weights
        self._known = set(index.identifiers)
        self._subjects = [analyzer.subjects(_text_of(entry, analyzer)) for entry in index.entries]

    def prepare(self, question: str) -> tuple[str, list[int]]:
        """The text to search for `question`, and the entries its identifiers name exactly."""
        text = self.analyzer.normalize(question)
        identifiers = find_identifiers(text)
        exact = [n for i in identifiers for n in self.index.identifiers.get(i.value, [])]
        return replace_unknown(text, identifiers, self._known), exact

    def search(self, question: str, k: int) -> SearchResult:
        """The `k` best entries for `question`, identifier matches first.

        An entry that does not name every specific subject the question names
        (subjects.yaml) has its confidence multiplied by the subject penalty,
        so it can be suggested but not given as the answer.
        """
        text, exact = self.prepare(question)
        entries, scores = self.rank(text)
        asked = self.analyzer.subjects(text)
        # Entries an identifier names come first, in the order of their fused score.
        exact_set = set(exact)
        first = [n for n in entries if n in exact_set]
        first += [n for n in dict.fromkeys(exact) if n not in set(first)]
        hits = [self._hit(int(n), 1.0) for n in first[:k]]
        rest = [
            self._hit(int(number), self._confidence(int(number), float(score), asked))
            for number, score in zip(entries, scores, strict=True)
            if number not in exact_set
        ]
        hits += sorted(rest, key=lambda hit: -hit.score)
        hits = hits[:k]
        answered = bool(hits) and hits[0].score >= self._weights.threshold
        declined = self.analyzer.out_of_scope(asked) if not answered else frozenset()
        return SearchResult(answered, hits, tuple(sorted(declined)))

    def _confidence(self, number: int, score: float, asked: frozenset[str]) -> float:
        confidence = self._weights.confidence(score)
        if asked - self._subjects[number]:
            confidence *= self._weights.subject_penalty
        return confidence

    def rank(self, text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Candidate entries for normalised text and their fused scores, best first."""
        features, candidates = self.features(text)
        scores = features @ self._weights.features
        order = np.argsort(-scores, kind="stable")
        return candidates[order], scores[order]

    def features(
        self, text: str, leave_out: int | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """The feature matrix (candidates × FEATURES) and the candidates' entry numbers.

        `leave_out` hides one phrasing row, as if the entry lacked it: calibration
        asks each phrasing as a question the rest of the knowledge base must answer.
        """
        index = self.index
        tokens = self.analyzer.keywords(text)
        phrasing_keywords = index.question_keywords.scores(tokens)
        if leave_out is not None:
            phrasing_keywords[leave_out] = 0.0
        question_keywords = np.maximum.reduceat(phrasing_keywords, index.starts[:-1])
        answer_keywords = index.answer_keywords.scores(tokens)
        vector = self.encoder.encode([text])[0]
        _, rows = index.vectors.search(vector, NEAREST_PHRASINGS + 1)
        rows = rows[rows != leave_out] if leave_out is not None else rows
        candidates = np.unique(
            np.concatenate(
                [
                    _top(question_keywords, CANDIDATES),
                    _top(answer_keywords, CANDIDATES),
                    index.owners[rows][: CANDIDATES * 3],
                ]
            )
        )
        keywords = np.stack([question_keywords[candidates], answer_keywords[candidates]], axis=1)
        return self._matrix(vector, candidates, np.minimum(keywords, 1.0), leave_out), candidates

    def _matrix(
        self,
        vector: npt.NDArray[np.float32],
        candidates: npt.NDArray[np.int64],
        keywords: npt.NDArray[np.float32],
        leave_out: int | None,
    ) -> npt.NDArray[np.float32]:
        index = self.index
        starts, lengths = index.starts[candidates], np.diff(index.starts)[candidates]
        segments = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        # The phrasing rows of every candidate, one run after another.
        rows = np.repeat(starts - segments, lengths) + np.arange(int(lengths.sum()))
        similarities = cosines(index.phrasing_vectors[rows], vector)
        centroid = cosines(index.centroids[candidates], vector)
        if leave_out is not None:
            similarities[rows == leave_out] = -1.0
            self._centroid_without(vector, candidates, centroid, leave_out)
        closest = np.maximum.reduceat(similarities, segments)
        # Without answer vectors the centroid stands in, keeping scores on one scale.
        answer = (
            cosines(index.answer_vectors[candidates], vector)
            if index.answer_vectors is not None
            else centroid
        )
        return np.column_stack([closest, centroid, answer, keywords]).astype(np.float32)

    def _centroid_without(
        self,
        vector: npt.NDArray[np.float32],
        candidates: npt.NDArray[np.int64],
        centroid: npt.NDArray[np.float32],
        leave_out: int,
    ) -> None:
        index = self.index
        owner = int(np.searchsorted(index.starts, leave_out, side="right") - 1)
        position = np.flatnonzero(candidates == owner)
        rows = [r for r in range(index.starts[owner], index.starts[owner + 1]) if r != leave_out]
        if len(position) and rows:
            mean = index.phrasing_vectors[rows].sum(axis=0)
            centroid[position] = mean @ vector / max(float(np.linalg.norm(mean)), 1e-12)

    def _hit(self, number: int, score: float) -> Hit:
        return Hit(self.index.entries[number], round(score, 4))


def _text_of(entry: Entry, analyzer: TextAnalyzer) -> str:
    return analyzer.normalize(" ".join((*entry.phrasings, entry.answer, *entry.tags)))


def _top(scores: npt.NDArray[np.float32], count: int) -> npt.NDArray[np.int64]:
    count = min(count, len(scores))
    top = np.argpartition(-scores, count - 1)[:count]
    return top[scores[top] > 0]
