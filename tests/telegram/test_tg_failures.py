"""Flood control, Bot API outages and handler failures: the bot waits, apologises, carries on."""

from __future__ import annotations

import pytest
from telegram.error import NetworkError
from tg_harness import Harness

QUESTION = "What caused the crane to fall in Mecca?"


async def test_flood_control_429_is_waited_out_and_the_answer_arrives(tg: Harness) -> None:
    tg.api.fail_next("sendMessage", 429, retry_after=1)
    mark = tg.api.mark()
    answer = await tg.say(QUESTION)
    assert "crane" in answer.text
    refused = [c for c in tg.api.calls_of("sendMessage", mark) if not c.ok]
    assert len(refused) == 1
    assert "Too Many Requests" in refused[0].error
    assert answer.at - refused[0].at >= 1.0  # retried only after retry_after


async def test_server_error_on_send_is_logged_and_the_user_told(tg: Harness) -> None:
    tg.expected_errors.append(NetworkError)
    tg.api.fail_next("sendMessage", 500)
    sorry = await tg.say(QUESTION)
    assert "something went wrong" in sorry.text
    await tg.wait_errors(1)
    assert isinstance(tg.errors[0], NetworkError)
    answer = await tg.say(QUESTION)  # the bot keeps running
    assert "crane" in answer.text


async def test_server_error_while_polling_is_retried(tg: Harness) -> None:
    tg.api.fail_next("getUpdates", 502)
    answer = await tg.say(QUESTION)
    assert "crane" in answer.text


async def test_many_chats_are_answered_concurrently(tg: Harness) -> None:
    chats = []
    for n in range(20):
        user = {"id": 5000 + n, "is_bot": False, "first_name": f"U{n}"}
        chats.append((user, tg.api.chat(5000 + n, user=user)))
    mark = tg.api.mark()
    for user, chat in chats:
        tg.api.push({"message": tg.api.message(QUESTION, user, chat)})
    answers = await tg.api.wait_for("sendMessage", after=mark, count=20)
    assert {a.params["chat_id"] for a in answers} == {str(5000 + n) for n in range(20)}
    assert all("crane" in a.text for a in answers)


@pytest.mark.settings(send_rate_limit=5)
async def test_the_bot_never_sends_faster_than_its_rate_limit(tg: Harness) -> None:
    """15 people asking at once under SEND_RATE_LIMIT=5: a burst of 5, then 5 a second."""
    mark = tg.api.mark()
    for n in range(15):
        user = {"id": 6000 + n, "is_bot": False, "first_name": f"R{n}"}
        tg.api.push({"message": tg.api.message(QUESTION, user, tg.api.chat(6000 + n, user=user))})
    answers = await tg.api.wait_for("sendMessage", after=mark, count=15)
    assert all("crane" in a.text for a in answers)
    times = sorted(a.at for a in answers)
    for start in times:  # no one-second window holds more than the burst and the rate
        assert sum(start <= t < start + 1.0 for t in times) <= 5 + 5
    assert times[-1] - times[0] >= 1.5
