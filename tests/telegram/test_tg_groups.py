"""In groups the bot answers /ask, replies to it and mentions, and is otherwise quiet."""

from __future__ import annotations

from tg_harness import Harness

QUESTION = "What caused the crane to fall in Mecca?"


async def test_ask_in_a_group_is_answered_as_a_reply(tg: Harness) -> None:
    reply = await tg.say(f"/ask {QUESTION}", chat=tg.group)
    assert "Mecca" in reply.text
    assert reply.params["reply_parameters"]["message_id"]  # quoted under the question


async def test_plain_group_chatter_gets_no_answer(tg: Harness) -> None:
    mark = tg.api.mark()
    tg.api.push({"message": tg.api.message(QUESTION, tg.user, tg.group)})
    await tg.silence(tg.group, mark)


async def test_a_reply_to_the_bot_in_a_group_is_answered(tg: Harness) -> None:
    first = await tg.say("/ask Who directs the Civil Defense Authority?", chat=tg.group)
    reply = await tg.say(QUESTION, chat=tg.group, reply_to=first.result)
    assert "crane" in reply.text


async def test_a_reply_to_someone_else_is_not_answered(tg: Harness) -> None:
    other = tg.api.message("I think it was the wind", tg.admin, tg.group)
    mark = tg.api.mark()
    tg.api.push({"message": tg.api.message(QUESTION, tg.user, tg.group, reply_to=other)})
    await tg.silence(tg.group, mark)


async def test_a_mention_of_the_bot_is_answered_without_the_mention(tg: Harness) -> None:
    reply = await tg.say(f"@newsbot_test {QUESTION}", chat=tg.group)
    assert "crane" in reply.text


async def test_a_mention_of_another_bot_is_ignored(tg: Harness) -> None:
    mark = tg.api.mark()
    tg.api.push({"message": tg.api.message(f"@otherbot_x {QUESTION}", tg.user, tg.group)})
    await tg.silence(tg.group, mark)


async def test_commands_addressed_to_this_bot_work_and_others_are_ignored(
        tg: Harness) -> None:
    reply = await tg.say("/help@newsbot_test", chat=tg.group)
    assert "25 articles" in reply.text
    mark = tg.api.mark()
    tg.api.push({"message": tg.api.message("/help@otherbot_x", tg.user, tg.group)})
    await tg.silence(tg.group, mark)
