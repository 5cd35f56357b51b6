"""The seed article, a scraped news page, comes out as a clean article."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest.articles import Article, read_articles
from bot.ingest.sentences import split_sentences

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_NAME = "000_a398690ca2ed8d76.txt"

TITLE = (
    "‘Resist temptations’: China’s top spy agency warns overseas staff are being targeted "
    "for hi-tech secrets"
)
# The page furniture the issue names, line by line as it stands in the file.
JUNK_LINES = (
    "Chinese Ministry of State Security app on WeChat. Photo: Handout",
    "05:29",
    "China executes scientist for spying in 2016, among 10 ‘shocking’ cases revealed in "
    "documentary",
    "READ SOURCE",
    "Business Asia",
    "the authorBusiness Asia",
    "Leave a Reply",
)
JUNK_FRAGMENTS = (
    "Photo: Handout", "05:29", "China executes scientist for spying in 2016", "READ SOURCE",
    "Business Asia", "the authorBusiness Asia", "Leave a Reply",
)
MAX_SUMMARY_WORDS = 80


def seed_article() -> Article:
    (article,) = read_articles(SEEDS / SEED_NAME, SEEDS)
    return article


def seed_body_lines() -> list[str]:
    """The file's own body paragraphs: every line after section and title, minus the junk."""
    lines = [line.strip() for line in (SEEDS / SEED_NAME).read_text("utf-8").splitlines()]
    lines = [line for line in lines if line]
    assert lines[:2] == ["Politics", TITLE]
    return [line for line in lines[2:] if line not in JUNK_LINES]


def fact_texts(article: Article) -> list[str]:
    return [fact.text for fact in article.facts]


def test_seed_section_is_politics() -> None:
    assert seed_article().section == "Politics"


def test_seed_title_keeps_its_own_curly_quotes() -> None:
    assert seed_article().title == TITLE


def test_seed_related_video_headline_appears_twice_in_the_page() -> None:
    text = (SEEDS / SEED_NAME).read_text("utf-8")
    assert text.count("China executes scientist for spying in 2016") == 2


@pytest.mark.parametrize("fragment", JUNK_FRAGMENTS)
def test_seed_page_furniture_is_in_neither_body_nor_facts(fragment: str) -> None:
    article = seed_article()
    assert not any(fragment in paragraph for paragraph in article.body)
    assert not any(fragment in text for text in fact_texts(article))
    assert fragment not in article.summary


def test_seed_every_body_sentence_is_a_fact_in_article_order() -> None:
    article = seed_article()
    assert " ".join(fact_texts(article)) == " ".join(seed_body_lines())
    assert [fact.position for fact in article.facts] == list(range(len(article.facts)))


def test_seed_body_paragraphs_are_the_pages_prose() -> None:
    assert seed_article().body == seed_body_lines()


def test_seed_splitter_keeps_the_number_5200_whole() -> None:
    facts = fact_texts(seed_article())
    assert any("5,200 files and documents" in text for text in facts)
    assert not any(text.endswith("5,") or text.startswith("200") for text in facts)


def test_seed_splitter_keeps_quoted_speech_with_its_speaker() -> None:
    quote = next(line for line in seed_body_lines() if line.startswith("“They should"))
    assert quote in fact_texts(seed_article())


def test_seed_summary_states_the_lede_in_at_most_two_sentences() -> None:
    summary = seed_article().summary
    lede = seed_body_lines()[0]
    assert summary.startswith(lede)
    assert 1 <= len(split_sentences(summary)) <= 2
    assert len(summary.split()) <= MAX_SUMMARY_WORDS


def test_seed_key_facts_include_the_death_sentence() -> None:
    key = [fact.text for fact in seed_article().facts if fact.is_key]
    assert any("two-year reprieve" in text for text in key)


def test_seed_key_facts_include_the_5200_files() -> None:
    key = [fact.text for fact in seed_article().facts if fact.is_key]
    assert any("5,200 files" in text for text in key)


def test_seed_key_facts_come_in_a_stable_order() -> None:
    def ranked(article: Article) -> list[str]:
        key = [fact for fact in article.facts if fact.is_key]
        return [fact.text for fact in sorted(key, key=lambda fact: fact.key_rank or 0)]

    first, second = ranked(seed_article()), ranked(seed_article())
    assert first
    assert first == second


def test_seed_key_facts_come_back_ranked_from_the_knowledge_base(loaded_kb) -> None:
    (article_id,) = [a.id for a in loaded_kb.articles() if a.title == TITLE]
    stored = loaded_kb.key_facts(article_id)
    expected = sorted((f for f in seed_article().facts if f.is_key), key=lambda f: f.key_rank)
    assert stored == [fact.text for fact in expected]


def test_who_is_zhang_xiangbin_is_answered_from_the_seed(engine) -> None:
    answer = engine.ask("Who is Zhang Xiangbin?")
    assert answer.answered
    assert answer.facts[0].article_title == TITLE
    assert any("translator" in fact.text for fact in answer.facts)
