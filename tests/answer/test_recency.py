"""The newest articles: /latest's list, questions asking for "the latest", "today" or
"yesterday", and the article date shown with every fact; real files, real SQLite."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from engines import semantic_engine

from bot.answer.answers import AnswerEngine
from bot.answer.questions import parse_question
from bot.answer.recency import LAST_WEEK, LATEST, THIS_WEEK, YESTERDAY, date_span
from bot.cli import format_answer
from bot.service import NewsService
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory

CLOSED = "Harbour bridge closed after crack found"
REOPENED = "Harbour bridge reopens after repairs"
FESTIVAL = "Lantern festival draws record crowds"
UNDATED = "Library extends its opening hours"
ARTICLES = {
    "bridge_closed.md": f"""---
title: {CLOSED}
date: 2025-10-13
source: Portmouth Herald
---
The harbour bridge in Portmouth was closed to all traffic on Monday after engineers found a \
crack in its main span.

The council said repairs to the harbour bridge would take several weeks and cost about 2 \
million pounds.

Ferries will carry commuters across the bay while the bridge is shut.
""",
    "bridge_reopened.md": f"""---
title: {REOPENED}
date: 2025-10-14
source: Portmouth Herald
---
The harbour bridge in Portmouth reopened to cars and buses on Tuesday, a day after it was \
shut.

Engineers said the crack in the main span was smaller than first feared and has been sealed.

Tolls on the bridge will be waived for the rest of the week.
""",
    "festival.md": f"""---
title: {FESTIVAL}
date: 2025-09-20
---
A lantern festival in the old town drew a record crowd of 40,000 visitors on Saturday.

Organisers said next year's festival would run for three nights instead of two.
""",
    "library.md": f"""---
title: {UNDATED}
---
The city library will stay open until nine in the evening from next month.
""",
    "autumn.md": """---
title: Autumn leaves clog the canal
date: Autumn 2025
---
Fallen leaves have clogged the canal locks, the waterways trust said on Friday.
""",
}
TUESDAY = date(2025, 10, 14)  # the day the newest article is dated


@pytest.fixture
def news_dir(empty_dir: Path) -> Path:
    for name, text in ARTICLES.items():
        (empty_dir / name).write_text(text, "utf-8")
    return empty_dir


@pytest.fixture
def news_kb(kb: KnowledgeBase, news_dir: Path) -> KnowledgeBase:
    report = load_directory(kb, news_dir)
    assert not report.failed
    return kb


def engine_on(kb: KnowledgeBase, today: date = TUESDAY) -> AnswerEngine:
    """The shipped engine, its clock set to `today`."""
    engine = semantic_engine(kb)
    engine.today = lambda: today
    return engine


def first_title(engine: AnswerEngine, question: str) -> str:
    answer = engine.ask(question)
    assert answer.answered, question
    return answer.facts[0].article_title


def test_asking_for_the_latest_gets_the_newer_of_two_articles_on_the_subject(
        news_kb: KnowledgeBase) -> None:
    engine = engine_on(news_kb)
    assert first_title(engine, "Tell me about the harbour bridge") == CLOSED  # unaffected
    assert first_title(engine, "Tell me the latest about the harbour bridge") == REOPENED
    assert first_title(engine, "What's the most recent on the harbour bridge?") == REOPENED


def test_yesterday_and_today_mean_the_articles_of_those_days(news_kb: KnowledgeBase) -> None:
    engine = engine_on(news_kb)
    assert first_title(engine, "What happened to the harbour bridge yesterday?") == CLOSED
    assert first_title(engine, "What happened to the harbour bridge today?") == REOPENED


def test_nothing_dated_today_still_answers_with_the_newest_match(
        news_kb: KnowledgeBase) -> None:
    engine = engine_on(news_kb, today=date(2026, 1, 5))
    assert first_title(engine, "What about the bridge crack today?") == REOPENED
    # The newer article is no close match for this one: it is never put first.
    assert first_title(engine, "What about the bridge repairs today?") == CLOSED


def test_a_recency_word_the_articles_never_use_does_not_weaken_the_answer(
        news_kb: KnowledgeBase) -> None:
    """"latest" is no word of these articles: searched, it would count as unknown against
    the confidence (or be corrected to "latent")."""
    engine = engine_on(news_kb)
    plain = engine.ask("How much will the bridge repairs cost?")
    latest = engine.ask("How much will the latest bridge repairs cost?")
    assert latest.facts[0].text == plain.facts[0].text
    assert latest.confidence == pytest.approx(plain.confidence, abs=0.02)


def test_the_latest_news_is_the_newest_articles_summaries_newest_first(
        news_kb: KnowledgeBase) -> None:
    engine = engine_on(news_kb)
    answer = engine.ask("What is the latest news?")
    assert answer.answered
    assert [f.article_title for f in answer.facts] == [REOPENED, CLOSED, FESTIVAL]
    assert answer.facts[0].text.startswith("The harbour bridge in Portmouth reopened")
    this_week = engine.ask("what happened this week?")
    assert [f.article_title for f in this_week.facts] == [REOPENED, CLOSED]
    assert [f.article_title for f in engine.ask("What's new today?").facts] == [REOPENED]


def test_every_fact_shows_its_article_date_and_site(news_kb: KnowledgeBase) -> None:
    answer = engine_on(news_kb).ask("How much will the bridge repairs cost?")
    assert answer.facts[0].article_date == "2025-10-13"
    assert f"— {CLOSED} (Portmouth Herald, 13 Oct 2025)" in format_answer(answer)


def test_recency_words_and_the_days_they_mean() -> None:
    question = parse_question("What is the latest news about the bridge?")
    assert question.recency == LATEST
    assert "news" not in question.words  # it says "news", nothing more
    assert parse_question("What happened yesterday in Portmouth?").recency == YESTERDAY
    assert parse_question("the latest from last week").recency == LAST_WEEK
    assert parse_question("What did the bridge cost?").recency is None
    wednesday = date(2025, 10, 15)
    assert date_span(THIS_WEEK, wednesday) == (date(2025, 10, 13), date(2025, 10, 19))
    assert date_span(LAST_WEEK, wednesday) == (date(2025, 10, 6), date(2025, 10, 12))
    assert date_span(LATEST, wednesday) is None


def test_latest_articles_are_newest_first_without_the_undated(news_kb: KnowledgeBase) -> None:
    assert [a.title for a in news_kb.latest_articles()] == [REOPENED, CLOSED, FESTIVAL]
    assert [a.title for a in news_kb.latest_articles(1, 1)] == [CLOSED]
    week = news_kb.latest_articles(span=("2025-10-13", "2025-10-19"))
    assert [a.title for a in week] == [REOPENED, CLOSED]


def test_the_service_counts_what_latest_leaves_out(news_dir: Path, tmp_path: Path) -> None:
    service = NewsService(tmp_path / "service.sqlite3", news_dir, semantic=False)
    service.reload()
    page = service.latest(2)
    assert [a.title for a in page.articles] == [REOPENED, CLOSED]
    assert (page.total, page.undated) == (3, 2)  # no date, and "Autumn 2025"
    assert service.latest(2, offset=99).articles[0].title == FESTIVAL  # an old page button


def test_an_existing_database_gets_the_date_index(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    KnowledgeBase(path).close()
    with sqlite3.connect(path) as conn:  # as a database of the previous schema is
        conn.execute("DROP INDEX articles_date")
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.close()
    KnowledgeBase(path).close()
    with sqlite3.connect(path) as conn:
        plan = " ".join(row[-1] for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM articles ORDER BY date DESC LIMIT 10"))
    conn.close()
    assert "articles_date" in plan
