"""Vector search over unit vectors with faiss: exact for small sets, HNSW for large ones."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from knowledge.encoder import Vectors

HNSW_NEIGHBOURS = 32
HNSW_BUILD_DEPTH = 80
HNSW_SEARCH_DEPTH = 128


class VectorIndex:
    """Inner-product (cosine) search over the rows of a matrix of unit vectors."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: Vectors, hnsw_min_vectors: int) -> VectorIndex:
        """Index `vectors`; an HNSW graph once there are at least `hnsw_min_vectors`."""
        dimension = vectors.shape[1]
        index: faiss.Index
        if len(vectors) >= hnsw_min_vectors:
            graph = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efConstruction = HNSW_BUILD_DEPTH
            index = graph
        else:
            index = faiss.IndexFlatIP(dimension)
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def search(
        self, query: Vectors, k: int
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Cosine similarities and row numbers of the `k` nearest rows to one query vector."""
        if isinstance(self._index, faiss.IndexHNSW):
            self._index.hnsw.efSearch = max(HNSW_SEARCH_DEPTH, k)
        scores, rows = self._index.search(query.reshape(1, -1), min(k, self._index.ntotal))
        keep = rows[0] >= 0
        return scores[0][keep], rows[0][keep]

    def save(self, path: Path) -> None:
        """Write the index to `path`."""
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Read an index written by `save`."""
        return cls(faiss.read_index(str(path)))
