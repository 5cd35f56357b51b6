"""An inverted-file (IVF) index of the fact vectors, kept in the knowledge base's SQLite file.

Exact search reads every vector for every question: 2.4M x 256 at 100,000 articles, too
slow and too much memory. Here the vectors are grouped around k-means centroids; a question
reads only the groups ("lists") of its `probes` nearest centroids. The lists are rows of
the knowledge base, written in the load's transaction, so a reload stays all-old or all-new
like everything else, and a serving process holds only the centroids in memory.

A load appends its new facts to their lists as one more chunk each (one per FILE_BATCH new
facts); removed facts stay in the lists until their list is compacted (a fact id is never
given twice, and a fact the search finds that is no longer loaded is skipped). The centroids
are trained again when the facts have doubled since they were trained (docs/ANSWERING.md,
"Vector search").
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS vector_centroids (cluster INTEGER PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS vector_lists (
    cluster INTEGER NOT NULL, chunk INTEGER NOT NULL,
    fact_ids BLOB NOT NULL, vectors BLOB NOT NULL, norms BLOB NOT NULL,
    PRIMARY KEY (cluster, chunk)
) WITHOUT ROWID;
"""
# Below this many facts there is no index: the search reads every vector (exact).
MIN_FACTS = 50_000
FACTS_PER_LIST = 1_500  # k = facts / this, so a list is ~1,500 vectors (~380 kB)
MAX_LISTS = 2_048
TRAIN_SAMPLE = 64_000  # vectors k-means is trained on
TRAIN_ROUNDS = 6
RETRAIN_GROWTH = 2.0  # trained again when the facts have grown this many times
MAX_CHUNKS = 16  # a list with more chunks than this is compacted into one
READ_BATCH = 16_384  # vectors read and assigned at a time (4 MB of int8, 16 MB as float32)
# Vectors written to their lists at a time (32 MB of int8 held): 2.5M facts make 20 chunks a
# list, not 150.
FILE_BATCH = 131_072
ASSIGN_ROWS = 4_096  # vectors compared with every centroid at once (32 MB at 2,048 lists)


def trained_on(conn: sqlite3.Connection) -> int:
    """The number of facts the centroids were trained with (0: no index)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'vector_trained_on'").fetchone()
    return int(row[0]) if row else 0


def centroids(conn: sqlite3.Connection) -> np.ndarray:
    """The centroids as unit float32 rows, in cluster order (empty: no index)."""
    rows = conn.execute("SELECT vector FROM vector_centroids ORDER BY cluster").fetchall()
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    return np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float32).reshape(len(rows), -1)


def update(conn: sqlite3.Connection, dims: int) -> None:
    """Bring the index in line with fact_vectors after a load (inside its transaction):
    built or trained again when the base has grown enough, else the new facts appended."""
    facts = conn.execute("SELECT count(*) FROM fact_vectors").fetchone()[0]
    trained = trained_on(conn)
    if facts < MIN_FACTS:
        if trained:
            _drop(conn)
        return
    if not trained or facts >= RETRAIN_GROWTH * trained:
        _build(conn, facts, dims)
        return
    _append(conn, centroids(conn), _indexed_up_to(conn), dims)


def rebuild(conn: sqlite3.Connection, dims: int) -> None:
    """Every vector was encoded again: the index is made afresh (or dropped when small)."""
    _drop(conn)
    update(conn, dims)


def _drop(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM vector_centroids")
    conn.execute("DELETE FROM vector_lists")
    conn.execute("DELETE FROM meta WHERE key IN ('vector_trained_on', 'vector_indexed_up_to')")


def _build(conn: sqlite3.Connection, facts: int, dims: int) -> None:
    """Train the centroids on a sample and file every vector under its nearest one."""
    _drop(conn)
    start = time.perf_counter()
    lists = min(MAX_LISTS, max(2, facts // FACTS_PER_LIST))
    trained = kmeans(_sample(conn, facts, dims), lists)
    log.info("vector index: %d lists trained on %d facts in %.1f s", lists, facts,
             time.perf_counter() - start)
    conn.executemany("INSERT INTO vector_centroids VALUES (?, ?)",
                     ((i, row.tobytes()) for i, row in enumerate(trained)))
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('vector_trained_on', ?)", [str(facts)])
    _append(conn, trained, 0, dims)
    log.info("vector index: %d facts filed in %.1f s", facts, time.perf_counter() - start)


def _sample(conn: sqlite3.Connection, facts: int, dims: int) -> np.ndarray:
    """An even sample of the vectors (every n-th fact), unit float32."""
    step = max(1, facts // TRAIN_SAMPLE)
    # By id, not by row number: a window over every vector is held in memory (~1 GB at
    # 100,000 articles); ids are nearly dense, so every step-th id is an even sample.
    cursor = conn.execute("SELECT vector FROM fact_vectors WHERE fact_id % ? = 0", [step])
    packed = b"".join(row[0] for row in cursor)
    return unit(np.frombuffer(packed, dtype=np.int8).reshape(-1, dims))


def kmeans(vectors: np.ndarray, k: int, rounds: int = TRAIN_ROUNDS,
           seed: int = 0) -> np.ndarray:
    """Spherical k-means: unit centroids; an emptied cluster keeps its old centroid."""
    rng = np.random.default_rng(seed)
    k = min(k, len(vectors))
    found = vectors[rng.choice(len(vectors), k, replace=False)].copy()
    for _ in range(rounds):
        nearest = _nearest_centroid(vectors, found)
        sums = np.zeros_like(found)
        np.add.at(sums, nearest, vectors)
        counts = np.bincount(nearest, minlength=k)
        found = np.where(counts[:, None] > 0, sums, found)
        found = unit(found)
    return found.astype(np.float32)


def _nearest_centroid(vectors: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Each vector's nearest centroid, ASSIGN_ROWS vectors at a time (all at once, the vectors
    x centroids matrix was 426 MB at 100,000 articles: 64,000 x 1,665 float32), on every
    core: numpy lets go of the GIL in its matrix products, and a load builds its index after
    its parsing workers are done, with the cores idle."""
    nearest = np.empty(len(vectors), dtype=np.int64)
    threads = os.cpu_count() or 1
    rows = max(1, ASSIGN_ROWS // threads)  # the threads together hold one ASSIGN_ROWS product

    def assign(at: int) -> None:
        nearest[at:at + rows] = np.argmax(vectors[at:at + rows] @ found.T, axis=1)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(assign, range(0, len(vectors), rows)))
    return nearest


def _append(conn: sqlite3.Connection, trained: np.ndarray, after: int, dims: int) -> None:
    """File the vectors of facts with ids above `after` as a few more chunks of each list:
    read and assigned READ_BATCH at a time, written FILE_BATCH at a time."""
    last = after
    waiting: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    held = 0
    for ids, rows in _vectors_after(conn, after, dims):
        waiting.append((ids, rows, _nearest_centroid(unit(rows), trained)))
        held += len(ids)
        last = int(ids[-1])
        if held >= FILE_BATCH:
            _file(conn, waiting, dims)
            waiting, held = [], 0
    _file(conn, waiting, dims)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('vector_indexed_up_to', ?)", [str(last)])


def _file(conn: sqlite3.Connection, batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
          dims: int) -> None:
    """Write assigned vectors as one more chunk of each list they fall in. Read batches
    written one by one gave 2.5M facts ~10 vectors a list and batch, a chunk each: every list
    went past MAX_CHUNKS again and again, and its compaction took most of a build."""
    if not batches:
        return
    ids = np.concatenate([b[0] for b in batches])
    rows = np.concatenate([b[1] for b in batches])
    clusters = np.concatenate([b[2] for b in batches])
    order = np.argsort(clusters, kind="stable")
    bounds = np.flatnonzero(np.diff(clusters[order])) + 1
    for part in np.split(order, bounds):
        cluster = int(clusters[part[0]])
        chunk = conn.execute("SELECT coalesce(max(chunk), -1) + 1 FROM vector_lists "
                             "WHERE cluster = ?", [cluster]).fetchone()[0]
        conn.execute("INSERT INTO vector_lists VALUES (?, ?, ?, ?, ?)",
                     [cluster, chunk, ids[part].tobytes(), rows[part].tobytes(),
                      norms_of(rows[part]).tobytes()])
        if chunk >= MAX_CHUNKS:
            _compact(conn, cluster, dims)


def _vectors_after(conn: sqlite3.Connection, after: int,
                   dims: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(fact ids, int8 vectors) of the facts above `after`, in batches, by id."""
    cursor = conn.execute("SELECT fact_id, vector FROM fact_vectors WHERE fact_id > ? "
                          "ORDER BY fact_id", [after])
    while batch := cursor.fetchmany(READ_BATCH):
        ids = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
        rows = np.frombuffer(b"".join(r[1] for r in batch), dtype=np.int8).reshape(
            len(batch), dims)
        yield ids, rows


def _compact(conn: sqlite3.Connection, cluster: int, dims: int) -> None:
    """One chunk for the list, without the facts no longer loaded."""
    ids, rows, norms = read_lists(conn, [cluster], dims)
    live = np.isin(ids, _loaded(conn, ids))
    conn.execute("DELETE FROM vector_lists WHERE cluster = ?", [cluster])
    conn.execute("INSERT INTO vector_lists VALUES (?, 0, ?, ?, ?)",
                 [cluster, ids[live].tobytes(), rows[live].tobytes(), norms[live].tobytes()])


def _loaded(conn: sqlite3.Connection, ids: np.ndarray) -> np.ndarray:
    found: list[int] = []
    for at in range(0, len(ids), 500):
        part = [int(i) for i in ids[at:at + 500]]
        marks = ", ".join("?" * len(part))
        found += [r[0] for r in conn.execute(
            f"SELECT fact_id FROM fact_vectors WHERE fact_id IN ({marks})", part)]
    return np.array(found, dtype=np.int64)


def _indexed_up_to(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'vector_indexed_up_to'").fetchone()
    return int(row[0]) if row else 0


def read_lists(conn: sqlite3.Connection, clusters: list[int],
               dims: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fact ids, int8 vectors, their lengths) filed under the clusters."""
    marks = ", ".join("?" * len(clusters))
    rows = conn.execute(
        f"SELECT fact_ids, vectors, norms FROM vector_lists WHERE cluster IN ({marks})",
        clusters).fetchall()
    ids = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.int64)
    vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8).reshape(-1, dims)
    norms = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32)
    return ids, vectors, norms


def norms_of(rows: np.ndarray) -> np.ndarray:
    """Each int8 vector's length, stored with it: a question then divides its dot products
    by them instead of making every vector it reads unit length (most of its time)."""
    lengths = np.linalg.norm(rows.astype(np.float32), axis=1)
    return np.where(lengths > 0, lengths, 1.0).astype(np.float32)


def probes_for(lists: int) -> int:
    """How many lists a question reads: 8, or 1 in 200 of a larger index. At 100,000
    articles (1,665 lists) 8 read ~13,000 vectors and find 49% of XQuAD answers in the top
    20, 17 read ~29,000 for 54% at twice the time (docs/BENCHMARKS.md, "Vector search")."""
    return max(8, math.ceil(lists / 200))


def unit(rows: np.ndarray) -> np.ndarray:
    """float32 rows of unit length (a zero row stays zero)."""
    vectors = rows.astype(np.float32)  # a copy: the caller's rows stay as they were
    # einsum, not np.linalg.norm: that squares every element into a temporary as big as the
    # rows (65 MB more at a load's peak, the training sample at 100,000 articles).
    norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))[:, None]
    vectors /= np.where(norms > 0, norms, 1.0)  # in place: one training sample is 65 MB
    return vectors
