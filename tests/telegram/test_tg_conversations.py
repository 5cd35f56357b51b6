"""Conversations through the real Application: follow-ups read in the topic of the last
answer, one conversation per private chat and per person in a group, replies continuing the
answer they reply to, /new, the time-out, and a restart that keeps them (SQLite)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from botapi_standin import BotAPIStandIn
from tg_harness import TOKEN, Harness, bot_settings, running

from bot.service import NewsService
from bot.store.conversation import conversation_path_for

OPENING = "What caused the crane to fall in Mecca?"
# Alone, this is answered (unsure) from the Hajj stampede article: 76 people killed.
FOLLOW_UP = "how many people did it kill?"
IN_TOPIC = "107"  # "... killing 107 or more and wounding 238 ..." (the crane article)
OTHER_TOPIC = "who is zhang"


async def test_a_follow_up_in_a_private_chat_is_answered_from_the_topic(tg: Harness) -> None:
    await tg.say(OPENING)
    follow_up = await tg.say(FOLLOW_UP)
    assert IN_TOPIC in follow_up.text
    assert "Mecca crane collapse" in follow_up.text


async def test_the_part_that_answers_how_many_is_bold(tg: Harness) -> None:
    reply = await tg.say("How many people were killed in the Mecca crane collapse?")
    html = reply.params["text"]
    assert "killing <b>107</b> or more" in html
    assert "<b>A storm" not in html  # only the number is bold, not the whole sentence


async def test_two_people_in_one_group_do_not_share_a_topic(tg: Harness) -> None:
    ada = tg.admin
    await tg.say(f"/ask {OPENING}", chat=tg.group)
    await tg.say(f"/ask {OTHER_TOPIC}", chat=tg.group, user=ada)
    bob_follow_up = await tg.say(f"/ask {FOLLOW_UP}", chat=tg.group)
    assert IN_TOPIC in bob_follow_up.text
    ada_follow_up = await tg.say(f"/ask {FOLLOW_UP}", chat=tg.group, user=ada)
    assert IN_TOPIC not in ada_follow_up.text


async def test_a_reply_to_an_older_answer_continues_that_answer(tg: Harness) -> None:
    crane = await tg.say(OPENING)
    await tg.settle()  # the bot notes which answer a message shows after sending it
    await tg.say(OTHER_TOPIC)  # the conversation's topic is now Zhang
    follow_up = await tg.say(FOLLOW_UP, reply_to=crane.result)
    assert IN_TOPIC in follow_up.text


async def test_a_reply_in_a_group_continues_the_answer_even_for_someone_else(
        tg: Harness) -> None:
    crane = await tg.say(f"/ask {OPENING}", chat=tg.group)
    await tg.settle()  # the bot notes which answer a message shows after sending it
    follow_up = await tg.say(FOLLOW_UP, chat=tg.group, user=tg.admin, reply_to=crane.result)
    assert IN_TOPIC in follow_up.text


async def test_new_forgets_the_conversation(tg: Harness) -> None:
    await tg.say(OPENING)
    confirmation = await tg.say("/new")
    assert "afresh" in confirmation.text
    follow_up = await tg.say(FOLLOW_UP)
    assert IN_TOPIC not in follow_up.text


async def test_new_and_the_follow_up_rules_are_in_help_and_the_menu(tg: Harness) -> None:
    menu = [c["command"] for c in tg.api.calls_of("setMyCommands")[0].params["commands"]]
    assert "new" in menu
    help_text = (await tg.say("/help")).text
    assert "/new" in help_text
    assert "30 minutes" in help_text


async def test_a_topic_older_than_the_time_out_is_not_used(tg: Harness) -> None:
    crane = await tg.say(OPENING)
    # The bot notes which answer a message shows after sending it: age that note too.
    await tg.settle()
    # 31 minutes ago, as the bot's own file records it: past the 30-minute default.
    with sqlite3.connect(conversation_path_for(tg.service.kb.path)) as conn:
        for table in ("turns", "replies"):
            conn.execute(f"UPDATE {table} SET at = at - 31 * 60")
    conn.close()
    follow_up = await tg.say(FOLLOW_UP, reply_to=crane.result)
    assert IN_TOPIC not in follow_up.text


async def test_a_restart_keeps_the_conversation(
        api: BotAPIStandIn, tg_service: NewsService, tmp_path: Path) -> None:
    async with running(api, tg_service, bot_settings(api, tmp_path)) as tg:
        await tg.say(OPENING)
    tg_service.conversations.close()
    tg_service.kb.close()
    again = BotAPIStandIn(TOKEN)  # a fresh server: nothing of the first run is left there
    again.start()
    try:
        restarted = NewsService(tmp_path / "kb.sqlite3", tmp_path / "articles")
        async with running(again, restarted, bot_settings(again, tmp_path)) as tg:
            follow_up = await tg.say(FOLLOW_UP)
    finally:
        again.stop()
    assert IN_TOPIC in follow_up.text


async def test_a_conversation_that_cannot_be_saved_still_gets_answers(tg: Harness) -> None:
    """As with a full disk or a read-only folder: SQLite refuses every write to the store
    ("attempt to write a readonly database"); the answers still come, without a topic."""
    tg.service.conversations._conn.execute("PRAGMA query_only = ON")
    assert "crane" in (await tg.say(OPENING)).text
    assert IN_TOPIC not in (await tg.say(FOLLOW_UP)).text
