"""Sending and editing that copes with Telegram's limits and its harmless refusals."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from handlers.formatting import split_html

log = logging.getLogger(__name__)

HARMLESS = ("message is not modified", "query is too old", "query id is invalid")


def is_harmless(error: BaseException) -> bool:
    """Telegram refusals that only mean 'nothing to do' (same text, expired button press)."""
    return isinstance(error, BadRequest) and any(h in error.message.lower() for h in HARMLESS)


@contextmanager
def harmless_refusals_ignored(action: str) -> Iterator[None]:
    """Let "message is not modified" and "query is too old" pass; raise anything else."""
    try:
        yield
    except BadRequest as exc:
        if not is_harmless(exc):
            raise
        log.debug("%s skipped: %s", action, exc.message)


async def reply(message: Message, text: str,
                markup: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Reply with HTML, split under 4,096 characters; the keyboard goes under the last part.
    Returns every message sent, so a reply to any part of an answer can continue it."""
    parts = split_html(text)
    sent = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        # allow_sending_without_reply: the question may be deleted before the answer is ready
        sent.append(await message.reply_text(part, parse_mode=ParseMode.HTML,
                                             reply_markup=markup if last else None,
                                             allow_sending_without_reply=True))
    return sent


async def edit(query: CallbackQuery, text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the pressed message; pressing the same button twice is not an error."""
    with harmless_refusals_ignored("edit"):
        await query.edit_message_text(split_html(text)[0], parse_mode=ParseMode.HTML,
                                      reply_markup=markup)


async def edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Change the buttons under the pressed message; an unchanged keyboard is not an error."""
    with harmless_refusals_ignored("keyboard edit"):
        await query.edit_message_reply_markup(markup)


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press; a press Telegram has already forgotten is not an error."""
    with harmless_refusals_ignored("callback answer"):
        await query.answer(text)
