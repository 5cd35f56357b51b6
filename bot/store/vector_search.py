"""The facts nearest a question's vector: candidates that share no word with the question.

The lexical search finds facts holding the question's words; a paraphrase ("How many people
live there?" for "a population of 2.4 million") holds none. The nearest static vectors
(bot/store/fact_vectors.py) find those, so answers come from both lists (docs/ANSWERING.md).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass

import numpy as np

from bot.store import vector_index
from bot.text.static_embeddings import from_blobs


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
        return best_of(self.fact_ids, self.vectors @ query.astype(np.float32), limit)


@dataclass(frozen=True)
class ListIndex:
    """The centroids of one generation's vector index (bot/store/vector_index.py); the lists
    themselves are read from the knowledge base for each question."""

    generation: int
    centroids: np.ndarray

    def nearest(self, conn: sqlite3.Connection, query: np.ndarray,
                limit: int) -> list[tuple[int, float]]:
        """(fact id, cosine) of the nearest facts filed under the question's nearest lists."""
        if limit <= 0 or not np.any(query):
            return []
        query = query.astype(np.float32)
        probes = min(vector_index.probes_for(len(self.centroids)), len(self.centroids))
        clusters = np.argpartition(-(self.centroids @ query), probes - 1)[:probes]
        ids, rows, norms = vector_index.read_lists(
            conn, sorted(int(c) for c in clusters), self.centroids.shape[1])
        return best_of(ids, (rows @ query) / norms, limit)


def best_of(fact_ids: np.ndarray, cosines: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """(fact id, cosine) of the `limit` highest cosines, best first."""
    if limit < len(cosines):
        top = np.argpartition(-cosines, limit)[:limit]
    else:
        top = np.arange(len(cosines))
    top = top[np.argsort(-cosines[top], kind="stable")]
    return [(int(fact_ids[i]), float(cosines[i])) for i in top]


class VectorSearch:
    """Nearest-fact search over a knowledge base's vectors: exact over one matrix for a
    small base, through the vector index for a large one. What it keeps per generation is
    read once and shared by every thread."""

    def __init__(self) -> None:
        self._cached: VectorMatrix | ListIndex | None = None
        self._lock = threading.Lock()

    def nearest(self, conn: sqlite3.Connection, generation: int, query: np.ndarray,
                limit: int) -> list[tuple[int, float]]:
        """(fact id, cosine) of about the `limit` facts nearest `query`, best first; read
        through `conn`, inside the caller's snapshot. A fact the index still lists after
        its article was removed may be among them: the caller looks the ids up."""
        searcher = self._for(conn, generation, len(query))
        if isinstance(searcher, ListIndex):
            return searcher.nearest(conn, query, limit)
        return searcher.nearest(query, limit)

    def _for(self, conn: sqlite3.Connection, generation: int,
             dims: int) -> VectorMatrix | ListIndex:
        cached = self._cached
        if cached is None or cached.generation != generation:
            with self._lock:
                cached = self._cached
                if cached is None or cached.generation != generation:
                    centroids = vector_index.centroids(conn)
                    cached = self._cached = (
                        ListIndex(generation, centroids) if len(centroids)
                        else read_matrix(conn, generation, dims))
        return cached


def read_matrix(conn: sqlite3.Connection, generation: int, dims: int) -> VectorMatrix:
    """Every stored fact vector as one float32 matrix."""
    rows = conn.execute("SELECT fact_id, vector FROM fact_vectors ORDER BY fact_id").fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    vectors = from_blobs([r[1] for r in rows], dims) if rows else np.zeros((0, dims),
                                                                          np.float32)
    return VectorMatrix(generation, ids, vectors)
