"""What a conversation is about, so a follow-up ("what did he take?") is read in its topic.

A conversation is a short memory of the last answers: which article each came from and which
of its facts were shown. Kept in SQLite and small: ids, positions and times, never what
anyone wrote. It is forgotten after `timeout` seconds without a question, on `forget`
(/new), and only the last MAX_TURNS answers are kept.

Everything goes through `ConversationStore`'s five methods, so a store shared by several bot
processes (Redis, PostgreSQL) can replace the SQLite file: see docs/CONVERSATIONS.md.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.store.sqlite_files import connect

MAX_TURNS = 5  # answers remembered per conversation; only the latest is the topic
MAX_REPLIES = 10_000  # bot messages a reply can continue from, all chats together
DEFAULT_TIMEOUT_S = 30 * 60

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    key TEXT NOT NULL,
    at REAL NOT NULL,
    article_id INTEGER NOT NULL,
    positions TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_key ON turns (key, at);
CREATE TABLE IF NOT EXISTS replies (
    ref TEXT PRIMARY KEY,
    at REAL NOT NULL,
    article_id INTEGER NOT NULL,
    positions TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Turn:
    """One answer: the article it came from and the positions of the facts shown."""

    article_id: int
    positions: tuple[int, ...]
    at: float = 0.0


@dataclass(frozen=True)
class Topic:
    """What a follow-up may lean on: the latest answer's article and facts, and every fact of
    that article already shown in the conversation (so "what else?" shows new ones)."""

    article_id: int
    positions: tuple[int, ...]
    shown: frozenset[int]


def conversation_path_for(database_path: str | Path) -> Path:
    """data/bot.sqlite3 -> data/bot.conversations.sqlite3, next to the knowledge base."""
    path = Path(database_path)
    return path.with_name(f"{path.stem}.conversations{path.suffix or '.sqlite3'}")


def _positions(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(",") if p)


def _text(positions: tuple[int, ...]) -> str:
    return ",".join(str(p) for p in positions)


class ConversationStore:
    """Conversations by key (a private chat, or a person in a group); thread-safe.

    `path=":memory:"` keeps them only for the life of the process (the console chat)."""

    def __init__(self, path: str | Path, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._conn = connect(path)
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _oldest(self, now: float | None = None) -> float:
        """The time before which a turn or a sent message is forgotten."""
        return (time.time() if now is None else now) - self.timeout

    def topic(self, key: str, now: float | None = None) -> Topic | None:
        """The conversation's topic, or None when it is empty or timed out."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT article_id, positions FROM turns WHERE key = ? AND at >= ? "
                "ORDER BY at DESC, rowid DESC", [key, self._oldest(now)]).fetchall()
        if not rows:
            return None
        article_id, positions = rows[0][0], _positions(rows[0][1])
        shown = {p for a, text in rows if a == article_id for p in _positions(text)}
        return Topic(article_id, positions, frozenset(shown))

    def add(self, key: str, turn: Turn) -> None:
        """Remember an answer; drop turns beyond MAX_TURNS and every timed-out one."""
        with self._lock, self._conn:
            self._conn.execute("INSERT INTO turns VALUES (?, ?, ?, ?)",
                               [key, turn.at or time.time(), turn.article_id,
                                _text(turn.positions)])
            self._conn.execute(
                "DELETE FROM turns WHERE key = ? AND rowid NOT IN (SELECT rowid FROM turns "
                "WHERE key = ? ORDER BY at DESC, rowid DESC LIMIT ?)", [key, key, MAX_TURNS])
            self._conn.execute("DELETE FROM turns WHERE at < ?", [self._oldest()])

    def forget(self, key: str) -> None:
        """Start afresh (/new): the next question is read on its own."""
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM turns WHERE key = ?", [key])

    def link(self, ref: str, turn: Turn) -> None:
        """Remember which answer a sent message showed, so a reply to it continues there."""
        with self._lock, self._conn:
            self._conn.execute("INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?)",
                               [ref, turn.at or time.time(), turn.article_id,
                                _text(turn.positions)])
            self._conn.execute(
                "DELETE FROM replies WHERE rowid NOT IN (SELECT rowid FROM replies "
                "ORDER BY at DESC LIMIT ?)", [MAX_REPLIES])

    def replied(self, ref: str, now: float | None = None) -> Turn | None:
        """The answer a message showed, unless older than the time-out."""
        with self._lock:
            row = self._conn.execute(
                "SELECT article_id, positions, at FROM replies WHERE ref = ? AND at >= ?",
                [ref, self._oldest(now)]).fetchone()
        return Turn(row[0], _positions(row[1]), row[2]) if row else None
