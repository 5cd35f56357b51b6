"""The scale benchmark at N = 100: the corpus builds, loads and answers (no timings asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import e2e
from bench.corpus import REAL_ARTICLES, build_corpus
from bench.quality import bm25_baseline
from bench.scale import measure, percentiles, questions
from bot.answer.answers import AnswerEngine
from bot.store.knowledge import Candidate, KnowledgeBase
from bot.store.loading import load_directory

SIZE = 100


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(SIZE, tmp_path_factory.mktemp("scale") / "corpus")


@pytest.fixture
def loaded(corpus: Path, tmp_path: Path) -> KnowledgeBase:
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    report = load_directory(kb, corpus)
    assert report.failed == []
    return kb


def test_corpus_holds_the_real_articles_and_the_rest_synthetic(corpus: Path) -> None:
    synthetic = list((corpus / "gen").rglob("*.json"))
    assert len(synthetic) == SIZE - REAL_ARTICLES
    assert len(list((corpus / "xquad").glob("*.json"))) == 48
    record = json.loads(synthetic[0].read_text())
    assert record["title"]
    assert len(record["body"].split()) > 100


def test_corpus_is_the_same_for_the_same_seed(corpus: Path, tmp_path: Path) -> None:
    again = build_corpus(SIZE, tmp_path / "again")
    for path in sorted((corpus / "gen").rglob("*.json")):
        assert (again / path.relative_to(corpus)).read_bytes() == path.read_bytes()


def test_corpus_loads_and_answers_real_questions(loaded: KnowledgeBase) -> None:
    assert loaded.article_count() == SIZE
    answer = AnswerEngine(loaded).ask("Which NFL team represented the AFC at Super Bowl 50?")
    assert answer.answered
    assert "Super Bowl" in " ".join(f.text for f in answer.facts)


def test_fact_index_and_fts5_return_candidates_alike(loaded: KnowledgeBase) -> None:
    words = ["super", "bowl", "broncos"]
    by_index = loaded.search(words, 5, method="index")
    by_fts = loaded.search(words, 5, method="fts")
    assert len(by_index) == len(by_fts) == 5
    assert all(isinstance(row, Candidate) for row in by_index + by_fts)
    assert all(row.bm25 < 0 for row in by_index)
    assert [row.bm25 for row in by_index] == sorted(row.bm25 for row in by_index)


def test_fact_index_follows_reloads(loaded: KnowledgeBase, corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Quokka count rises\n\nThe zorblax quokka count rose in May.\n")
    (folder / "b.txt").write_text(
        "Wombat news\n\nA zorblax wombat was seen near Perth on Monday.\n")
    kb = KnowledgeBase(tmp_path / "small.sqlite3")
    load_directory(kb, folder)
    match = ["zorblax"]
    assert len(kb.search(match, 10, method="index")) == 2
    (folder / "a.txt").write_text("Quokka count rises\n\nThe quokka count rose sharply in May.\n")
    load_directory(kb, folder)
    assert [row.text for row in kb.search(match, 10, method="index")] == [
        row.text for row in kb.search(match, 10, method="fts")]
    (folder / "b.txt").unlink()
    load_directory(kb, folder)
    assert kb.search(match, 10, method="index") == []
    assert kb.search(["sharply"], 10, method="index")[0].text.startswith("The quokka")


def test_scale_measurements_run_on_a_few_questions(loaded: KnowledgeBase) -> None:
    clean, typo = questions(5)
    result = measure(bm25_baseline(loaded), clean, typo)
    assert result["questions"] == 5
    assert 0.0 <= result["hit1_clean"] <= 1.0
    assert len(result["ms_typo"]) == 3
    assert percentiles([3.0, 1.0, 2.0]) == (2.0, 3.0, 3.0)


async def test_end_to_end_bench_gets_every_question_answered_through_the_stand_in(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """bench.e2e on the seeds, a few people: each question gets its one reply."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    result = await e2e.run(None, rates=[20.0], count=30, people=10)
    assert result["throughput"]["updates"] == 10
    assert result["throughput"]["updates_per_s"] > 0
    latency = result["latency"][0]
    assert latency["updates"] == 30
    p50, p95, p99 = latency["ms"]
    assert 0 < p50 <= p95 <= p99
