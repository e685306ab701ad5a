"""Keyword search: BM25 (bm25s) over jieba tokens, scored relative to the question.

A raw BM25 score grows with the question's length and rarity, so it says
little about whether a document answers it. Dividing by the question's own
weight (the summed IDF of its words, unknown words at the highest IDF) gives
the share of the question a document matches: about 1 for a document using all
its words, near 0 for one that shares only common ones.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import bm25s  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt

Scores = npt.NDArray[np.float32]
K1 = 1.2
B = 0.75
# Stands in for a document without any keyword, which bm25s cannot index.
_EMPTY = "\u2400"


class KeywordIndex:
    """BM25 over a list of token lists, one per document, in the order given."""

    def __init__(self, bm25: bm25s.BM25, idf: dict[str, float], documents: int) -> None:
        self._bm25 = bm25
        self._idf = idf
        self._documents = documents
        self._unknown_idf = _idf(documents, 0)

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> KeywordIndex:
        """Index the documents' tokens."""
        corpus = [list(tokens) or [_EMPTY] for tokens in documents]
        bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
        bm25.index(corpus, show_progress=False)
        frequencies = Counter(token for tokens in corpus for token in set(tokens))
        idf = {token: _idf(len(corpus), df) for token, df in frequencies.items()}
        return cls(bm25, idf, len(corpus))

    def scores(self, tokens: Sequence[str]) -> Scores:
        """Each document's BM25 score divided by the question's weight, in [0, ~1.5]."""
        unique = list(dict.fromkeys(tokens))
        known = [token for token in unique if token in self._idf]
        if not known:
            return np.zeros(self._documents, dtype=np.float32)
        weight = sum(self._idf.get(token, self._unknown_idf) for token in unique)
        raw = self._bm25.get_scores(known)
        # lucene BM25 gives a one-off word in an average-length document idf/(1+k1).
        return np.asarray(raw * ((1 + K1) / weight), dtype=np.float32)

    def save(self, folder: Path) -> None:
        """Write the index into `folder`."""
        self._bm25.save(str(folder))
        (folder / "idf.json").write_text(
            json.dumps({"documents": self._documents, "idf": self._idf}, ensure_ascii=False),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """Read an index written by `save`."""
        bm25 = bm25s.BM25.load(str(folder), mmap=False)
        data = json.loads((folder / "idf.json").read_text(encoding="utf-8"))
        return cls(bm25, data["idf"], int(data["documents"]))


def _idf(documents: int, frequency: int) -> float:
    # The IDF of bm25s's "lucene" method, so the weight matches its scores.
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
