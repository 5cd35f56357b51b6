"""Every fact's static sentence vector, kept beside it in the knowledge base.

Vectors are computed by the load (in its parsing workers) and written in the load's
transaction, so readers see old facts with old vectors or new with new, never a fact
without one; a question then costs one encoding of itself. One row per fact: `dims` int8
bytes (bot.text.static_embeddings.to_blobs), 256 bytes a fact. `meta.vector_table` names the
table the vectors came from: a base loaded before vectors existed, or with another table,
has its facts encoded again when it is opened (all in one transaction).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable, Sequence

import numpy as np

from bot.text.static_embeddings import (
    META_FILE,
    MODEL_DIR,
    from_blobs,
    shared_static_encoder,
    to_blobs,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS fact_vectors (fact_id INTEGER PRIMARY KEY, vector BLOB NOT NULL);
"""
ENCODE_BATCH = 4096  # facts read, encoded and written together when re-encoding a base


@functools.cache
def table_id() -> str:
    """The shipped table's name: its sha256, as bench.distil recorded it."""
    return json.loads((MODEL_DIR / META_FILE).read_text())["table_sha256"]


def dims() -> int:
    """How many numbers a stored vector has (its bytes)."""
    return shared_static_encoder().dims


def encode(texts: Sequence[str]) -> list[bytes]:
    """The stored form of each text's vector."""
    return to_blobs(shared_static_encoder().encode(texts))


def write(conn: sqlite3.Connection, fact_ids: Iterable[int], blobs: Iterable[bytes]) -> None:
    conn.executemany("INSERT OR REPLACE INTO fact_vectors VALUES (?, ?)",
                     zip(fact_ids, blobs, strict=True))


def remove_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Drop the vectors of an article's facts (before the facts themselves go)."""
    conn.execute("DELETE FROM fact_vectors WHERE fact_id IN "
                 "(SELECT id FROM facts WHERE article_id = ?)", [article_id])


def read(conn: sqlite3.Connection, fact_ids: Sequence[int]) -> np.ndarray:
    """Unit vectors of the facts, in the order asked (float32, one row per id). A fact no
    longer loaded gets the zero vector (cosine 0): read outside one snapshot, a reload may
    commit between finding a fact and reading its vector (a load never leaves a loaded
    fact without one)."""
    found: dict[int, bytes] = {}
    for at in range(0, len(fact_ids), 500):  # under SQLite's bound-variable limit
        part = fact_ids[at:at + 500]
        marks = ", ".join("?" * len(part))
        found.update(conn.execute(
            f"SELECT fact_id, vector FROM fact_vectors WHERE fact_id IN ({marks})", part))
    size = dims()
    zero = bytes(size)
    return from_blobs([found.get(i, zero) for i in fact_ids], size)


def is_current(conn: sqlite3.Connection) -> bool:
    """True when the stored vectors came from the shipped table."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'vector_table'").fetchone()
    return row is not None and row[0] == table_id()


def rebuild(conn: sqlite3.Connection) -> None:
    """Encode every fact again with the shipped table (inside the caller's transaction)."""
    conn.execute("DELETE FROM fact_vectors")
    rows = conn.execute("SELECT id, text FROM facts ORDER BY id")
    while batch := rows.fetchmany(ENCODE_BATCH):
        write(conn, [fact_id for fact_id, _ in batch], encode([text for _, text in batch]))
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('vector_table', ?)", [table_id()])
