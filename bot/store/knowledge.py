"""The knowledge base: articles, facts and their FTS5 index in one SQLite file.

Only `Writer` changes facts, and it keeps facts_fts (an external-content FTS5 table) in
step with them in the same transaction.

Every change is one write transaction in WAL mode, so readers on other connections see
the old knowledge base or the new one, never a mix, and a failure mid-way leaves the old
one intact (measured: swapping database files under live WAL readers does not give this).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import sqlite_utils

from bot.ingest.articles import Article
from bot.store import fact_vectors, postings, vector_index
from bot.store.postings import IndexDelta, IndexReader, fact_terms, packed_terms
from bot.store.vector_search import VectorSearch
from bot.text.words import stem

# 2: the fact index (bot/store/postings.py); 3: file_stats; 4: articles_date (/latest);
# 5: fact_vectors (bot/store/fact_vectors.py), the vector index (bot/store/vector_index.py), and
# facts_fts written by the Writer, not by triggers (4x faster: FTS5 flushes its pending
# terms at every trigger's statement savepoint); 6: articles_url (a feed's entries known by
# their article's URL before any request)
SCHEMA_VERSION = 6
BUSY_TIMEOUT_MS = 10_000
# Nearest facts asked of the vector search beyond those wanted: removed facts stay in the
# vector index's lists until compacted (bot/store/vector_index.py) and are skipped.
STALE_ALLOWANCE = 16
# From this many facts `search` uses the fact index instead of FTS5 bm25() (bench.scale): at
# 1,000 articles (23,884 facts) it found 66.6% of XQuAD answers at 3.1 ms p50 against FTS5's
# 65.1% at 5.3 ms; at 100 articles the two tie (74.0% / 74.2%), and small bases keep FTS5,
# which the answer-quality weights were fitted on.
INDEX_MIN_FACTS = 20_000
WRITE_CACHE_KIB = 64 * 1024  # page cache of a loading connection: big loads touch many pages
# A write transaction adds its vocabulary counts to the table every this many distinct words
# (~150 bytes each in a Counter): 825,428 words at 100,000 articles.
VOCABULARY_SPILL = 200_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS file_stats (
    file TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    meta TEXT NOT NULL, file_hash TEXT NOT NULL
) WITHOUT ROWID;
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
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
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
DROP TRIGGER IF EXISTS facts_ai;
DROP TRIGGER IF EXISTS facts_ad;
""" + postings.SCHEMA + fact_vectors.SCHEMA + vector_index.SCHEMA


class FileStat(NamedTuple):
    """A file as last seen by a load: if its size, time and sidecar entry are the same
    again, it is the file that was loaded and is not read."""

    size: int
    mtime_ns: int
    meta: str  # the parser version and sidecar entry's digest (bot.store.loading._digest)
    file_hash: str


class Candidate(NamedTuple):
    """A fact `KnowledgeBase.search` found, with its bm25: negative, lower is better,
    as FTS5 gives it."""

    fact_id: int
    article_id: int
    position: int
    text: str
    key_rank: int | None
    bm25: float


@dataclass(frozen=True)
class FileStatChanges:
    """file_stats rows to write and to delete, in the transaction of a load."""

    rows: dict[str, FileStat]
    gone: list[str]

    def __bool__(self) -> bool:
        return bool(self.rows or self.gone)

    def write(self, db: sqlite_utils.Database) -> None:
        db.conn.executemany("INSERT OR REPLACE INTO file_stats VALUES (?, ?, ?, ?, ?)",
                            [(name, *stat) for name, stat in self.rows.items()])
        db.conn.executemany("DELETE FROM file_stats WHERE file = ?", [(n,) for n in self.gone])


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
# Dates stored in ISO form (bot/ingest/articles.py makes them so when it can parse them):
# only these have a place in a newest-first order, and as text they sort as dates do.
ISO_DATE = "date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"
EVERY_DAY = ("0000-00-00", "9999-99-99")  # a span no ISO date falls outside


def _capitalised_unquoted(text: str, word: str) -> bool:
    """Whether `text` writes a form of `word` ("Seamans" for "seaman") capitalised other than
    as a quotation's first word, which the quotation capitalises ("“Ne pleure pas")."""
    forms = re.finditer(rf"(?<![“\"‘'«\w]){re.escape(word[:1].upper())}\w*", text)
    return any(stem(form.group()) == stem(word) for form in forms)


class KnowledgeBase:
    """Open (and create) the SQLite knowledge base; one reader connection per thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._vector_search = VectorSearch()
        self._reader: IndexReader | None = None
        self._reader_lock = threading.Lock()
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
        if version < SCHEMA_VERSION:
            with _write_transaction(db):
                for statement in _statements(SCHEMA):
                    db.execute(statement)
                if version < 2:
                    postings.rebuild(db.conn)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                           [str(SCHEMA_VERSION)])
        if not fact_vectors.is_current(db.conn):
            # Facts loaded before vectors existed, or with another table: encoded again
            # here, once, rather than re-parsing every file (docs/ANSWERING.md).
            with _write_transaction(db):
                if not fact_vectors.is_current(db.conn):
                    fact_vectors.rebuild(db.conn)
                    vector_index.rebuild(db.conn, fact_vectors.dims())
                    _next_generation(db)

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

    def latest_articles(self, limit: int = -1, offset: int = 0,
                        span: tuple[str, str] | None = None) -> list[StoredArticle]:
        """Articles with an ISO date, newest first (of one day, the last loaded first), paged;
        `span`: only those dated from its first to its last ISO day, both included
        (`latest_articles(10, span=("2025-10-13", "2025-10-19"))`: that week's newest ten)."""
        first, last = span or EVERY_DAY
        rows = self.db.execute(
            # A date with a time ("2025-10-19T08:00") still belongs to its day.
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {ISO_DATE} "
            "AND date >= ? AND substr(date, 1, 10) <= ? "
            "ORDER BY date DESC, id DESC LIMIT ? OFFSET ?",
            [first, last, int(limit), int(offset)],
        ).fetchall()
        return [StoredArticle(*row) for row in rows]

    def dated_count(self) -> int:
        """How many articles have an ISO date (the rest are left out of `latest_articles`)."""
        return self.db.execute(f"SELECT count(*) FROM articles WHERE {ISO_DATE}").fetchone()[0]

    def article_dates(self, article_ids: Iterable[int]) -> dict[int, str]:
        """The stored date of each of these articles that has one."""
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        rows = self.db.execute(
            f"SELECT id, date FROM articles WHERE id IN ({', '.join('?' * len(ids))}) "
            "AND date IS NOT NULL", ids)
        return dict(rows.fetchall())

    def article(self, article_id: int) -> StoredArticle | None:
        row = self.db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        return StoredArticle(*row) if row else None

    def articles_after(self, article_id: int, limit: int) -> tuple[list[StoredArticle], int]:
        """The first `limit` articles with a higher id than `article_id` (added after it),
        oldest first, and how many there are in all."""
        rows = self.db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            [int(article_id), int(limit)],
        ).fetchall()
        total = self.db.execute("SELECT count(*) FROM articles WHERE id > ?",
                                [int(article_id)]).fetchone()[0]
        return [StoredArticle(*row) for row in rows], total

    def last_article_id(self) -> int:
        """The highest article id ever given, removed articles included."""
        return _last_article_id(self.db)

    def has_url(self, urls: Iterable[str]) -> bool:
        """True when an article loaded gives one of these URLs as its own."""
        found = list(dict.fromkeys(urls))
        if not found:
            return False
        row = self.db.execute(
            f"SELECT 1 FROM articles WHERE url IN ({', '.join('?' * len(found))}) LIMIT 1",
            found).fetchone()
        return row is not None

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

    def used_as_name(self, word: str, sample: int = 50) -> bool:
        """True when the articles use `word` as a name: some fact writes it capitalised after
        its first word ("in Kenya"), or every fact holding it writes it capitalised ("Peyton
        Manning ..." opening each sentence it is in). A sample of the facts is enough."""
        if not word.isalpha():
            return False
        rows = self.db.execute(
            "SELECT f.text FROM facts_fts JOIN facts f ON f.id = facts_fts.rowid "
            "WHERE facts_fts MATCH ? LIMIT ?", [_fts_match([word]), sample]
        ).fetchall()
        inside = re.compile(rf"(?<=[^.!?\s]\s){re.escape(word.capitalize())}\b")
        lower = re.compile(rf"\b{re.escape(word.lower())}")
        return (any(inside.search(row[0]) for row in rows)
                or (bool(rows) and not any(lower.search(row[0]) for row in rows)
                    and any(_capitalised_unquoted(row[0], word) for row in rows)))

    def search(self, terms: Sequence[str], limit: int,
               method: str = "auto") -> list[Candidate]:
        """Facts holding any of the words, best first.

        method "fts" ranks with FTS5 bm25(); "index" with the fact index (bot/store/postings.py),
        which keeps large bases fast; "auto" picks the index from INDEX_MIN_FACTS facts.
        """
        if isinstance(terms, str):  # a string would be searched letter by letter
            raise TypeError("search takes a list of words, not a string")
        if not terms:
            return []
        if method == "auto":
            reader = self.index_reader()
            method = "index" if reader.facts >= INDEX_MIN_FACTS else "fts"
        if method == "fts":
            rows = self.db.execute(
                f"{_FTS_CANDIDATES} ORDER BY bm25(facts_fts) LIMIT ?",
                [_fts_match(terms), int(limit)],
            )
            return [Candidate(*row) for row in rows]
        if method != "index":
            raise ValueError(f"unknown search method: {method!r}")
        best = self.index_reader().search(self.db.conn, list(terms), int(limit))
        return self._candidates([(fact_id, -score) for fact_id, score in best])

    def search_article(self, article_id: int, terms: Sequence[str],
                       limit: int) -> list[Candidate]:
        """An article's facts holding any of the words, best first by FTS5 bm25()."""
        if not terms:
            return []
        first, last = self.db.execute(
            "SELECT min(id), max(id) FROM facts WHERE article_id = ?", [article_id]).fetchone()
        if first is None:
            return []
        # An article's facts are written together, so their ids are one range: FTS5 seeks
        # to it instead of reading every fact holding "died" in a base of 100,000 articles.
        rows = self.db.execute(
            f"{_FTS_CANDIDATES} AND facts_fts.rowid BETWEEN ? AND ? AND f.article_id = ? "
            "ORDER BY bm25(facts_fts) LIMIT ?",
            [_fts_match(terms), first, last, article_id, int(limit)],
        )
        return [Candidate(*row) for row in rows]

    def nearest_in_article(self, article_id: int, vector: np.ndarray,
                           limit: int) -> list[Candidate]:
        """An article's `limit` facts whose static vectors are nearest `vector`, best first,
        with bm25 0: its sentences that say what a question asks in other words."""
        rows = self.db.execute(
            "SELECT id, article_id, position, text, key_rank FROM facts WHERE article_id = ? "
            "ORDER BY id", [article_id]).fetchall()
        if not rows:
            return []
        cosines = self.fact_vectors([row[0] for row in rows]) @ vector
        best = np.argsort(-cosines, kind="stable")[:limit]
        return [Candidate(*rows[i], 0.0) for i in best.tolist()]

    def _candidates(self, found: list[tuple[int, float]]) -> list[Candidate]:
        """(fact id, bm25) as candidates, in that order; a fact no longer loaded is left out."""
        if not found:
            return []
        marks = ", ".join("?" * len(found))
        rows = {row[0]: row for row in self.db.execute(
            f"SELECT id, article_id, position, text, key_rank FROM facts WHERE id IN ({marks})",
            [fact_id for fact_id, _ in found])}
        return [Candidate(*rows[fact_id], bm25) for fact_id, bm25 in found if fact_id in rows]

    def index_reader(self) -> IndexReader:
        """The fact index of the current generation (built once per generation, shared)."""
        generation = self.generation()
        reader = self._reader
        if reader is None or reader.generation != generation:
            with self._reader_lock:
                reader = self._reader
                if reader is None or reader.generation != generation:
                    reader = self._reader = IndexReader(self.db.conn, generation)
        return reader

    def nearest_facts(self, vector: np.ndarray, limit: int) -> list[Candidate]:
        """The `limit` facts whose static vectors are nearest `vector` (a unit vector, as
        bot.text.static_embeddings encodes a question), best first, as candidates with bm25 0
        (the words did not find them)."""
        # Extra ones stand in for removed facts the vector index may still list.
        best = self._vector_search.nearest(self.db.conn, self.generation(), vector,
                                           limit + STALE_ALLOWANCE)
        return self._candidates([(fact_id, 0.0) for fact_id, _ in best])[:limit]

    def fact_vectors(self, fact_ids: Sequence[int]) -> np.ndarray:
        """The facts' static sentence vectors, unit float32 rows in the order asked (zero
        for a fact no longer loaded)."""
        return fact_vectors.read(self.db.conn, list(fact_ids))

    def vocabulary(self) -> dict[str, int]:
        """Every content word with the number of facts it appears in."""
        return dict(self.db.execute("SELECT word, df FROM vocabulary").fetchall())

    def titles(self) -> list[tuple[int, str]]:
        return self.db.execute("SELECT id, title FROM articles").fetchall()

    def stored_files(self) -> dict[str, str]:
        """file -> file hash of what is loaded, to skip unchanged files on reload."""
        return dict(self.db.execute("SELECT file, file_hash FROM articles").fetchall())

    def file_stats(self) -> dict[str, FileStat]:
        """file -> how it looked when last loaded, so a reload need not read it again."""
        rows = self.db.execute("SELECT file, size, mtime_ns, meta, file_hash FROM file_stats")
        return {file: FileStat(*stat) for file, *stat in rows}

    def save_file_stats(self, changes: FileStatChanges) -> None:
        """Record file stats alone (a load that changed no article)."""
        db = self.connect()
        try:
            with _write_transaction(db):
                changes.write(db)
        finally:
            db.close()

    def stored_keys(self) -> dict[str, tuple[str, str]]:
        """source key -> (file, content hash) of every loaded article."""
        rows = self.db.execute("SELECT source_file, file, content_hash FROM articles")
        return {key: (file, chash) for key, file, chash in rows}

    # -- writing -----------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        """One write transaction to feed article by article: committed when the block ends,
        rolled back (the old knowledge base intact) when it raises."""
        db = self.connect()
        db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
        try:
            with _write_transaction(db):
                writer = Writer(db)
                yield writer
                writer.finish()
        finally:
            db.close()


class Writer:
    """The changes of one write transaction, written as they come, in bounded memory.

    Facts are inserted at once; the fact index spills to a temporary table (bot/store/postings.py)
    and the vocabulary counts to their table every VOCABULARY_SPILL words, so a load holds
    neither every article nor every posting.
    """

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.df: Counter[str] = Counter()
        self.delta = IndexDelta(db.conn)
        self.last_id = _last_article_id(db)
        # No article stored (a first load): none to look up and replace.
        self.fresh = db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None
        # Never an id given before: the vector index may still list a removed fact's id.
        most = db.execute("SELECT coalesce(max(id), 0) FROM facts").fetchone()[0]
        self.next_fact = max(_meta_int(db, "last_fact_id"), most) + 1

    def upsert(self, article: Article) -> None:
        """Add or replace an article, its facts, their vectors and index terms (found here
        when the parsing workers did not).

        An updated article keeps its id and a new one never reuses the id of a removed one,
        so the ids front ends hold (buttons, links) stay true.
        """
        article_id = None if self.fresh else self.remove(article.key)
        if article_id is None:
            self.last_id += 1
            article_id = self.last_id
        self._insert(article, article_id)
        if len(self.df) >= VOCABULARY_SPILL:
            self._update_vocabulary()

    def remove(self, key: str) -> int | None:
        """Delete an article and its facts; returns the id it had, if it was there."""
        db = self.db
        row = db.execute("SELECT id FROM articles WHERE source_file = ?", [key]).fetchone()
        if row is None:
            return None
        facts = db.execute("SELECT id, text FROM facts WHERE article_id = ?",
                           [row[0]]).fetchall()
        for fact_id, text in facts:
            words, terms = fact_terms(text)
            self.df.subtract(words)
            self.delta.remove(fact_id, terms)
        db.conn.executemany(
            "INSERT INTO facts_fts(facts_fts, rowid, text) VALUES ('delete', ?, ?)", facts)
        fact_vectors.remove_article(db.conn, row[0])
        db.execute("DELETE FROM facts WHERE article_id = ?", [row[0]])
        db.execute("DELETE FROM articles WHERE id = ?", [row[0]])
        return int(row[0])

    def finish(self) -> None:
        """What the whole transaction adds up to: vocabulary, fact index, generation."""
        self.db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('last_article_id', ?)", [str(self.last_id)]
        )
        self.db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('last_fact_id', ?)", [str(self.next_fact - 1)]
        )
        self._update_vocabulary()
        self.db.execute("DELETE FROM vocabulary WHERE df <= 0")
        self.delta.write()
        vector_index.update(self.db.conn, fact_vectors.dims())
        _next_generation(self.db)

    def _insert(self, article: Article, article_id: int) -> None:
        """Insert an article and its facts, fact ids from next_fact on."""
        self.db.execute(
            "INSERT INTO articles (id, source_file, file, title, section, date, url, source, "
            "license, file_hash, content_hash, summary, fact_count) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [article_id, article.key, article.file, article.title, article.section, article.date,
             article.url, article.source, article.license, article.file_hash,
             article.content_hash, article.summary, len(article.facts)],
        )
        ids = range(self.next_fact, self.next_fact + len(article.facts))
        self.db.conn.executemany(
            "INSERT INTO facts (id, article_id, position, text, key_rank) VALUES (?, ?, ?, ?, ?)",
            [(i, article_id, f.position, f.text, f.key_rank)
             for i, f in zip(ids, article.facts, strict=True)],
        )
        self.db.conn.executemany("INSERT INTO facts_fts(rowid, text) VALUES (?, ?)",
                                 zip(ids, [f.text for f in article.facts], strict=True))
        vectors = article.vectors or fact_vectors.encode([f.text for f in article.facts])
        fact_vectors.write(self.db.conn, ids, vectors)
        packed = article.terms or [packed_terms(f.text) for f in article.facts]
        self.df.update(" ".join(words for words, _ in packed).split())  # one call an article
        for fact_id, (_, terms) in zip(ids, packed, strict=True):
            self.delta.add(fact_id, terms.split())
        self.next_fact += len(article.facts)

    def _update_vocabulary(self) -> None:
        """Add the counts gathered so far to the stored ones (words at 0 go at the end)."""
        self.db.conn.executemany(
            "INSERT INTO vocabulary VALUES (?, ?) ON CONFLICT(word) "
            "DO UPDATE SET df = df + excluded.df",
            [(word, n) for word, n in self.df.items() if n],
        )
        self.df.clear()


def _next_generation(db: sqlite_utils.Database) -> None:
    """Tell readers' caches that what is loaded has changed."""
    db.execute("INSERT INTO meta VALUES ('generation', 1) ON CONFLICT(key) "
               "DO UPDATE SET value = value + 1")


def _meta_int(db: sqlite_utils.Database, key: str) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return int(row[0]) if row else 0


def _last_article_id(db: sqlite_utils.Database) -> int:
    """The highest article id ever given, removed articles included."""
    row = db.execute("SELECT value FROM meta WHERE key = 'last_article_id'").fetchone()
    highest = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
    return max(int(row[0]) if row else 0, highest)


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


# Facts matching an FTS5 query (_fts_match) as Candidate rows, with their bm25().
_FTS_CANDIDATES = ("SELECT f.id, f.article_id, f.position, f.text, f.key_rank, bm25(facts_fts) "
                   "FROM facts_fts JOIN facts f ON f.id = facts_fts.rowid "
                   "WHERE facts_fts MATCH ?")


def _fts_match(terms: Iterable[str]) -> str:
    """An FTS5 OR query of the words, each quoted: no user text can become FTS syntax."""
    forms = dict.fromkeys(form for term in terms for form in _porter_forms(term))
    return " OR ".join('"' + form.replace('"', '""') + '"' for form in forms)


def _porter_forms(term: str) -> list[str]:
    """The word, and the forms FTS5's porter stemmer keeps apart from it: it stems "die" to
    "die" but "died" and "dies" to "di", so "when did he die?" would miss "he died"."""
    if term.endswith("ie"):
        return [term, term + "d", term + "s"]
    if term.endswith(("ied", "ies")):
        return [term, term[:-1]]
    return [term]


def _statements(script: str) -> list[str]:
    """Split a SQL script into statements (trigger bodies hold semicolons too)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return statements
