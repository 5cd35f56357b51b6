"""Every fact's static vector is written by the load, in step with the facts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
from faults_support import write_corpus

from bot.store.knowledge import KnowledgeBase
from bot.store.loading import PARALLEL_MIN_FILES, load_directory
from bot.text.static_embeddings import from_blobs, shared_static_encoder, to_blobs


def assert_vectors_in_step(kb: KnowledgeBase) -> None:
    """One vector per fact, none left over, each the encoding of its fact's text."""
    rows = kb.db.execute("SELECT id, text FROM facts ORDER BY id").fetchall()
    ids, texts = [r[0] for r in rows], [r[1] for r in rows]
    stored = [r[0] for r in kb.db.execute("SELECT fact_id FROM fact_vectors ORDER BY fact_id")]
    assert stored == ids
    expected = from_blobs(to_blobs(shared_static_encoder().encode(texts)), 256)
    np.testing.assert_array_equal(kb.fact_vectors(ids), expected)


def test_a_load_gives_every_fact_the_vector_of_its_text(loaded_kb: KnowledgeBase) -> None:
    assert loaded_kb.fact_count() > 500
    assert_vectors_in_step(loaded_kb)
    # By vector alone the nearest fact answers the question, in other words than its own.
    ids = [r[0] for r in loaded_kb.db.execute("SELECT id FROM facts ORDER BY id")]
    question = shared_static_encoder().encode(["Which spy agency warned overseas staff?"])[0]
    best = ids[int(np.argmax(loaded_kb.fact_vectors(ids) @ question))]
    text = loaded_kb.db.execute("SELECT text FROM facts WHERE id = ?", [best]).fetchone()[0]
    assert "top intelligence agency has warned" in text


def test_the_parallel_workers_write_the_same_vectors(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "towns"
    write_corpus(folder, PARALLEL_MIN_FILES + 6, version=0)
    report = load_directory(kb, folder)
    assert len(report.added) == PARALLEL_MIN_FILES + 6
    assert_vectors_in_step(kb)


def test_a_reload_with_edited_and_removed_files_keeps_the_vectors_in_step(
    loaded_kb: KnowledgeBase, articles_dir: Path
) -> None:
    path = articles_dir / "GUM_news_flag.txt"
    path.write_text(path.read_text("utf-8") + "\nThe harbour board confirmed the report on "
                    "Friday evening.\n", "utf-8")
    (articles_dir / "000_a398690ca2ed8d76.txt").unlink()
    report = load_directory(loaded_kb, articles_dir)
    assert report.updated == ["GUM_news_flag.txt"]
    assert report.removed == ["000_a398690ca2ed8d76.txt"]
    assert_vectors_in_step(loaded_kb)


def test_a_base_loaded_before_vectors_existed_gets_them_when_opened(
    loaded_kb: KnowledgeBase,
) -> None:
    path = loaded_kb.path
    loaded_kb.close()
    with sqlite3.connect(path) as conn:  # as schema 3 left it: no vectors, no record
        conn.execute("DROP TABLE fact_vectors")
        conn.execute("DELETE FROM meta WHERE key = 'vector_table'")
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
        generation = int(conn.execute(
            "SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
    conn.close()
    reopened = KnowledgeBase(path)
    try:
        assert_vectors_in_step(reopened)
        assert reopened.generation() == generation + 1  # readers' caches see the change
    finally:
        reopened.close()


def test_vectors_from_another_table_are_encoded_again_when_opened(
    loaded_kb: KnowledgeBase,
) -> None:
    path = loaded_kb.path
    loaded_kb.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE fact_vectors SET vector = zeroblob(256)")
        conn.execute("UPDATE meta SET value = 'an older table' WHERE key = 'vector_table'")
    conn.close()
    reopened = KnowledgeBase(path)
    try:
        assert_vectors_in_step(reopened)
    finally:
        reopened.close()
