"""The knowledge base: articles, facts and their FTS5 index in one SQLite file.

Every change is one write transaction in WAL mode, so readers on other connections see
the old knowledge base or the new one, never a mix, and a failure mid-way leaves the old
one intact (measured: swapping database files under live WAL readers does not give this).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from bot.articles import Article
from bot.text import content_words

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    source_file TEXT NOT NULL UNIQUE,
    file TEXT NOT NULL,
    title TEXT NOT NULL,
    section TEXT, date TEXT, url TEXT, source TEXT, license TEXT,
    file_hash TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    summary TEXT NOT NULL,
    fact_count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_file ON articles(file);
CREATE INDEX IF NOT EXISTS articles_content_hash ON articles(content_hash);
CREATE TABLE IF NOT EXISTS facts (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    key_rank INTEGER
);
CREATE INDEX IF NOT EXISTS facts_article ON facts(article_id, position);
CREATE TABLE IF NOT EXISTS vocabulary (word TEXT PRIMARY KEY, df INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS facts_fts USING fts5(
    text, content='facts', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS facts_ai AFTER INSERT ON facts BEGIN
    INSERT INTO facts_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS facts_ad AFTER DELETE ON facts BEGIN
    INSERT INTO facts_fts(facts_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""


@dataclass(frozen=True)
class StoredArticle:
    """An article row as front ends show it."""

    id: int
    title: str
    summary: str
    section: str | None
    date: str | None
    url: str | None
    source: str | None
    source_file: str
    fact_count: int


ARTICLE_COLUMNS = "id, title, summary, section, date, url, source, source_file, fact_count"


class KnowledgeBase:
    """Open (and create) the SQLite knowledge base; one reader connection per thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        with self.connect() as db:
            self._ensure_schema(db)

    def connect(self) -> sqlite_utils.Database:
        """A new connection with WAL and a busy timeout, for one thread's use."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        db = sqlite_utils.Database(conn, execute_plugins=False)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if db.journal_mode != "wal":
            db.enable_wal()
        return db

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's reader connection, opened on first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self.connect()
        return db

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    @staticmethod
    def _ensure_schema(db: sqlite_utils.Database) -> None:
        version = 0
        if db["meta"].exists():
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"database schema {version} is newer than this program ({SCHEMA_VERSION})"
            )
        if version == SCHEMA_VERSION:
            return
        with _write_transaction(db):
            for statement in _statements(SCHEMA):
                db.execute(statement)
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
            )

    # -- reading -----------------------------------------------------------------------

    def generation(self) -> int:
        """A number that changes whenever the loaded articles change (for caches)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def article_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def fact_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM facts").fetchone()[0]

    def articles(self, limit: int = -1, offset: int = 0) -> list[StoredArticle]:
        """Articles in a stable order (by title), paged."""
        rows = self.db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY title COLLATE NOCASE, id "
            "LIMIT ? OFFSET ?",
            [int(limit), int(offset)],
        ).fetchall()
        return [StoredArticle(*row) for row in rows]

    def article(self, article_id: int) -> StoredArticle | None:
        row = self.db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        return StoredArticle(*row) if row else None

    def key_facts(self, article_id: int) -> list[str]:
        """An article's key facts, most informative first."""
        rows = self.db.execute(
            "SELECT text FROM facts WHERE article_id = ? AND key_rank IS NOT NULL "
            "ORDER BY key_rank",
            [article_id],
        )
        return [row[0] for row in rows]

    def facts_of(self, article_id: int) -> list[str]:
        """All of an article's facts in article order."""
        rows = self.db.execute(
            "SELECT text FROM facts WHERE article_id = ? ORDER BY position", [article_id]
        )
        return [row[0] for row in rows]

    def fact_at(self, article_id: int, position: int) -> str | None:
        row = self.db.execute(
            "SELECT text FROM facts WHERE article_id = ? AND position = ?",
            [article_id, position],
        ).fetchone()
        return row[0] if row else None

    def search(self, match: str, limit: int) -> list[tuple]:
        """FTS5 candidates: (fact id, article id, position, text, key_rank, bm25), best first."""
        return self.db.execute(
            "SELECT f.id, f.article_id, f.position, f.text, f.key_rank, bm25(facts_fts) "
            "FROM facts_fts JOIN facts f ON f.id = facts_fts.rowid "
            "WHERE facts_fts MATCH ? ORDER BY bm25(facts_fts) LIMIT ?",
            [match, int(limit)],
        ).fetchall()

    def vocabulary(self) -> dict[str, int]:
        """Every content word with the number of facts it appears in."""
        return dict(self.db.execute("SELECT word, df FROM vocabulary").fetchall())

    def titles(self) -> list[tuple[int, str]]:
        return self.db.execute("SELECT id, title FROM articles").fetchall()

    def stored_files(self) -> dict[str, str]:
        """file -> file hash of what is loaded, to skip unchanged files on reload."""
        return dict(self.db.execute("SELECT file, file_hash FROM articles").fetchall())

    def stored_keys(self) -> dict[str, tuple[str, str]]:
        """source key -> (file, content hash) of every loaded article."""
        rows = self.db.execute("SELECT source_file, file, content_hash FROM articles")
        return {key: (file, chash) for key, file, chash in rows}

    # -- writing -----------------------------------------------------------------------

    def apply(self, upserts: Iterable[Article], removed: Iterable[str]) -> None:
        """Replace and remove articles in one transaction; all of it happens or none."""
        db = self.connect()
        try:
            with _write_transaction(db):
                df: Counter[str] = Counter()
                last_id = self._last_article_id(db)
                for key in removed:
                    self._delete(db, key, df)
                for article in upserts:
                    # An updated article keeps its id and a new one never reuses the id of
                    # a removed one, so the ids front ends hold (buttons, links) stay true.
                    article_id = self._delete(db, article.key, df)
                    if article_id is None:
                        last_id += 1
                        article_id = last_id
                    self._insert(db, article, df, article_id)
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('last_article_id', ?)", [str(last_id)]
                )
                self._update_vocabulary(db, df)
                db.execute(
                    "INSERT INTO meta VALUES ('generation', 1) ON CONFLICT(key) "
                    "DO UPDATE SET value = value + 1"
                )
        finally:
            db.close()

    @staticmethod
    def _last_article_id(db: sqlite_utils.Database) -> int:
        """The highest article id ever given, removed articles included."""
        row = db.execute("SELECT value FROM meta WHERE key = 'last_article_id'").fetchone()
        highest = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
        return max(int(row[0]) if row else 0, highest)

    @staticmethod
    def _delete(db: sqlite_utils.Database, key: str, df: Counter[str]) -> int | None:
        """Delete an article and its facts; returns the id it had, if it was there."""
        row = db.execute("SELECT id FROM articles WHERE source_file = ?", [key]).fetchone()
        if row is None:
            return None
        for (text,) in db.execute("SELECT text FROM facts WHERE article_id = ?", [row[0]]):
            df.subtract(content_words(text))
        db.execute("DELETE FROM facts WHERE article_id = ?", [row[0]])
        db.execute("DELETE FROM articles WHERE id = ?", [row[0]])
        return int(row[0])

    @staticmethod
    def _insert(db: sqlite_utils.Database, article: Article, df: Counter[str],
                article_id: int) -> None:
        cursor = db.execute(
            "INSERT INTO articles (id, source_file, file, title, section, date, url, source, "
            "license, file_hash, content_hash, summary, fact_count) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [article_id, article.key, article.file, article.title, article.section, article.date,
             article.url, article.source, article.license, article.file_hash,
             article.content_hash, article.summary, len(article.facts)],
        )
        article_id = cursor.lastrowid
        db.conn.executemany(
            "INSERT INTO facts (article_id, position, text, key_rank) VALUES (?, ?, ?, ?)",
            [(article_id, f.position, f.text, f.key_rank) for f in article.facts],
        )
        for fact in article.facts:
            df.update(content_words(fact.text))

    @staticmethod
    def _update_vocabulary(db: sqlite_utils.Database, df: Counter[str]) -> None:
        changes = [(word, n) for word, n in df.items() if n]
        db.conn.executemany(
            "INSERT INTO vocabulary VALUES (?, ?) ON CONFLICT(word) "
            "DO UPDATE SET df = df + excluded.df",
            changes,
        )
        db.execute("DELETE FROM vocabulary WHERE df <= 0")



@contextmanager
def _write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One write transaction, all or nothing, taking the write lock at the start.

    BEGIN IMMEDIATE waits (busy_timeout) for another writer to finish; a deferred BEGIN
    would start as a reader and fail at once with "database is locked" when it tries to
    write after another load has committed (measured with two concurrent loads).
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise


def _statements(script: str) -> list[str]:
    """Split a SQL script into statements (trigger bodies hold semicolons too)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return statements
