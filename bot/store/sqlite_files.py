"""The small SQLite files beside the knowledge base (usage, conversations), opened one way.

WAL with synchronous=NORMAL: no fsync per write (16% of a busy bot's time, py-spy), and a
power cut loses at most the last few writes, never the file. One connection per file,
shared by threads under the owner's lock; autocommit, so each statement is its own write.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

BUSY_TIMEOUT_S = 5.0
MEMORY = ":memory:"


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection to `path` (created with its folder; ":memory:" for none). The caller
    runs its own constant schema (no SQL here is built from a variable: test_faults_sql)."""
    if str(path) != MEMORY:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False,
                           isolation_level=None)
    if str(path) != MEMORY:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn
