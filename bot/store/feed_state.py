"""What the feed reader remembers between runs, in a SQLite file next to the knowledge base.

Each feed's validators (ETag, Last-Modified) for the next conditional request and its last
result for /stats; each entry tried, by the feed's id for it (else its link), with the date
the feed gave it, so an entry whose article was saved is fetched again only when the feed says
it was updated, and a failed one is tried a few times more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from bot.store.sqlite_files import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    checked_at TEXT,
    failing_since TEXT,
    error TEXT,
    new_articles INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    failed_pages INTEGER NOT NULL DEFAULT 0,
    page_error TEXT
);
CREATE TABLE IF NOT EXISTS entries (
    feed TEXT NOT NULL,
    entry TEXT NOT NULL,
    link TEXT NOT NULL,
    saved INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    tried_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated TEXT,
    PRIMARY KEY (feed, entry)
);
CREATE INDEX IF NOT EXISTS saved_links ON entries (link) WHERE saved = 1;
"""
# Files made before entries kept the feed's date for them.
ADD_UPDATED = "ALTER TABLE entries ADD COLUMN updated TEXT"


def feed_state_path_for(database_path: str | Path) -> Path:
    """data/bot.sqlite3 -> data/bot.feeds.sqlite3, next to the knowledge base."""
    path = Path(database_path)
    return path.with_name(f"{path.stem}.feeds{path.suffix or '.sqlite3'}")


@dataclass(frozen=True)
class EntryState:
    """What is remembered of a feed entry: whether its article was saved (by this entry or
    any feed's entry with the same link), the attempts made on it, and the date the feed
    gave it when it was last tried (None: not remembered)."""

    saved: bool = False
    attempts: int = 0
    updated: str | None = None
    remembered: bool = False  # this feed's entry was seen before


@dataclass(frozen=True)
class FeedStatus:
    """A feed's last result as /stats shows it (times in UTC, "YYYY-MM-DD HH:MM:SS")."""

    url: str
    checked_at: str | None = None  # None: never read yet
    failing_since: str | None = None  # the first failure of the current run of failures
    error: str | None = None
    new_articles: int = 0
    unchanged: bool = False
    failed_pages: int = 0
    page_error: str | None = None


class FeedState:
    """The feed reader's memory; one round at a time uses it (opened per round)."""

    def __init__(self, path: str | Path) -> None:
        self._conn = connect(path)
        self._conn.executescript(SCHEMA)
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(entries)")}
        if "updated" not in columns:
            self._conn.execute(ADD_UPDATED)

    def __enter__(self) -> FeedState:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def validators(self, url: str) -> dict[str, str]:
        """The conditional request headers for the feed's next read ({} for a full read)."""
        row = self._conn.execute("SELECT etag, last_modified FROM feeds WHERE url = ?",
                                 [url]).fetchone()
        etag, modified = row or (None, None)
        headers = {"If-None-Match": etag} if etag else {}
        return headers | ({"If-Modified-Since": modified} if modified else {})

    def entry_state(self, feed: str, entry: str, link: str) -> EntryState:
        """What is remembered of the entry; saved too when any feed's entry with the same
        link was saved."""
        row = self._conn.execute("SELECT saved, attempts, updated FROM entries WHERE "
                                 "feed = ? AND entry = ?", [feed, entry]).fetchone()
        saved, attempts, updated = row or (0, 0, None)
        if not saved:
            saved = self._conn.execute("SELECT 1 FROM entries WHERE link = ? AND saved = 1",
                                       [link]).fetchone() is not None
        return EntryState(bool(saved), int(attempts), updated, row is not None)

    def record_entry(self, feed: str, entry: str, link: str, error: str | None,
                     updated: str | None = None) -> None:
        """One more attempt on the entry, dated `updated` by the feed: saved (error None) or
        failed with `error`. A new date starts the count of attempts afresh."""
        self._conn.execute(
            "INSERT INTO entries (feed, entry, link, saved, attempts, error, updated) "
            "VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT(feed, entry) DO UPDATE SET "
            "link = excluded.link, saved = excluded.saved, attempts = CASE WHEN "
            "excluded.updated IS entries.updated THEN attempts + 1 ELSE 1 END, "
            "error = excluded.error, tried_at = datetime('now'), updated = excluded.updated",
            [feed, entry, link, int(error is None), error, updated])

    def record_known(self, feed: str, entry: str, link: str, updated: str | None) -> None:
        """An entry whose article is loaded already (found by its link, not fetched): saved
        as of the feed's date for it, so only a later date fetches it again."""
        self._conn.execute(
            "INSERT INTO entries (feed, entry, link, saved, attempts, updated) "
            "VALUES (?, ?, ?, 1, 0, ?) ON CONFLICT(feed, entry) DO UPDATE SET "
            "link = excluded.link, saved = 1, updated = excluded.updated",
            [feed, entry, link, updated])

    def record_read(self, url: str, validators: dict[str, str], new_articles: int = 0,
                    unchanged: bool = False, failed_pages: int = 0,
                    page_error: str | None = None) -> None:
        """A successful read: the validators for the next request ({}: ask in full next
        time) and what it brought; ends a run of failures."""
        self._conn.execute(
            "INSERT INTO feeds (url) VALUES (?) ON CONFLICT(url) DO NOTHING", [url])
        self._conn.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, checked_at = datetime('now'), "
            "failing_since = NULL, error = NULL, new_articles = ?, unchanged = ?, "
            "failed_pages = ?, page_error = ? WHERE url = ?",
            [validators.get("etag"), validators.get("last-modified"), new_articles,
             int(unchanged), failed_pages, page_error, url])

    def record_unchanged(self, url: str) -> None:
        """An unchanged feed (304): a successful read that brought nothing."""
        self._conn.execute(
            "UPDATE feeds SET checked_at = datetime('now'), failing_since = NULL, "
            "error = NULL, new_articles = 0, unchanged = 1, failed_pages = 0, "
            "page_error = NULL WHERE url = ?", [url])

    def record_failure(self, url: str, error: str) -> None:
        """A read that failed; the validators stay, the failure run keeps its start."""
        self._conn.execute(
            "INSERT INTO feeds (url) VALUES (?) ON CONFLICT(url) DO NOTHING", [url])
        self._conn.execute(
            "UPDATE feeds SET checked_at = datetime('now'), "
            "failing_since = coalesce(failing_since, datetime('now')), error = ? "
            "WHERE url = ?", [error, url])

    def statuses(self, urls: Iterable[str]) -> list[FeedStatus]:
        """The last result of each of `urls`, in their order (never read: a bare status)."""
        out = []
        for url in urls:
            row = self._conn.execute(
                "SELECT checked_at, failing_since, error, new_articles, unchanged, "
                "failed_pages, page_error FROM feeds WHERE url = ?", [url]).fetchone()
            out.append(FeedStatus(url, row[0], row[1], row[2], row[3], bool(row[4]), row[5],
                                  row[6]) if row else FeedStatus(url))
        return out


def feed_statuses(path: str | Path, urls: Iterable[str]) -> list[FeedStatus]:
    """The feeds' last results, for /stats (blocking; sqlite3.Error if the file is unusable)."""
    with FeedState(path) as state:
        return state.statuses(urls)

