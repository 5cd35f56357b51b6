"""The knowledge base's SQLite file: schema, WAL, FTS5 with stemming, schema versions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store.knowledge import SCHEMA_VERSION, KnowledgeBase
from bot.store.loading import load_directory
from bot.text.static_embeddings import shared_static_encoder


def test_a_new_knowledge_base_is_in_wal_mode_with_a_schema_version(tmp_path: Path) -> None:
    KnowledgeBase(tmp_path / "kb.sqlite3").close()
    conn = sqlite3.connect(tmp_path / "kb.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert int(version[0]) == SCHEMA_VERSION
        columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
        assert {"title", "section", "date", "url", "source_file", "content_hash",
                "summary"} <= columns
        fact_columns = {row[1] for row in conn.execute("PRAGMA table_info(facts)")}
        assert {"article_id", "position", "text", "key_rank"} <= fact_columns
    finally:
        conn.close()


def test_fts_index_matches_other_forms_of_a_word(loaded_kb: KnowledgeBase) -> None:
    # The seed says "warned" and "warns"; porter stemming lets "warning" find them.
    texts = [row.text for row in loaded_kb.search(["warning"], 50)]
    assert any("has warned that overseas entities" in text for text in texts)


def test_die_finds_died_though_porter_stems_them_apart(loaded_kb: KnowledgeBase) -> None:
    # Porter stems "die" to "die" but "died" to "di": "how did she die?" must still find
    # "She died from infection ..." (the homeopathy seed), and "died" the other way round.
    for word in ("die", "died", "dies"):
        texts = [row.text for row in loaded_kb.search([word], 50)]
        assert any(text.startswith("She died from infection") for text in texts), word


def test_an_article_searched_on_its_own_gives_only_its_facts(kb: KnowledgeBase,
                                                             empty_dir: Path) -> None:
    for name, title, body in (
            ("a.md", "Storm in Texas", "Rain fell. The storm died down by noon. Roads reopened."),
            ("b.md", "Flood in Ohio", "The river rose. Two people died in the flood."),
            ("c.md", "Fire in Utah", "A fire died out after a day. Nobody died.")):
        (empty_dir / name).write_text(f"# {title}\n\n{body}\n", "utf-8")
    load_directory(kb, empty_dir)
    ids = {title: article_id for article_id, title in kb.titles()}
    found = kb.search_article(ids["Flood in Ohio"], ["die"], 10)
    assert [c.text for c in found] == ["Two people died in the flood."]
    assert {c.article_id for c in kb.search_article(ids["Storm in Texas"], ["die"], 10)} == {
        ids["Storm in Texas"]}
    assert kb.search_article(ids["Fire in Utah"], ["river"], 10) == []


def test_an_articles_facts_nearest_in_meaning_come_from_it_alone(kb: KnowledgeBase,
                                                                  empty_dir: Path) -> None:
    # "What did the repairs cost?" shares no word with "The council paid $2 million to fix
    # the bridge.": the static vectors find it among its article's facts, and only there.
    for name, title, body in (
            ("a.md", "Bridge reopens", "The bridge reopened on Monday. The council paid "
             "$2 million to fix the bridge. Traffic was light."),
            ("b.md", "School repairs", "The school roof was repaired. Repairs cost the "
             "town $40,000. Classes start in May.")):
        (empty_dir / name).write_text(f"# {title}\n\n{body}\n", "utf-8")
    load_directory(kb, empty_dir)
    ids = {title: article_id for article_id, title in kb.titles()}
    vector = shared_static_encoder().encode(["What did the repairs cost?"])[0]
    found = kb.nearest_in_article(ids["Bridge reopens"], vector, 2)
    assert {c.article_id for c in found} == {ids["Bridge reopens"]}
    assert found[0].text == "The council paid $2 million to fix the bridge."
    assert len(kb.nearest_in_article(ids["School repairs"], vector, 10)) == 3


def test_fts_index_folds_accents(kb: KnowledgeBase, empty_dir: Path) -> None:
    (empty_dir / "cafe.md").write_text(
        "# Café owners protest\n\nCafé owners in Zürich protested against the new rent rules.\n",
        "utf-8",
    )
    load_directory(kb, empty_dir)
    assert len(kb.search(["zurich"], 5)) == 1
    assert kb.search(["cafe"], 5) == kb.search(["café"], 5)


def test_search_takes_words_not_a_query_string(loaded_kb: KnowledgeBase) -> None:
    # A string is a sequence of letters: searched as such it would find nonsense.
    with pytest.raises(TypeError):
        loaded_kb.search("xiangbin", 5)
    assert loaded_kb.search([], 5) == []


def test_a_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite3"
    KnowledgeBase(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                     [str(SCHEMA_VERSION + 1)])
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        KnowledgeBase(path)


def test_opening_an_existing_knowledge_base_keeps_its_articles(
    loaded_kb: KnowledgeBase,
) -> None:
    count, generation = loaded_kb.article_count(), loaded_kb.generation()
    reopened = KnowledgeBase(loaded_kb.path)
    try:
        assert reopened.article_count() == count == 25
        assert reopened.generation() == generation
    finally:
        reopened.close()


def test_articles_are_listed_by_title_and_paged(loaded_kb: KnowledgeBase) -> None:
    titles = [a.title for a in loaded_kb.articles()]
    assert titles == sorted(titles, key=str.casefold)
    assert [a.title for a in loaded_kb.articles(limit=5, offset=5)] == titles[5:10]


def fts_matches_facts(kb: KnowledgeBase) -> bool:
    """FTS5's own check that facts_fts indexes exactly the rows of facts."""
    try:
        kb.db.execute("INSERT INTO facts_fts(facts_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        return False
    return True


def test_the_text_index_follows_edits_and_removals(kb: KnowledgeBase, empty_dir: Path) -> None:
    (empty_dir / "a.md").write_text("# Harbour\n\nThe lighthouse keeper retired in May.\n")
    (empty_dir / "b.md").write_text("# Mill\n\nThe windmill was rebuilt after the storm.\n")
    load_directory(kb, empty_dir)
    (empty_dir / "a.md").write_text("# Harbour\n\nThe harbour master retired in June.\n")
    (empty_dir / "b.md").unlink()
    load_directory(kb, empty_dir)
    assert [c.text for c in kb.search(["retired"], 5, method="fts")] == [
        "The harbour master retired in June."]
    assert kb.search(["lighthouse", "windmill"], 5, method="fts") == []
    assert fts_matches_facts(kb)


def test_a_base_whose_text_index_was_kept_by_triggers_is_upgraded(
    tmp_path: Path, articles_dir: Path
) -> None:
    """Schema 4 filled facts_fts by triggers; the writer now does, and must not do it twice."""
    path = tmp_path / "kb.sqlite3"
    KnowledgeBase(path).close()
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            CREATE TRIGGER facts_ai AFTER INSERT ON facts BEGIN
                INSERT INTO facts_fts(rowid, text) VALUES (new.id, new.text);
            END;
            UPDATE meta SET value = '4' WHERE key = 'schema_version';
        """)
    conn.close()
    kb = KnowledgeBase(path)
    try:
        load_directory(kb, articles_dir)
        texts = [c.text for c in kb.search(["warning"], 50, method="fts")]
        assert len(texts) == len(set(texts)) > 0
        assert fts_matches_facts(kb)
    finally:
        kb.close()
