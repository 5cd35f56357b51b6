"""The error handler: log what kind of update failed (not its content), tell the user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.replies import is_harmless

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
UPDATE_KINDS = ("message", "edited_message", "callback_query", "inline_query",
                "channel_post", "my_chat_member")


def update_kind(update: object) -> str:
    """'message', 'callback_query', ... without any of the update's private content."""
    if not isinstance(update, Update):
        return type(update).__name__
    return next((kind for kind in UPDATE_KINDS if getattr(update, kind, None)), "update")


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and say sorry; the bot keeps running."""
    error = context.error
    if error is not None and is_harmless(error):
        log.debug("harmless Telegram refusal in %s: %s", update_kind(update), error)
        return
    if update is None:  # polling failed; python-telegram-bot logs it and retries by itself
        log.warning("Bot API trouble while polling, retrying: %s", type(error).__name__)
        return
    log.error("handling a %s failed: %s", update_kind(update), type(error).__name__,
              exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query:
            await update.callback_query.answer(SORRY, show_alert=False)
        elif update.effective_message:
            await update.effective_message.reply_text(SORRY)
    except TelegramError as exc:
        log.warning("could not tell the user about the failure: %s", type(exc).__name__)
