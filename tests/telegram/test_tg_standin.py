"""The stand-in refuses what Telegram refuses, so passing tests mean Telegram would accept."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from botapi_standin import BotAPIStandIn
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.error import BadRequest, InvalidToken
from tg_harness import TOKEN, USER_ID


@pytest.fixture
async def bot(api: BotAPIStandIn) -> AsyncIterator[Bot]:
    api.chat(USER_ID)
    async with Bot(TOKEN, base_url=api.base_url) as client:
        yield client


@pytest.mark.parametrize("text", ["", "   ", "x" * 4097, "🏗" * 2049])
async def test_empty_or_over_long_text_is_refused(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(USER_ID, text)


@pytest.mark.parametrize("text", ["<b>open", "<blink>x</blink>", "a & b", "1 < 2",
                                  "<b><i>x</b></i>", '<a href="x&y">l</a>'])
async def test_malformed_html_is_refused(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)parse entities"):
        await bot.send_message(USER_ID, text, parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_refused(bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER_ID, "x", reply_markup=markup)


def article(result_id: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(result_id, "t", InputTextMessageContent("m"))


@pytest.mark.parametrize(("results", "error"), [
    ([article(str(i)) for i in range(51)], "RESULTS_TOO_MUCH"),
    ([article("same"), article("same")], "RESULT_ID_DUPLICATE"),
    ([article("x" * 65)], "RESULT_ID_INVALID"),
])
async def test_bad_inline_answers_are_refused(api: BotAPIStandIn, bot: Bot,
                                              results: list, error: str) -> None:
    query_id = api.inline_query("q", {"id": USER_ID, "is_bot": False, "first_name": "B"})[
        "inline_query"]["id"]
    with pytest.raises(BadRequest, match=rf"(?i){error}"):
        await bot.answer_inline_query(query_id, results)


async def test_unknown_chats_and_stale_queries_are_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(777, "hello")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("never-sent")


async def test_a_wrong_token_is_unauthorized(api: BotAPIStandIn) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=api.base_url):
            pass  # initialising calls getMe, which the stand-in refuses
