"""Any text at all is a question: FTS syntax, SQL, markup, huge or invisible input never raises."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from engines import semantic_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer.answers import Answer, AnswerEngine
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

HOSTILE = {
    "fts_and": "AND",
    "fts_or_not": "OR NOT",
    "c_plus_plus": "C++",
    "apostrophe": "o'neil",
    "hyphen": "e-mail",
    "quote_newline_colon": '"\n:',
    "nul_byte": "who\x00 is Zhang\x00",
    "near": "NEAR(",
    "star": "*",
    "caret_column": "^text: china",
    "sql_injection": "' OR 1=1; DROP TABLE facts; --",
    "markup": "<b>bold</b><script>alert(1)</script>",
    "ten_kb": "spy agency secrets " * 540,
    "emoji_only": "🕵️‍♀️🔥🇨🇳",
    "arabic_rtl": "\u202bمن هو تشانغ شيانغبين؟\u202c",
    "hebrew_rtl": "\u200fמי זה ג'אנג שיאנגבין?\u200f",
    "zero_width": "Z\u200bh\u200ca\u200dn\ufeffg",
    "empty": "",
    "whitespace": " \t\n ",
    "lone_surrogate": "spy \ud800 agency",
    "only_punctuation": "?!.,;:()[]{}",
    "backslashes": "\\\\ \\x00 %s %d {0}",
}


def database_fingerprint(kb: KnowledgeBase) -> tuple:
    conn = sqlite3.connect(kb.path)
    try:
        tables = conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name"
        ).fetchall()
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM facts), "
            "(SELECT count(*) FROM vocabulary)"
        ).fetchone()
        check = conn.execute("INSERT INTO facts_fts(facts_fts) VALUES ('integrity-check')")
        check.fetchall()
        return tuple(tables), counts
    finally:
        conn.close()


@pytest.fixture(scope="module")
def seeded_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """One loaded knowledge base for the whole module: questions only read it."""
    kb = KnowledgeBase(tmp_path_factory.mktemp("hostile") / "kb.sqlite3")
    load_directory(kb, SEEDS)
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def engine(seeded_kb: KnowledgeBase) -> AnswerEngine:
    """The engine as shipped, embeddings included (see tests/engines.py)."""
    return semantic_engine(seeded_kb)


@pytest.fixture(scope="module")
def fingerprint(seeded_kb: KnowledgeBase) -> tuple:
    return database_fingerprint(seeded_kb)


def assert_is_answer(answer: Answer) -> None:
    assert isinstance(answer, Answer)
    assert isinstance(answer.answered, bool)
    assert 0.0 <= answer.confidence <= 1.0
    assert answer.to_dict()["question"] == answer.question


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_question_gets_an_answer_and_leaves_the_base_intact(
    engine: AnswerEngine, seeded_kb: KnowledgeBase, fingerprint: tuple, text: str
) -> None:
    assert_is_answer(engine.ask(text))
    assert database_fingerprint(seeded_kb) == fingerprint
    assert engine.ask("Who is Zhang Xiangbin?").answered


def test_hostile_question_around_a_real_one_is_still_answered(engine: AnswerEngine) -> None:
    answer = engine.ask('<b>Who is "Zhang Xiangbin"?</b> AND NEAR( * --')
    assert answer.answered
    assert any("translator" in fact.text for fact in answer.facts)


def test_a_10_kb_question_is_answered_quickly(engine: AnswerEngine) -> None:
    # CPU time, not wall time: other processes on a busy machine do not count against it.
    start = time.process_time()
    assert_is_answer(engine.ask("What happened to Zhang? " * 420))
    assert time.process_time() - start < 2.0


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text())
def test_any_text_gets_an_answer(engine: AnswerEngine, text: str) -> None:
    assert_is_answer(engine.ask(text))


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(
    ['"', "'", "*", "^", ":", "(", ")", "AND", "OR", "NOT", "NEAR", "-", "+", "{", "}",
     "zhang", "spy", "china", "\x00", "\n", ";", "--", "DROP", "TABLE"]), max_size=12))
def test_any_mix_of_query_syntax_gets_an_answer(
    engine: AnswerEngine, seeded_kb: KnowledgeBase, fingerprint: tuple, words: list[str]
) -> None:
    assert_is_answer(engine.ask(" ".join(words)))
    assert_is_answer(engine.ask("".join(words)))
    assert database_fingerprint(seeded_kb) == fingerprint


NOT_QUESTIONS = {
    "apostrophe": "'",
    "hebrew_letter": "א",
    "empty_line": "\n",
    "one_letter": "p",
    "a_syllable": "ki",
    "one_digit": "1",
    "tags_only": "**<script>",
    "cut_tag": "__<scrip",
    "entity": "&#x",
    "markdown_link": "[link](http://x)",
    "sql_tail": "' OR 1=1 --",
    "emoji_and_joiners": "ϱ\u200d🧑\u200d",
}


@pytest.mark.parametrize("text", NOT_QUESTIONS.values(), ids=NOT_QUESTIONS.keys())
def test_noise_is_never_answered_with_a_fact(engine: AnswerEngine, text: str) -> None:
    """Character soup holds nothing to search for: a letter, a tag's name, a number alone
    matched a fact before (a lone "p" was answered at 94%)."""
    answer = engine.ask(text)
    assert not answer.answered
    assert not answer.facts


def test_words_between_tags_still_count(engine: AnswerEngine) -> None:
    """Only the tags go: what they enclose is the asker's text."""
    answer = engine.ask("<i>Who is</i> <b>Zhang Xiangbin</b>? &amp;")
    assert answer.answered
    assert "Zhang" in answer.facts[0].text


@pytest.mark.parametrize("text", ["SELECT", "[link", "<b>translator</b>", "married", "alert",
                                  "<script>aler", "107", "translator what"])
def test_a_lone_common_word_is_not_answered_with_a_fact(engine: AnswerEngine,
                                                        text: str) -> None:
    """One word that names nothing and is in no title asks nothing: a fact that happens to
    hold it ("selected", "linked", "a translator with a Chinese ministry") is no answer,
    nor is one holding a near word of a title ("alert": the spy story "warns"), a guess at
    a four-letter slip ("aler") or numbers alone ("107"; "⅒" reads "1/10").
    The articles holding it are offered instead, when there are any."""
    answer = engine.ask(text)
    assert not answer.answered
    assert not answer.facts
    if "translator" in text:
        assert any("spy agency" in title for title in answer.suggestions)
    if text == "107":  # "killing 107 or more"
        assert any("crane" in title for title in answer.suggestions)


@pytest.mark.parametrize(("text", "said"), [("zhang", "Zhang"), ("Crane", "crane"),
                                            ("stampede", "stampede"),
                                            ("what is a translator", "translator")])
def test_a_lone_name_or_title_word_is_still_answered(engine: AnswerEngine, text: str,
                                                     said: str) -> None:
    """So is a question about one common word: "what is a translator" asks something."""
    answer = engine.ask(text)
    assert answer.answered
    assert said in answer.facts[0].text
