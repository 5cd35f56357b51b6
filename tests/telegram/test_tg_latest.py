"""/latest and article dates, through the real Application and the Bot API stand-in.

The seeds: 24 Wikinews articles dated 2006-2023 and the seed article, which has no date."""

from __future__ import annotations

from botapi_standin import Call
from tg_harness import Harness

NEWEST = "Reports: 'streamlined' UK asylum process to replace interview with questionnaire"
SECOND = "FIFA World Cup 2018 day five"


async def test_latest_lists_the_newest_articles_with_date_and_summary(tg: Harness) -> None:
    reply = await tg.say("/latest")
    assert "Newest articles 1–10 of 24" in reply.text
    assert f"• {NEWEST}" in reply.text
    assert "— 23 Feb 2023" in reply.text
    assert "The United Kingdom Home Office" in reply.text  # its summary, on one line
    assert reply.text.index(NEWEST) < reply.text.index(SECOND)
    assert "Not listed: 1 article without a date" in reply.text
    assert [b["text"] for b in reply.buttons] == ["Older ▶"]


async def test_latest_pages_to_older_articles_and_back(tg: Harness) -> None:
    first = await tg.say("/latest")
    older, _ = await tg.press(first, "Older", method="editMessageText")
    assert "Newest articles 11–20 of 24" in older.text
    assert NEWEST not in older.text
    assert [b["text"] for b in older.buttons] == ["◀ Newer", "Older ▶"]
    newer, _ = await tg.press(older, "Newer", method="editMessageText")
    assert "Newest articles 1–10 of 24" in newer.text


async def test_latest_takes_a_number_and_explains_a_bad_one(tg: Harness) -> None:
    three = await tg.say("/latest 3")
    assert "Newest articles 1–3 of 24" in three.text
    assert [b["text"] for b in three.buttons] == ["Older ▶"]
    for bad in ("/latest ten", "/latest 0", "/latest -5", "/latest 2 3"):
        refused = await tg.say(bad)
        assert "/latest 20" in refused.text, bad
        assert refused.buttons == []
    everything = await tg.say("/latest 999")  # more than it shows: as many as it shows
    assert "Newest articles 1–24 of 24" in everything.text


async def test_latest_is_in_help_and_in_the_command_menu(tg: Harness) -> None:
    reply = await tg.say("/help")
    assert "/latest" in reply.text
    menu = tg.api.calls_of("setMyCommands")[0].params["commands"]
    assert "latest" in [c["command"] for c in menu]


async def test_an_answer_shows_its_article_site_and_date(tg: Harness) -> None:
    reply = await tg.say("What caused the crane to fall in Mecca?")
    assert "At least 107 killed in Mecca crane collapse (Wikinews, 12 Sep 2015)" in reply.text


async def test_asking_for_the_latest_news_answers_with_the_newest_articles(tg: Harness) -> None:
    reply = await tg.say("What's the latest news?")
    assert NEWEST in reply.text
    assert "(Wikinews, 23 Feb 2023)" in reply.text
    assert reply.text.index(NEWEST) < reply.text.index(SECOND)


async def test_an_inline_result_shows_its_article_date(tg: Harness) -> None:
    mark = tg.api.mark()
    tg.api.inline_query("crane Mecca", tg.user, "")
    answer: Call = (await tg.api.wait_for("answerInlineQuery", after=mark))[0]
    message = answer.params["results"][0]["input_message_content"]["message_text"]
    assert "Mecca crane collapse</i> (Wikinews, 12 Sep 2015)" in message
