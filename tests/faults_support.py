"""Helpers for the fault tests: generated article folders and what a reader can see."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A process that takes the load lock as a load does and holds it until it is killed.
HOLDER = ("import sys, time; from bot.store.load_lock import load_lock\n"
          "with load_lock(sys.argv[1]):\n"
          "    print('holding', flush=True)\n"
          "    time.sleep(600)\n")

SYLLABLES = ["bar", "cor", "del", "fen", "gal", "hur", "ist", "jor", "kel", "lum", "mar",
             "nor", "ost", "pel", "quin", "ros", "sil", "tor", "ulm", "vash", "wen", "yar"]
THINGS = ["bridge", "library", "harbour", "orchard", "observatory", "railway", "museum",
          "stadium", "reservoir", "lighthouse", "market", "theatre", "hospital", "school"]
VERBS = ["approved", "rejected", "postponed", "funded", "reviewed", "celebrated"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def town_name(index: int) -> str:
    """A made-up, unique, pronounceable place name for article `index`."""
    parts = []
    n = index + len(SYLLABLES)  # at least two syllables
    while n:
        n, rest = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[rest])
    return "".join(parts).capitalize()


def article_text(index: int, version: int, rng: random.Random) -> str:
    """A small plain-text news article about one made-up town; `version` changes its facts."""
    town, thing = town_name(index), rng.choice(THINGS)
    votes, day = rng.randint(3, 40) + version * 100, rng.randint(1, 28)
    month = rng.choice(MONTHS)
    return (
        f"{town} council {VERBS[version % len(VERBS)]} the new {thing}\n\n"
        f"{month} {day}, 2024\n\n"
        f"The council of {town} voted {votes} to {rng.randint(0, 2)} on {month} {day} about "
        f"the new {thing} by the river.\n\n"
        f"The mayor of {town} said the {thing} would open in {2025 + version} if the budget "
        f"of {rng.randint(2, 90)} million held.\n\n"
        f"Residents of {town} gathered in the square after the vote (edition {version}).\n"
    )


def write_corpus(folder: Path, count: int, version: int, seed: int = 7,
                 only: range | None = None) -> None:
    """Write `count` articles (or rewrite those in `only`) at `version` into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in only if only is not None else range(count):
        rng = random.Random(seed * 100_003 + index * 31 + version)
        (folder / f"town_{index:04d}.txt").write_text(article_text(index, version, rng),
                                                      encoding="utf-8")


def writer_active(db_path: Path) -> bool:
    """True while another connection holds the write lock (the load's transaction)."""
    conn = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def visible_state(db_path: Path) -> dict:
    """Everything a reader can see, without row ids (which a re-added article changes)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        articles = conn.execute(
            "SELECT source_file, title, file_hash, content_hash, summary, fact_count "
            "FROM articles ORDER BY source_file").fetchall()
        facts = conn.execute(
            "SELECT a.source_file, f.position, f.text, f.key_rank FROM facts f "
            "JOIN articles a ON a.id = f.article_id ORDER BY a.source_file, f.position"
        ).fetchall()
        vocabulary = conn.execute("SELECT word, df FROM vocabulary ORDER BY word").fetchall()
        # Each fact's vector (None if it had none) and any vector left without its fact.
        vectors = conn.execute(
            "SELECT a.source_file, f.position, v.vector FROM facts f "
            "JOIN articles a ON a.id = f.article_id LEFT JOIN fact_vectors v ON v.fact_id = f.id "
            "ORDER BY a.source_file, f.position").fetchall()
        orphans = conn.execute("SELECT count(*) FROM fact_vectors "
                               "WHERE fact_id NOT IN (SELECT id FROM facts)").fetchone()[0]
        return {"articles": articles, "facts": facts, "vocabulary": vocabulary,
                "vectors": vectors, "orphan_vectors": orphans}
    finally:
        conn.close()


def integrity_problems(db_path: Path) -> list[str]:
    """SQLite's and FTS5's own integrity checks; empty when the file is sound."""
    conn = sqlite3.connect(db_path)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        try:
            conn.execute("INSERT INTO facts_fts(facts_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            problems.append(f"fts5: {exc}")
        orphans = conn.execute(
            "SELECT count(*) FROM facts WHERE article_id NOT IN (SELECT id FROM articles)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} facts without an article")
        return problems
    finally:
        conn.close()


@contextmanager
def load_running(db_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the knowledge base's load lock, as a long load does, until
    the block ends: then it is killed (SIGKILL: the kernel, not the process, lets go)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "holding\n"
        yield holder
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
