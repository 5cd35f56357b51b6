"""Any question text gets a reply Telegram accepts (property-based, fixed budget).

Any text Telegram can deliver, that is: JSON from Telegram never holds lone surrogates.

The answer, its keyboard, the article's summary and facts, the inline result and the
"no article matching" reply are built by the handlers' own formatting functions and
checked by the stand-in's rules (tests/telegram/botapi_rules.py): balanced, known tags,
escaped text, 1-4,096 UTF-16 units a message, callback data within 64 bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from botapi_rules import check_markup, utf16_len, visible_text
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tg_harness import SEEDS

from bot.service import NewsService
from handlers.formatting import (
    answer_html,
    esc,
    facts_html,
    inline_message_html,
    split_html,
    summary_html,
)
from handlers.keyboards import answer_keyboard

BUDGET = settings(max_examples=150, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])
HOSTILE_PIECES = [
    "crane", "Mecca", "Zhang", "spy", "flag", "<b>", "</b>", "<i>", "&", "&amp;", "&#0;", "<",
    ">", "<a href='javascript:x'>", "<script>", '"', "'", "*", "^", ":", "(", ")", "NEAR(",
    "AND", "OR", "NOT", "-", "+", "{", "}", ";", "--", "DROP TABLE facts", "' OR 1=1",
    "\u202e", "\u202b", "\u200f", "\u200b", "\u200c", "\u200d", "\ufeff", "\x00", "\x07",
    "\x1b[31m", "\n", "\r", "\t", "🕵️‍♀️", "🇨🇳", "\U0001f600", "\U0010ffff", "é", "ß", "İ",
    "من هو", "מי זה", "какой", " ",
]
questions = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(HOSTILE_PIECES), max_size=40).map("".join),
    st.lists(st.sampled_from(HOSTILE_PIECES), max_size=40).map(" ".join),
    st.sampled_from(HOSTILE_PIECES).map(lambda piece: (piece + " crane ") * 1200),  # ~10 kB+
)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewsService]:
    folder: Path = tmp_path_factory.mktemp("props")
    svc = NewsService(folder / "kb.sqlite3", SEEDS)
    svc.reload()
    yield svc
    svc.kb.close()


def assert_telegram_accepts(html: str) -> None:
    """Every part the bot would send passes Telegram's checks (as the stand-in applies them)."""
    parts = split_html(html)
    assert parts
    for part in parts:
        shown = visible_text(part, "HTML")  # raises Refusal on anything Telegram refuses
        assert 1 <= utf16_len(shown) <= 4096


@BUDGET
@given(text=questions)
@example(text="crane " * 2000)
@example(text="\U00010000 crane \x00")
def test_any_question_gets_a_reply_telegram_accepts(service: NewsService, text: str) -> None:
    answer = service.ask(text)
    assert_telegram_accepts(answer_html(answer))
    if answer.answered and answer.article_id is not None:
        markup = answer_keyboard(answer.article_id, 2**63 - 1).to_dict()
        check_markup(markup)
        article = service.kb.article(answer.article_id)
        assert article is not None
        assert_telegram_accepts(summary_html(article))
        assert_telegram_accepts(facts_html(article, service.kb.facts_of(article.id),
                                           "All facts"))
        assert_telegram_accepts(inline_message_html(article, answer.facts[0].text))
    no_match = f"I have no article matching “{esc(text[:100])}”. See /articles."
    assert_telegram_accepts(no_match)
