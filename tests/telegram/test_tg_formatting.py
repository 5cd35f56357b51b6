"""Formatting checked against the stand-in's HTML parser: escaped, balanced, under 4,096."""

from __future__ import annotations

import pytest
from botapi_rules import Refusal, parse_html

from bot.answer.answers import Answer, FactResult
from handlers.formatting import (
    MAX_MESSAGE_CHARS,
    answer_html,
    esc,
    split_html,
    utf16_len,
)
from handlers.keyboards import answer_keyboard, articles_keyboard

NASTY = "<b>x</b> & <script>alert('1')</script> \"q\" &amp; 🏗️ مرحبا"


def test_escaped_text_parses_back_to_itself() -> None:
    assert parse_html(esc(NASTY)) == NASTY


def test_answer_html_escapes_facts_titles_and_urls() -> None:
    fact = FactResult(NASTY, 1, "Title <i>&", 1.0)
    answer = Answer("q", True, 0.9, [fact], summary=NASTY,
                    article_url='https://example.org/?a=1&b="2"')
    shown = parse_html(answer_html(answer))
    assert NASTY in shown
    assert "Title <i>&" in shown


def test_the_answering_part_alone_is_bold_and_everything_around_it_escaped() -> None:
    fact = FactResult("Bob & <Alice> took 5,200 files & left <b>", 1, "Spies & <co>", 1.0)
    html = answer_html(Answer("how many files did they take?", True, 0.9, [fact]))
    assert "Bob &amp; &lt;Alice&gt; took <b>5,200</b> files &amp; left &lt;b&gt;" in html
    assert fact.text in parse_html(html)  # Telegram reads it back as the plain sentence


def test_unsure_answers_say_so_and_sure_ones_do_not() -> None:
    fact = FactResult("The crane fell in a storm.", 1, "Crane collapse", 1.0)
    unsure = parse_html(answer_html(Answer("q", True, 0.0, [fact])))
    sure = parse_html(answer_html(Answer("q", True, 1.0, [fact])))
    assert "not sure" in unsure
    assert "not sure" not in sure
    assert fact.text in unsure
    assert fact.text in sure


def test_answer_html_drops_links_that_are_not_http() -> None:
    answer = Answer("q", True, 0.9, [FactResult("fact", 1, "t", 1.0)],
                    article_url="javascript:alert(1)")
    assert "href" not in answer_html(answer)


def test_refusal_lists_suggestions_escaped() -> None:
    answer = Answer("q", False, 0.0, suggestions=["<Opera> & band"])
    shown = parse_html(answer_html(answer))
    assert "could not find" in shown
    assert "<Opera> & band" in shown


@pytest.mark.parametrize("line", [
    "word " * 3000,
    "x" * 9000,
    "🏗️" * 3000,
    ("&amp;" + "a" * 3) * 2500,
])
def test_split_html_keeps_every_part_valid_and_short(line: str) -> None:
    text = "<b>Heading</b>\n" + esc("intro & more") + "\n" + line + "\n<i>end</i>"
    parts = split_html(text)
    assert len(parts) >= 2
    for part in parts:
        shown = parse_html(part)
        assert utf16_len(shown) <= MAX_MESSAGE_CHARS
        assert shown.strip()


def test_split_html_leaves_short_messages_alone() -> None:
    assert split_html("<b>short</b>\nmessage") == ["<b>short</b>\nmessage"]


def test_the_parser_refuses_what_telegram_refuses() -> None:
    for bad in ["<b>unclosed", "<foo>x</foo>", "a & b", "x < y", "<b>x</i>", "&nbsp;"]:
        with pytest.raises(Refusal):
            parse_html(bad)


def test_callback_data_fits_64_bytes_even_for_huge_ids() -> None:
    markup = answer_keyboard(10**15, 10**15)
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert all(len(str(d).encode()) <= 64 for d in data)
    pages = articles_keyboard(10**15, 10**16)
    assert pages is not None
    assert all(len(str(b.callback_data).encode()) <= 64 for b in pages.inline_keyboard[0])
