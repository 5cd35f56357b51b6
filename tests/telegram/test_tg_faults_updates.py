"""Malformed and unexpected updates fed to the real Application through getUpdates.

Missing fields, edited messages, channel posts, stickers, photos, messages without text,
forged button data and update kinds this bot has never heard of: each is ignored or
answered sensibly, never an unhandled exception (the harness fails on those), and the
bot answers the next ordinary question.
"""

from __future__ import annotations

import time

import pytest
from tg_harness import Harness

QUESTION = "What caused the crane to fall in Mecca?"
OTHER = {"id": 3003, "is_bot": False, "first_name": "Cy"}
STICKER = {"file_id": "stk1", "file_unique_id": "ustk1", "type": "regular", "width": 512,
           "height": 512, "is_animated": False, "is_video": False}
PHOTO = [{"file_id": "ph1", "file_unique_id": "uph1", "width": 90, "height": 90}]


def base_message(tg: Harness, **fields: object) -> dict:
    message = {"message_id": 9000, "date": int(time.time()), "chat": tg.private,
               "from": tg.user}
    message.update(fields)
    return {k: v for k, v in message.items() if v is not None}


def updates(tg: Harness) -> dict[str, dict]:
    channel = tg.api.chat(-100777, "channel", title="News channel")
    admin_message = tg.api.message("/reload", tg.admin, tg.admin_chat)
    return {
        "sticker": {"message": base_message(tg, sticker=STICKER)},
        "photo_with_question_caption": {"message": base_message(tg, photo=PHOTO,
                                                                caption=QUESTION)},
        "no_text_no_media": {"message": base_message(tg)},
        "no_sender": {"message": base_message(tg, **{"from": None}, text=QUESTION)},
        "no_sender_command": {"message": base_message(tg, **{"from": None}, text="/reload",
                                                      entities=[{"type": "bot_command",
                                                                 "offset": 0, "length": 7}])},
        "empty_text": {"message": base_message(tg, text="")},
        "edited_question": {"edited_message": base_message(tg, text=QUESTION,
                                                           edit_date=int(time.time()))},
        "edited_reload_by_admin": {"edited_message": {**admin_message,
                                                      "edit_date": int(time.time())}},
        "channel_post": {"channel_post": {"message_id": 1, "date": int(time.time()),
                                          "chat": channel, "text": "/reload"}},
        "edited_channel_post": {"edited_channel_post": {
            "message_id": 1, "date": int(time.time()), "chat": channel, "text": QUESTION,
            "edit_date": int(time.time())}},
        "unknown_kind": {"business_weather_report": {"sunny": True}},
        "nothing_at_all": {},
        "my_chat_member": {"my_chat_member": {
            "chat": tg.group, "from": tg.user, "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": tg.api.bot_user()},
            "new_chat_member": {"status": "left", "user": tg.api.bot_user()}}},
        "button_without_message": {"callback_query": {
            "id": "cqx1", "from": tg.user, "chat_instance": "ci", "data": "sum:1",
            "inline_message_id": "im1"}},
        "button_without_data": {"callback_query": {
            "id": "cqx2", "from": tg.user, "chat_instance": "ci", "game_short_name": "g"}},
        "inline_query_huge_offset": {"inline_query": {
            "id": "iqx1", "from": tg.user, "query": "crane", "offset": "9" * 40}},
    }


async def test_odd_updates_are_survived_and_the_bot_answers_the_next_question(
        tg: Harness) -> None:
    tg.api.filter_updates = False  # deliver even what the bot did not ask for
    tg.api.open_callbacks.add("cqx1")
    tg.api.open_inline.add("iqx1")
    (tg.articles_dir / "tortoise.txt").write_text(
        "Tortoise found\n\nA giant tortoise was found alive on Fernandina island on Monday.\n",
        encoding="utf-8")
    other_chat = tg.api.chat(OTHER["id"], user=OTHER)
    for kind, update in updates(tg).items():
        tg.api.push(update)
        await tg.settle()  # taken and handled: an error would show by now
        assert tg.errors == [], kind
        answer = await tg.say(QUESTION, user=OTHER, chat=other_chat)
        assert "crane" in answer.text, kind
    assert tg.service.kb.article_count() == 25  # nothing reloaded the folder


FORGED_BUTTONS = ["sum:99999999999999999999", "more:-1", "fb:99999999999999999999:1",
                  "fb:1", "fb:x:y", "page:99999999999999999999", "page:-99", "sum:",
                  "more:1:2:3", "sum:٣", "page:" + "9" * 40]


async def test_forged_button_data_is_answered_politely(tg: Harness) -> None:
    answer = await tg.say(QUESTION)
    stored = tg.api.messages[(answer.result["chat"]["id"], answer.result["message_id"])]
    other_chat = tg.api.chat(OTHER["id"], user=OTHER)
    for data in FORGED_BUTTONS:
        mark = tg.api.mark()
        tg.api.press(dict(stored), data, tg.user)
        await tg.api.wait_for("answerCallbackQuery", after=mark)
        await tg.settle()
        assert tg.errors == [], data
        assert "crane" in (await tg.say(QUESTION, user=OTHER, chat=other_chat)).text


ODD_COMMANDS = ["/summary 99999999999999999999", "/facts ²", "/summary ٣", "/summary -1",
                "/facts 0", "/summary " + "9" * 400, "/ask", "/ask " + "\u200b" * 50,
                "/articles extra words", "/summary@newsbot_test 1", "/facts\u00a0\u00a01"]


async def test_odd_command_arguments_get_a_sensible_reply(tg: Harness) -> None:
    for text in ODD_COMMANDS:
        reply = await tg.say(text)
        assert reply.text.strip(), text
        assert "went wrong" not in reply.text, text
        await tg.settle()
        assert tg.errors == [], text
    assert "crane" in (await tg.say(QUESTION)).text


async def test_updates_the_library_cannot_read_are_skipped_not_retried_for_ever(
        tg: Harness, caplog: pytest.LogCaptureFixture) -> None:
    tg.api.filter_updates = False
    other_chat = tg.api.chat(OTHER["id"], user=OTHER)
    unreadable = [
        tg.api.push({"message": {"message_id": 1, "date": 0, "text": "SECRET no chat"}}),
        tg.api.push({"callback_query": {"id": "x", "from": tg.user, "data": "sum:1"}}),
        tg.api.push({"message": "SECRET not an object"}),
    ]
    answer = await tg.say(QUESTION, user=OTHER, chat=other_chat)  # in the same batch
    assert "crane" in answer.text
    for update in unreadable:
        assert f"update {update['update_id']} could not be read" in caplog.text
    assert "SECRET" not in caplog.text  # ids are logged, never content
