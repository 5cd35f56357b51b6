"""The fact index for large knowledge bases: fact ids by word stem, scored with numpy.

FTS5's bm25() costs about 4 µs per matching row; over 2.5M facts an OR of a question's
words matches 10^5 rows and took p50 ~190 ms (docs/BENCHMARKS.md, "Scale"). Here each stem's
fact ids are one int32 blob in the same SQLite file, written in the same transaction as
the facts, so a reload stays atomic. A question reads a few blobs and adds idf weights into
a dense array: about 10 ns per matching row.

Scoring is BM25 with tf = 1 (a sentence rarely repeats a content word): for fact f,
    score(f) = norm(f) * sum of idf(t) over the question's stems t in f,
    norm(f)  = (k1 + 1) / (1 + k1 * (1 - b + b * length(f) / average length)),
with length = number of distinct content-word stems. Rarest stems first: the rarest ones,
up to ESSENTIAL_POSTINGS matching rows together (at least one stem), are scored in full;
the RESCORE best facts so far then get the commoner stems' weight by bisecting those
stems' sorted fact ids, so a very common word costs a lookup, not a pass over its rows.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Iterable
from itertools import groupby
from operator import itemgetter

import numpy as np

from bot.text.words import content_words, stem

ID_DTYPE = np.int32
LENGTH_DTYPE = np.uint16
MAX_LENGTH = int(np.iinfo(LENGTH_DTYPE).max)  # looked up once: np.iinfo costs µs a call
CHUNK_BITS = 16  # fact lengths are stored 65,536 to a row
K1 = 1.2
B = 0.75
ESSENTIAL_POSTINGS = 50_000
RESCORE = 2_000
CACHE_BYTES = 64 << 20
# A write transaction keeps at most this many postings in memory before moving them into
# PARTS (4 bytes each, plus ~150 bytes per distinct stem gathered).
SPILL_IDS = 2_000_000
WRITE_TERMS = 10_000  # merged stems written at once at the end of a transaction
PARTS = "temp.postings_parts"

SCHEMA = """
CREATE TABLE IF NOT EXISTS postings (term TEXT PRIMARY KEY, ids BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS fact_lengths (chunk INTEGER PRIMARY KEY, lengths BLOB NOT NULL);
"""


# The index term of a content word: bot.text.words.stem, the re-ranker's stemmer, which caches its
# answers (the function itself, not a wrapper: a load calls it ~30 times a fact).
term_of = stem


def fact_terms(text: str) -> tuple[list[str], set[str]]:
    """A fact's content words (for the vocabulary) and its index terms."""
    words = content_words(text)
    return words, set(map(term_of, words))


def packed_terms(text: str) -> tuple[str, str]:
    """fact_terms as two space-separated strings: a load's workers find them, and two strings
    cross to the writing process faster than two collections of words."""
    words, terms = fact_terms(text)
    return " ".join(words), " ".join(terms)


class IndexDelta:
    """The index changes of one write transaction, in bounded memory.

    Fact ids are gathered per stem in compact arrays; every SPILL_IDS of them are moved into
    a temporary table of the writing connection (and the fact lengths into fact_lengths),
    and `write` merges them into the stored postings stem by stem at the end of the
    transaction. A load of 100,000 articles (~25M postings) would otherwise hold them all as
    Python ints: ~900 MB.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.added: defaultdict[str, array[int]] = defaultdict(_ids)
        self.removed: defaultdict[str, array[int]] = defaultdict(_ids)
        self.length_ids = _ids()  # facts whose length changes, and the new length (0: gone)
        self.length_values = array("H")
        self.pending = 0
        self.part = 0
        # Nothing stored yet (a first load): the merge has no stored ids to look up.
        self.fresh = conn.execute("SELECT 1 FROM postings LIMIT 1").fetchone() is None
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {PARTS} (term TEXT NOT NULL, "
                     "added INTEGER NOT NULL, part INTEGER NOT NULL, ids BLOB NOT NULL, "
                     "PRIMARY KEY (term, added, part)) WITHOUT ROWID")
        conn.execute(f"DELETE FROM {PARTS}")

    def add(self, fact_id: int, terms: Collection[str]) -> None:
        added = self.added
        for term in terms:
            added[term].append(fact_id)
        self._length(fact_id, min(len(terms), MAX_LENGTH) or 1)
        self._count(len(terms))

    def remove(self, fact_id: int, terms: Collection[str]) -> None:
        removed = self.removed
        for term in terms:
            removed[term].append(fact_id)
        self._length(fact_id, 0)
        self._count(len(terms))

    def _length(self, fact_id: int, length: int) -> None:
        self.length_ids.append(fact_id)
        self.length_values.append(length)

    def _count(self, postings: int) -> None:
        self.pending += postings + 1
        if self.pending >= SPILL_IDS:
            self.spill()

    def spill(self) -> None:
        """Move the gathered ids into the temporary table and the lengths into fact_lengths."""
        rows = [(term, flag, self.part, ids.tobytes())
                for flag, lists in ((0, self.removed), (1, self.added))
                for term, ids in lists.items()]
        self.conn.executemany(f"INSERT INTO {PARTS} VALUES (?, ?, ?, ?)", rows)
        self._write_lengths()
        self.added.clear()
        self.removed.clear()
        self.pending = 0
        self.part += 1

    def _write_lengths(self) -> None:
        fact_ids = np.frombuffer(self.length_ids, dtype=ID_DTYPE)
        values = np.frombuffer(self.length_values, dtype=LENGTH_DTYPE)
        chunks = fact_ids >> CHUNK_BITS
        for chunk in np.unique(chunks).tolist():
            row = self.conn.execute("SELECT lengths FROM fact_lengths WHERE chunk = ?",
                                    [chunk]).fetchone()
            lengths = (np.frombuffer(row[0], dtype=LENGTH_DTYPE).copy() if row
                       else np.zeros(1 << CHUNK_BITS, LENGTH_DTYPE))
            here = chunks == chunk
            lengths[fact_ids[here] & ((1 << CHUNK_BITS) - 1)] = values[here]
            self.conn.execute("INSERT OR REPLACE INTO fact_lengths VALUES (?, ?)",
                              [chunk, lengths.tobytes()])
        del fact_ids, values  # views of the arrays, which cannot shrink while exported
        self.length_ids = _ids()
        self.length_values = array("H")

    def write(self) -> None:
        """Merge every change into the stored postings (inside the transaction), one stem
        at a time, writing in batches of WRITE_TERMS stems."""
        self.spill()
        writes: list[tuple[str, bytes]] = []
        deletes: list[tuple[str]] = []
        parts = self.conn.execute(
            f"SELECT term, added, ids FROM {PARTS} ORDER BY term, added, part")
        for term, rows in groupby(parts, key=itemgetter(0)):
            gone, new = _joined(rows)
            ids = self._merged(term, gone, new)
            if len(ids):
                writes.append((term, ids.tobytes()))
            else:
                deletes.append((term,))
            if len(writes) + len(deletes) >= WRITE_TERMS:
                self._store(writes, deletes)
        self._store(writes, deletes)
        self.conn.execute(f"DELETE FROM {PARTS}")

    def _merged(self, term: str, gone: np.ndarray, new: np.ndarray) -> np.ndarray:
        """A stem's stored ids without `gone`, with `new`, kept ascending (search bisects)."""
        if self.fresh and not len(gone):
            return new
        row = self.conn.execute("SELECT ids FROM postings WHERE term = ?", [term]).fetchone()
        ids = np.frombuffer(row[0], dtype=ID_DTYPE) if row else np.empty(0, ID_DTYPE)
        if len(gone):
            ids = _without(ids, gone)
        if len(new):
            ids = np.concatenate([ids, new])
            if len(ids) > len(new) and ids[-len(new) - 1] > new[0]:
                ids = np.sort(ids)
        return ids

    def _store(self, writes: list[tuple[str, bytes]], deletes: list[tuple[str]]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO postings VALUES (?, ?)", writes)
        self.conn.executemany("DELETE FROM postings WHERE term = ?", deletes)
        writes.clear()
        deletes.clear()


def _ids() -> array[int]:
    """An empty array of fact ids, 4 bytes each like ID_DTYPE (a Python int costs 36)."""
    return array("i")


def _joined(rows: Iterable[tuple[str, int, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """The removed and the added ids of one stem's spilled parts, each in spill order."""
    removed: list[bytes] = []
    added: list[bytes] = []
    for _, flag, blob in rows:
        (added if flag else removed).append(blob)
    return (np.frombuffer(b"".join(removed), dtype=ID_DTYPE),
            np.frombuffer(b"".join(added), dtype=ID_DTYPE))


def _without(ids: np.ndarray, gone: np.ndarray) -> np.ndarray:
    """Sorted ids minus `gone`, by bisection (np.isin would sort both arrays)."""
    at = np.minimum(np.searchsorted(ids, gone), max(len(ids) - 1, 0))
    if not len(ids):
        return ids
    return np.delete(ids, at[ids[at] == gone])


def rebuild(conn: sqlite3.Connection) -> None:
    """Index every stored fact from scratch (a database made before the index existed)."""
    conn.execute("DELETE FROM postings")
    conn.execute("DELETE FROM fact_lengths")
    delta = IndexDelta(conn)
    for fact_id, text in conn.execute("SELECT id, text FROM facts"):
        delta.add(fact_id, fact_terms(text)[1])
    delta.write()


class IndexReader:
    """One generation of the index: length norms in memory, postings read when asked for.

    Shared by all threads; each thread scores in its own accumulator array.
    """

    def __init__(self, conn: sqlite3.Connection, generation: int) -> None:
        self.generation = generation
        chunks = conn.execute("SELECT chunk, lengths FROM fact_lengths ORDER BY chunk")
        lengths = np.zeros(0, LENGTH_DTYPE)
        for chunk, blob in chunks:
            part = np.frombuffer(blob, dtype=LENGTH_DTYPE)
            lengths = np.concatenate([lengths, np.zeros(chunk * len(part) - len(lengths),
                                                         LENGTH_DTYPE), part])
        present = lengths > 0
        self.facts = int(present.sum())
        average = float(lengths[present].mean()) if self.facts else 1.0
        self.norm = ((K1 + 1) / (1 + K1 * (1 - B + B * lengths / average))).astype(np.float32)
        self.norm[~present] = 0.0
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    def postings(self, conn: sqlite3.Connection, term: str) -> np.ndarray:
        """The fact ids of a term, from the cache or the database."""
        with self._lock:
            if (ids := self._cache.get(term)) is not None:
                self._cache.move_to_end(term)
                return ids
        row = conn.execute("SELECT ids FROM postings WHERE term = ?", [term]).fetchone()
        ids = np.frombuffer(row[0], dtype=ID_DTYPE) if row else np.empty(0, ID_DTYPE)
        ids = ids[ids < len(self.norm)]  # rows of a newer generation than these norms
        with self._lock:
            self._cache[term] = ids
            self._cached_bytes += ids.nbytes
            while self._cached_bytes > CACHE_BYTES and len(self._cache) > 1:
                _, old = self._cache.popitem(last=False)
                self._cached_bytes -= old.nbytes
        return ids

    def idf(self, df: int) -> float:
        """BM25's idf, as FTS5 and bot.answer.scoring compute it."""
        return math.log((self.facts - df + 0.5) / (df + 0.5) + 1.0)

    def search(self, conn: sqlite3.Connection, words: list[str],
               limit: int) -> list[tuple[int, float]]:
        """The best (fact id, score) pairs for the words, best first (ties: lower id)."""
        terms = dict.fromkeys(term_of(w) for w in words if w)
        lists = sorted((ids for ids in (self.postings(conn, t) for t in terms) if len(ids)),
                       key=len)
        if not lists:
            return []
        essential, total = 1, len(lists[0])
        while essential < len(lists) and total + len(lists[essential]) <= ESSENTIAL_POSTINGS:
            total += len(lists[essential])
            essential += 1
        acc = self._accumulator()
        for ids in lists[:essential]:
            acc[ids] += self.idf(len(ids))
        every = np.concatenate(lists[:essential]) if essential > 1 else lists[0]
        # A fact appears once per matched term, so the best RESCORE * terms entries hold the
        # best RESCORE facts; partitioning avoids sorting every matching row.
        keep = RESCORE * essential
        if len(every) > keep:
            every = every[np.argpartition(-(acc[every] * self.norm[every]), keep - 1)[:keep]]
        best = _distinct(every)
        scores = acc[best]
        for ids in lists[:essential]:
            acc[ids] = 0.0
        for ids in lists[essential:]:  # commoner terms: looked up for the candidates only
            at = np.minimum(np.searchsorted(ids, best), len(ids) - 1)
            scores += np.float32(self.idf(len(ids))) * (ids[at] == best)
        scores *= self.norm[best]
        order = np.lexsort((best, -scores))[:limit]
        return [(int(best[i]), float(scores[i])) for i in order]

    def _accumulator(self) -> np.ndarray:
        acc = getattr(self._local, "acc", None)
        if acc is None:
            acc = self._local.acc = np.zeros(len(self.norm), np.float32)
        return acc


def _distinct(ids: np.ndarray) -> np.ndarray:
    """The sorted distinct ids: np.unique's hashing took 0.9 ms on 10,000 ids, this 0.2 ms."""
    ordered = np.sort(ids)
    if not len(ordered):
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
