"""Questions asked and feedback given, for /stats; a SQLite file of its own.

Kept apart from the knowledge base so that logging a question never waits on a reload's
write transaction. Questions are stored without who asked them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.store.sqlite_files import connect

TOP_UNANSWERED = 5
MAX_STORED_CHARS = 500  # a question is for counting, not archiving

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    asked_at TEXT NOT NULL DEFAULT (datetime('now')),
    text TEXT NOT NULL,
    answered INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    question_id INTEGER PRIMARY KEY REFERENCES questions(id),
    helpful INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class UsageStats:
    """What /stats shows about use (the knowledge base's counts come from the service)."""

    questions: int
    answered: int
    helpful: int
    not_helpful: int
    top_unanswered: list[tuple[str, int]] = field(default_factory=list)

    @property
    def answered_share(self) -> float:
        return self.answered / self.questions if self.questions else 0.0


def usage_path_for(database_path: str | Path) -> Path:
    """data/bot.sqlite3 -> data/bot.usage.sqlite3, next to the knowledge base."""
    path = Path(database_path)
    return path.with_name(f"{path.stem}.usage{path.suffix or '.sqlite3'}")


class UsageLog:
    """Record questions and feedback; safe to call from many threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = connect(self.path)
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def record_question(self, text: str, answered: bool) -> int:
        """Store one question (normalised whitespace, cut short) and return its id."""
        text = " ".join(text.split())[:MAX_STORED_CHARS]
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO questions (text, answered) VALUES (?, ?)", [text, int(answered)]
            )
            return int(cursor.lastrowid or 0)

    def record_feedback(self, question_id: int, helpful: bool) -> bool:
        """Store (or change) the verdict on an answer; False when the question is unknown."""
        with self._lock:
            if not self._conn.execute(
                "SELECT 1 FROM questions WHERE id = ?", [question_id]
            ).fetchone():
                return False
            self._conn.execute(
                "INSERT INTO feedback VALUES (?, ?) ON CONFLICT(question_id) "
                "DO UPDATE SET helpful = excluded.helpful",
                [question_id, int(helpful)],
            )
            return True

    def stats(self, top: int = TOP_UNANSWERED) -> UsageStats:
        """Counts, feedback and the most frequent unanswered questions (case-insensitive)."""
        with self._lock:
            questions, answered = self._conn.execute(
                "SELECT count(*), coalesce(sum(answered), 0) FROM questions"
            ).fetchone()
            helpful, not_helpful = self._conn.execute(
                "SELECT coalesce(sum(helpful), 0), coalesce(sum(1 - helpful), 0) FROM feedback"
            ).fetchone()
            rows = self._conn.execute(
                "SELECT min(text), count(*) AS n FROM questions WHERE answered = 0 "
                "GROUP BY lower(text) ORDER BY n DESC, min(id) LIMIT ?",
                [top],
            ).fetchall()
        return UsageStats(questions, answered, helpful, not_helpful,
                          [(text, n) for text, n in rows])
