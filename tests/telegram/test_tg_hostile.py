"""Hostile text from users and articles: always a valid, escaped, polite reply."""

from __future__ import annotations

import pytest
from tg_harness import Harness

HOSTILE = [
    "<b>crane</b> <script>alert('x')</script> & Mecca?",
    'crane AND "( NEAR(mecca* OR -',
    "What caused the crane to fall? 🏗️🙏🏽👨‍👩‍👧",
    "ما الذي تسبب في سقوط الرافعة في مكة؟ crane",
    "&lt;&amp;&#0;&#xFFFFFF; </i></b> <a href='javascript:x'>",
    "crane " * 2000,  # about 12 kB
    "\u202e\u200f\u200b\x00\x07 crane",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_question_gets_a_reply_telegram_accepts(tg: Harness, text: str) -> None:
    reply = await tg.say(text)
    assert reply.text.strip()
    assert "<script>" not in reply.text


async def test_html_in_an_article_is_shown_literally(tg: Harness) -> None:
    article = ("Rock & roll <b>band</b> plays at the <Opera> house\n\nFriday, May 3, 2024\n\n"
               "The band <script>Zanzibar & Sons</script> played three encores at the opera "
               "house in Vienna on Friday night.\n\nThe concert sold out in four minutes.\n")
    (tg.articles_dir / "opera.txt").write_text(article, encoding="utf-8")
    await tg.send("/reload", user=tg.admin, count=2)
    reply = await tg.say("How many encores did the band play at the opera house in Vienna?")
    assert "encores" in reply.text
    assert "Zanzibar & Sons" in reply.text or "<Opera>" in reply.text
    summary = await tg.say("/summary opera house")
    assert "&" in summary.text
