"""The vector index: a large base is searched through its lists, in step with every load.

The index starts at 50,000 facts; here its thresholds are lowered so the seeds (~650
facts) make a base of several lists, and everything else is the real load and search.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.store import vector_index
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory
from bot.store.vector_search import read_matrix
from bot.text.static_embeddings import shared_static_encoder


@pytest.fixture
def small_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """An index from 300 facts, ~30 facts a list, compacted after 3 chunks."""
    monkeypatch.setattr(vector_index, "MIN_FACTS", 300)
    monkeypatch.setattr(vector_index, "FACTS_PER_LIST", 30)
    monkeypatch.setattr(vector_index, "MAX_CHUNKS", 3)


@pytest.fixture
def folder(tmp_path: Path, articles_dir: Path) -> Path:
    copy = tmp_path / "folder"
    shutil.copytree(articles_dir, copy)
    return copy


def facts(kb: KnowledgeBase) -> dict[int, str]:
    return dict(kb.db.execute("SELECT id, text FROM facts").fetchall())


def nearest_text(kb: KnowledgeBase, text: str) -> str:
    query = shared_static_encoder().encode([text])[0]
    return kb.nearest_facts(query, 1)[0].text


def listed_ids(kb: KnowledgeBase) -> list[int]:
    rows = kb.db.execute("SELECT fact_ids FROM vector_lists").fetchall()
    return np.frombuffer(b"".join(r[0] for r in rows), dtype=np.int64).tolist()


@pytest.mark.usefixtures("small_lists")
def test_a_large_base_is_searched_through_lists_that_find_what_exact_search_finds(
        kb: KnowledgeBase, folder: Path) -> None:
    load_directory(kb, folder)
    loaded = facts(kb)
    assert vector_index.trained_on(kb.db.conn) == len(loaded)
    assert sorted(listed_ids(kb)) == sorted(loaded)  # every fact filed once
    lists = kb.db.execute("SELECT count(DISTINCT cluster) FROM vector_lists").fetchone()[0]
    assert lists > vector_index.probes_for(lists)  # a question reads only some lists
    exact = read_matrix(kb.db.conn, kb.generation(), 256)
    texts = list(loaded.values())[::7]
    agree = 0
    for text in texts:
        query = shared_static_encoder().encode([f"What about {text[:60]}?"])[0]
        best = kb.nearest_facts(query, 1)[0]
        agree += best.fact_id == exact.nearest(query, 1)[0][0]
    assert agree >= 0.9 * len(texts)


@pytest.mark.usefixtures("small_lists")
def test_a_reload_files_new_facts_and_never_returns_removed_ones(
        kb: KnowledgeBase, folder: Path) -> None:
    load_directory(kb, folder)
    gone = sorted(folder.iterdir())[0]
    gone_facts = set(facts(kb).values())
    gone.unlink()
    (folder / "otters.txt").write_text(
        "Otters return to the river Wensum\n\nSea otters were seen in the river Wensum at "
        "Norwich for the first time in ninety years, a wildlife trust said on Monday. The "
        "trust counted eleven otters along four miles of the river bank.\n", encoding="utf-8")
    load_directory(kb, folder)
    now = facts(kb)
    gone_facts -= set(now.values())
    assert gone_facts
    for text in gone_facts:
        found = nearest_text(kb, text)
        assert found in now.values()
        assert found not in gone_facts
    assert "eleven otters" in nearest_text(kb, "How many otters did the trust count?")


@pytest.mark.usefixtures("small_lists")
def test_fact_ids_are_never_given_twice(kb: KnowledgeBase, folder: Path) -> None:
    """A removed fact may still be listed until its list is compacted: a new fact must not
    take its id, or the search would find the new fact by the old one's vector."""
    load_directory(kb, folder)
    last = max(facts(kb))
    newest = kb.db.execute("SELECT file FROM articles ORDER BY id DESC LIMIT 1").fetchone()[0]
    (folder / newest).unlink()
    load_directory(kb, folder)
    (folder / "new.txt").write_text("A new article\n\nIt has one sentence about a kiln.\n",
                                    encoding="utf-8")
    load_directory(kb, folder)
    new_ids = [r[0] for r in kb.db.execute(
        "SELECT f.id FROM facts f JOIN articles a ON a.id = f.article_id "
        "WHERE a.file = 'new.txt'")]
    assert new_ids
    assert min(new_ids) > last


@pytest.mark.usefixtures("small_lists")
def test_lists_are_compacted_and_retrained_as_the_base_changes(
        kb: KnowledgeBase, folder: Path) -> None:
    load_directory(kb, folder)
    first = vector_index.trained_on(kb.db.conn)
    for round_ in range(6):  # edits: each load appends a chunk to the lists it touches
        for path in sorted(folder.iterdir())[:3]:
            path.write_text(path.read_text(encoding="utf-8") + f"\n\nEdit {round_} here.\n",
                            encoding="utf-8")
        load_directory(kb, folder)
    most = kb.db.execute("SELECT max(chunk) FROM vector_lists").fetchone()[0]
    assert most <= vector_index.MAX_CHUNKS
    loaded = set(facts(kb))
    stale = [i for i in listed_ids(kb) if i not in loaded]
    assert len(stale) < len(loaded) / 4  # compaction dropped most of the replaced facts
    for number in range(len(loaded) // 20 + 2):  # the base doubles: trained again
        (folder / f"copy_{number}.txt").write_text(
            f"Harbour report {number}\n\n" + " ".join(
                f"Boat {number}-{i} landed {i * 7} crates of herring at the quay."
                for i in range(25)) + "\n", encoding="utf-8")
    load_directory(kb, folder)
    assert vector_index.trained_on(kb.db.conn) == len(facts(kb)) > 2 * first - 1


def lists_by_cluster(kb: KnowledgeBase) -> tuple[dict[int, list[int]], int]:
    """Each list's fact ids in order (its chunks joined), and the most chunks a list has."""
    rows = kb.db.execute("SELECT cluster, chunk, fact_ids FROM vector_lists "
                         "ORDER BY cluster, chunk").fetchall()
    found: dict[int, list[int]] = {}
    for cluster, _, ids in rows:
        found.setdefault(cluster, []).extend(np.frombuffer(ids, dtype=np.int64).tolist())
    most = kb.db.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM vector_lists "
                         "GROUP BY cluster)").fetchone()[0]
    return found, most


@pytest.mark.usefixtures("small_lists")
def test_a_build_writes_a_chunk_a_list_per_file_batch_not_per_read_batch(
        tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vector_index, "MAX_CHUNKS", 100)
    monkeypatch.setattr(vector_index, "READ_BATCH", 64)
    built = {}
    for file_batch in (256, 1_000_000):
        monkeypatch.setattr(vector_index, "FILE_BATCH", file_batch)
        kb = KnowledgeBase(tmp_path / f"kb-{file_batch}.sqlite3")
        load_directory(kb, folder)
        built[file_batch] = lists_by_cluster(kb)
        kb.close()
    (batched, most), (whole, one) = built[256], built[1_000_000]
    assert batched == whole  # the same lists, ids in the same order
    assert one == 1
    assert 1 < most <= -(-len(facts_of_lists(whole)) // 256)  # ~650 facts: 3 chunks, not 11


def facts_of_lists(lists: dict[int, list[int]]) -> list[int]:
    return [fact for ids in lists.values() for fact in ids]
