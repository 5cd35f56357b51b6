"""A load streams its articles into one write transaction: bounded memory, still atomic.

A folder is written article by article as the parsing workers deliver the files, so the
loading process never holds every parsed article; readers on other connections still see
the old knowledge base until the one commit.
"""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import pytest
from faults_support import article_text, visible_state, write_corpus, writer_active

from bot.ingest.articles import read_articles
from bot.store import loading
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory

COUNT = 600
EDITIONS = 20  # paragraphs of editions per long article


def write_long_articles(folder: Path, count: int) -> None:
    """Articles of ~EDITIONS * 3 facts each, so that parsed text dominates what a load holds."""
    folder.mkdir(parents=True)
    for index in range(count):
        rng = random.Random(index)
        editions = [article_text(index, version, rng) for version in range(EDITIONS)]
        bodies = [text.split("\n\n", 2)[2] for text in editions[1:]]
        (folder / f"long_{index:04d}.txt").write_text("\n\n".join([editions[0], *bodies]),
                                                      encoding="utf-8")


def test_a_load_writes_while_files_are_still_parsed_and_readers_see_the_old_base(
        tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    write_corpus(old, COUNT, version=0)
    write_corpus(new, COUNT, version=1)
    db_path = tmp_path / "kb.sqlite3"
    kb = KnowledgeBase(db_path)
    load_directory(kb, old)
    before = visible_state(db_path)
    seen: list[tuple[int, bool, bool]] = []

    def progress(done: int, total: int) -> None:
        if done in (total // 4, total // 2, 3 * total // 4):
            seen.append((done, writer_active(db_path), visible_state(db_path) == before))

    report = load_directory(kb, new, progress)
    # Files still to parse, and the transaction already holds the ones before them ...
    assert [(active, old_seen) for _, active, old_seen in seen] == [(True, True)] * 3
    # ... and commits them all at once.
    assert len(report.updated) == COUNT
    assert visible_state(db_path) != before
    kb.close()


def test_a_load_does_not_keep_every_parsed_article(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "articles"
    write_long_articles(folder, COUNT)
    # Each of the 2 workers parses at most one chunk of 16 files ahead of the writer.
    monkeypatch.setattr(loading, "PARALLEL_CHUNK", 16)
    monkeypatch.setattr(loading, "CHUNKS_AHEAD", 1)
    tracemalloc.start()
    try:
        # Holding every parsed article: a tenth of them parsed here, times ten (alike files).
        tenth = [read_articles(path, folder) for path in sorted(folder.iterdir())[::10]]
        all_parsed = tracemalloc.get_traced_memory()[0] * 10
        del tenth
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        kb = KnowledgeBase(tmp_path / "kb.sqlite3")
        report = load_directory(kb, folder)
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert len(report.added) == COUNT
    # The load keeps a few chunks of the parsed articles, not all of them.
    assert peak < all_parsed / 2, (peak, all_parsed)
    kb.close()
