"""The facts nearest a question's vector: candidates that share no word with the question.

The lexical search finds facts holding the question's words; a paraphrase ("How many people
live there?" for "a population of 2.4 million") holds none. The nearest static vectors
(bot/fact_vectors.py) find those, so answers come from both lists (docs/ANSWERING.md).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass

import numpy as np

from bot.static_embeddings import from_blobs


@dataclass(frozen=True)
class VectorMatrix:
    """Every fact's unit vector of one knowledge-base generation, rows in fact-id order."""

    generation: int
    fact_ids: np.ndarray  # int64
    vectors: np.ndarray  # float32, one unit row per fact

    def nearest(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """(fact id, cosine) of the `limit` facts nearest `query` (a unit vector), best first."""
        if not len(self.fact_ids) or limit <= 0 or not np.any(query):
            return []
        cosines = self.vectors @ query.astype(np.float32)
        if limit < len(cosines):
            top = np.argpartition(-cosines, limit)[:limit]
        else:
            top = np.arange(len(cosines))
        top = top[np.argsort(-cosines[top], kind="stable")]
        return [(int(self.fact_ids[i]), float(cosines[i])) for i in top]


class VectorSearch:
    """Nearest-fact search over a knowledge base's vectors, read once per generation and
    shared by every thread (the matrix is the same for all of them)."""

    def __init__(self) -> None:
        self._matrix: VectorMatrix | None = None
        self._lock = threading.Lock()

    def matrix(self, conn: sqlite3.Connection, generation: int, dims: int) -> VectorMatrix:
        """The vectors of `generation`, read through `conn` (inside the caller's snapshot)."""
        matrix = self._matrix
        if matrix is None or matrix.generation != generation:
            with self._lock:
                matrix = self._matrix
                if matrix is None or matrix.generation != generation:
                    matrix = self._matrix = read_matrix(conn, generation, dims)
        return matrix


def read_matrix(conn: sqlite3.Connection, generation: int, dims: int) -> VectorMatrix:
    """Every stored fact vector as one float32 matrix."""
    rows = conn.execute("SELECT fact_id, vector FROM fact_vectors ORDER BY fact_id").fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    vectors = from_blobs([r[1] for r in rows], dims) if rows else np.zeros((0, dims),
                                                                          np.float32)
    return VectorMatrix(generation, ids, vectors)
