"""The retriever's per-question products: the same numbers as `@`, on the calling thread."""

from __future__ import annotations

import numpy as np

from knowledge.vector import cosines


def test_cosines_are_the_matrix_vector_product() -> None:
    rows = np.random.default_rng(3).standard_normal((300, 512)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    query = rows[7]
    found = cosines(rows, query)
    assert found.dtype == np.float32 and found.shape == (300,)
    assert np.allclose(found, rows @ query, atol=1e-5)
    assert abs(float(found[7]) - 1.0) < 1e-5
