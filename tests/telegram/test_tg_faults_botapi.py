"""Bot API trouble: flood control, 5xx, dropped connections, slow and garbage answers.

The bot recovers by itself, and every update it was handed is answered exactly once:
an update whose getUpdates answer was lost is delivered again (the offset was never
confirmed) and must not be answered twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from botapi_standin import PATIENCE_S, Call
from telegram.error import NetworkError
from tg_harness import Harness

from handlers.errors import error_handler

QUESTION = "What caused the crane to fall in Mecca?"


def users(tg: Harness, count: int, base: int = 7000) -> list[tuple[dict, dict]]:
    found = []
    for n in range(count):
        user = {"id": base + n, "is_bot": False, "first_name": f"U{n}"}
        found.append((user, tg.api.chat(base + n, user=user)))
    return found


async def asked_by_everyone(tg: Harness, people: list[tuple[dict, dict]]) -> None:
    """Each person asks once; returns as soon as each has an answer."""
    mark = tg.api.mark()
    ids = {chat["id"] for _, chat in people}
    for user, chat in people:
        tg.api.push({"message": tg.api.message(QUESTION, user, chat)})
    answers = await tg.api.wait_for("sendMessage", after=mark, count=len(people),
                                    where=lambda c: int(c.params["chat_id"]) in ids)
    assert sorted(int(a.params["chat_id"]) for a in answers) == sorted(ids)
    assert all("crane" in a.text for a in answers)


async def ask_everyone(tg: Harness, people: list[tuple[dict, dict]]) -> None:
    """Each person asks once; each gets exactly one answer, and no more come later."""
    mark = tg.api.mark()
    await asked_by_everyone(tg, people)
    await tg.settle()  # every update taken and handled: a repeated delivery would show now
    ids = {chat["id"] for _, chat in people}
    sent = [c for c in tg.api.calls_of("sendMessage", mark)
            if c.ok and int(c.params["chat_id"]) in ids]
    assert len(sent) == len(people), "an update was answered twice"


async def wait_until(what: str, done: Callable[[], bool]) -> None:
    """Until `done()` holds: an event to wait on, instead of a sleep that guesses."""
    deadline = time.monotonic() + PATIENCE_S
    while not done():
        assert time.monotonic() < deadline, f"{what} never happened"
        await asyncio.sleep(0.01)


async def wait_until_met(tg: Harness, method: str) -> None:
    await wait_until(f"the {method} fault", lambda: not tg.api.faults_waiting(method))


async def test_flood_control_on_getupdates_is_waited_out(tg: Harness) -> None:
    tg.api.fail_next("getUpdates", 429, retry_after=1)
    await wait_until_met(tg, "getUpdates")
    await ask_everyone(tg, users(tg, 3))
    polls = tg.api.calls_of("getUpdates")  # the refused one, then the one with updates
    assert "Too Many Requests" in (polls[0].error or "")
    assert polls[1].ok
    assert polls[1].at - polls[0].at >= 1.0  # not before retry_after


async def test_updates_whose_delivery_was_lost_come_again_and_are_answered_once(
        tg: Harness) -> None:
    tg.api.inject("getUpdates", "drop")
    await wait_until_met(tg, "getUpdates")  # the poll that will lose its answer is waiting
    people = users(tg, 5)
    await ask_everyone(tg, people)
    lost = [c for c in tg.api.calls if c.method == "getUpdates" and c.error
            and "dropped" in c.error]
    assert lost
    assert len(lost[0].result) == len(people)  # they really were handed out, then lost


async def test_garbage_from_getupdates_is_survived(tg: Harness) -> None:
    tg.api.inject("getUpdates", "not_json")
    await ask_everyone(tg, users(tg, 3))


async def test_a_getupdates_result_that_is_not_a_list_is_survived(tg: Harness) -> None:
    tg.api.inject("getUpdates", "not_a_list")
    await wait_until_met(tg, "getUpdates")
    await ask_everyone(tg, users(tg, 3))


async def test_slow_answers_delay_one_chat_not_the_others(tg: Harness) -> None:
    slow_user, slow_chat = users(tg, 1, base=7100)[0]
    tg.api.inject("sendMessage", "slow", delay_s=3.0)
    mark = tg.api.mark()
    tg.api.push({"message": tg.api.message(QUESTION, slow_user, slow_chat)})
    await wait_until_met(tg, "sendMessage")  # the slow reply is on its way

    def to_slow_chat(call: Call) -> bool:
        return call.params["chat_id"] == str(slow_chat["id"])

    await asked_by_everyone(tg, users(tg, 3))
    # The stand-in records a call as it answers it: the others were not queued behind.
    assert not any(to_slow_chat(c) for c in tg.api.calls_of("sendMessage", mark))
    slow = await tg.api.wait_for("sendMessage", after=mark, where=to_slow_chat)
    assert "crane" in slow[0].text


async def test_an_answer_lost_on_the_way_back_is_apologised_for_and_the_bot_goes_on(
        tg: Harness) -> None:
    tg.expected_errors.append(NetworkError)
    tg.api.inject("sendMessage", "drop")
    user, chat = users(tg, 1)[0]
    mark = tg.api.mark()
    tg.api.push({"message": tg.api.message(QUESTION, user, chat)})
    sorry = await tg.api.wait_for("sendMessage", after=mark)
    assert "something went wrong" in sorry[0].text  # the lost one was the answer itself
    await tg.wait_errors(1)
    await ask_everyone(tg, users(tg, 2, base=7200))


async def test_a_storm_of_mixed_faults_loses_no_update(tg: Harness) -> None:
    tg.api.inject("getUpdates", "slow", delay_s=0.3)
    tg.api.inject("getUpdates", "drop_before")  # the connection dies before the request
    tg.api.inject("getUpdates", "slow", delay_s=0.3)
    tg.api.fail_next("getUpdates", 502)  # and a server error among them
    tg.api.inject("getUpdates", "drop")  # updates handed out, then the answer is lost
    people = users(tg, 12)
    mark = tg.api.mark()
    for user, chat in people[:6]:  # some are waiting before the storm, some come during it
        tg.api.push({"message": tg.api.message(QUESTION, user, chat)})
    await wait_until("the storm", lambda: tg.api.faults_waiting("getUpdates") <= 3)
    await ask_everyone(tg, people[6:])
    early = [c for c in tg.api.calls_of("sendMessage", mark) if c.ok
             and int(c.params["chat_id"]) in {chat["id"] for _, chat in people[:6]}]
    assert len(early) == 6


async def test_polling_trouble_reaches_the_error_handler_as_one_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    """`run_polling` hands polling errors to the error handlers with no update."""
    context = SimpleNamespace(error=NetworkError("Server disconnected"))
    with caplog.at_level(logging.DEBUG, logger="handlers.errors"):
        await error_handler(None, context)  # type: ignore[arg-type]
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "Bot API trouble while polling, retrying: NetworkError")]
