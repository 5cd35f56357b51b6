"""Who is told of new articles, and what each has been told of already.

A subscriber is a chat (a person's private chat, or a group subscribed by one of its admins)
with `seen_up_to`: the highest article id it has been told of, or that existed when it
subscribed, so a new subscriber is not sent the back catalogue. Article ids only grow (an
updated article keeps its id, a new one gets a higher id than any before: bot/store/knowledge.py,
Writer.upsert), so "the articles with an id above seen_up_to" are exactly the ones it has
not heard of.

Never twice: a subscriber's seen_up_to is moved forward (`claim`) before its notice is sent,
in its own committed write that succeeds only if nobody moved it first. A crash between the
write and the send loses that one notice; it never repeats one, across restarts, crashes
and several processes (docs/TELEGRAM.md, "Subscriptions").
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.sentences import split_sentences
from bot.service import NewArticles, NewsService
from bot.store.sqlite_files import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    chat_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    since REAL NOT NULL,
    seen_up_to INTEGER NOT NULL
);
"""
MAX_LISTED = 10  # articles named in one notice; the rest are counted ("and 5 more")


@dataclass(frozen=True)
class Subscriber:
    """A chat told of new articles: its kind ("private", "group", "supergroup"), since when,
    and the highest article id it knows of."""

    chat_id: int
    kind: str
    since: float
    seen_up_to: int


@dataclass(frozen=True)
class Notice:
    """What one subscriber is to be told: the articles after its seen_up_to."""

    subscriber: Subscriber
    news: NewArticles


def subscriptions_path_for(database_path: str | Path) -> Path:
    """data/bot.sqlite3 -> data/bot.subscriptions.sqlite3, next to the knowledge base."""
    path = Path(database_path)
    return path.with_name(f"{path.stem}.subscriptions{path.suffix or '.sqlite3'}")


class SubscriptionStore:
    """Subscribers in a SQLite file; thread-safe, and safe to share between processes."""

    def __init__(self, path: str | Path) -> None:
        self._lock = threading.Lock()
        self._conn = connect(path)
        # A claim must outlive a power cut too, or a notice could be sent again after one;
        # one fsync per notice is nothing beside Telegram's 30 messages a second.
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def subscribe(self, chat_id: int, kind: str, seen_up_to: int) -> bool:
        """Add a chat knowing of the articles up to `seen_up_to`; False if already there
        (it keeps what it was told of)."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO subscribers VALUES (?, ?, ?, ?)",
                [chat_id, kind, time.time(), seen_up_to])
        return cursor.rowcount == 1

    def unsubscribe(self, chat_id: int) -> bool:
        """Remove a chat; False if it was not subscribed."""
        with self._lock:
            cursor = self._conn.execute("DELETE FROM subscribers WHERE chat_id = ?", [chat_id])
        return cursor.rowcount == 1

    def is_subscribed(self, chat_id: int) -> bool:
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM subscribers WHERE chat_id = ?", [chat_id]).fetchone()
        return row is not None

    def subscribers(self) -> list[Subscriber]:
        """Every subscriber, oldest subscription first (the order notices go out in)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT chat_id, kind, since, seen_up_to FROM subscribers "
                "ORDER BY since, chat_id").fetchall()
        return [Subscriber(*row) for row in rows]

    def claim(self, chat_id: int, seen_up_to: int, newest: int) -> bool:
        """Record that the chat is told of the articles up to `newest`, if it still knows
        of those up to `seen_up_to` only; False when another run (or process) got there
        first or the chat left: then its notice must not be sent."""
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE subscribers SET seen_up_to = ? WHERE chat_id = ? AND seen_up_to = ?",
                [newest, chat_id, seen_up_to])
        return cursor.rowcount == 1

    def move(self, chat_id: int, new_chat_id: int, kind: str) -> None:
        """A group became a supergroup with a new id: the subscription goes with it."""
        with self._lock, self._conn:
            self._conn.execute("UPDATE OR REPLACE subscribers SET chat_id = ?, kind = ? "
                               "WHERE chat_id = ?", [new_chat_id, kind, chat_id])


def notices(store: SubscriptionStore, service: NewsService,
            listed: int = MAX_LISTED) -> list[Notice]:
    """The subscribers with articles newer than they know of, and those articles (the
    first `listed` of them, and how many in all), read from one view of the knowledge base."""
    subscribers = store.subscribers()
    news = service.new_articles({s.seen_up_to for s in subscribers}, listed)
    return [Notice(s, news[s.seen_up_to]) for s in subscribers if news[s.seen_up_to].total]


def first_sentence(summary: str) -> str:
    """The summary's first sentence: a notice lists several articles, one line each."""
    sentences = split_sentences(" ".join(summary.split()))
    return sentences[0] if sentences else ""
