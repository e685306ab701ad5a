"""Vector search over unit vectors with faiss: exact for small sets, HNSW for large ones.

faiss (a native library) is imported when an index is first built, read or written,
not with this module: the index and retriever modules that name VectorIndex also
hold light parts (the fusion weights, the identifier table) that the unit tests use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.encoder import Vectors

HNSW_NEIGHBOURS = 32
HNSW_BUILD_DEPTH = 80
HNSW_SEARCH_DEPTH = 128


def _faiss() -> Any:
    """The faiss module, imported on first use (see this module's docstring)."""
    import faiss

    return faiss


def cosines(vectors: Vectors, query: Vectors) -> npt.NDArray[np.float32]:
    """`vectors @ query` for unit rows and one unit query, computed on the calling thread.

    numpy's `@` hands a product of this size to BLAS's thread pool, whose threads then
    spin waiting for more work: measured at ~30 ms of CPU after every search for
    ~0.5 ms of arithmetic (bench.knowledge_cpu). einsum without `optimize` does not
    call BLAS.
    """
    products: npt.NDArray[np.float32] = np.einsum("ij,j->i", vectors, query)
    return products


class VectorIndex:
    """Inner-product (cosine) search over the rows of a matrix of unit vectors."""

    def __init__(self, index: Any) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: Vectors, hnsw_min_vectors: int) -> VectorIndex:
        """Index `vectors`; an HNSW graph once there are at least `hnsw_min_vectors`."""
        faiss = _faiss()
        dimension = vectors.shape[1]
        index: Any
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
        if isinstance(self._index, _faiss().IndexHNSW):
            self._index.hnsw.efSearch = max(HNSW_SEARCH_DEPTH, k)
        scores, rows = self._index.search(query.reshape(1, -1), min(k, self._index.ntotal))
        keep = rows[0] >= 0
        return scores[0][keep], rows[0][keep]

    def save(self, path: Path) -> None:
        """Write the index to `path`."""
        _faiss().write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Read an index written by `save`."""
        return cls(_faiss().read_index(str(path)))
