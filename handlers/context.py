"""The core as handlers reach it: one typed object in bot_data, never the database itself."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass, field

from telegram import CallbackQuery, InlineQuery, Message, Update, User
from telegram.ext import ContextTypes

from bot.answer.answers import Answer
from bot.config.settings import Settings
from bot.intake.subscriptions import SubscriptionStore
from bot.service import NewsService
from bot.store.usage import UsageLog

CORE_KEY = "core"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Core:
    """The news service, the usage log, the subscribers and the settings the handlers need."""

    service: NewsService
    usage: UsageLog
    settings: Settings
    subscriptions: SubscriptionStore
    # One announce run at a time (handlers/subscriptions.py).
    announcing: asyncio.Lock = field(default_factory=asyncio.Lock, compare=False)

    def ask(self, question: str, conversation: str | None = None,
            reply_to: str | None = None) -> tuple[Answer, int | None]:
        """Answer and log a question (small talk is not logged); blocking, run it in a thread.

        `conversation` and `reply_to` as NewsService.ask takes them (handlers/conversations.py)."""
        answer = self.service.ask(question, conversation, reply_to)
        if answer.reply:
            return answer, None
        try:
            return answer, self.usage.record_question(question, answer.answered)
        except sqlite3.Error as exc:  # a full disk or read-only folder must not cost the answer
            log.warning("question not logged for /stats: %s", exc)
            return answer, None

    def remember(self, refs: list[str], answer: Answer) -> None:
        """Note the messages that show `answer`, so a reply to any of them continues it."""
        for ref in refs:
            self.service.remember_message(ref, answer)

    def rate(self, question_id: int, helpful: bool) -> bool | None:
        """Store feedback: False for an unknown question, None when it cannot be stored."""
        try:
            return self.usage.record_feedback(question_id, helpful)
        except sqlite3.Error as exc:
            log.warning("feedback not stored: %s", exc)
            return None

    def is_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.settings.admin_ids


def core(context: ContextTypes.DEFAULT_TYPE) -> Core:
    """The Core stored by build_application."""
    return context.bot_data[CORE_KEY]


class NotForThisHandler(LookupError):
    """An update without the part its handler was registered for (a routing bug)."""


def message_of(update: Update) -> Message:
    """The message a command or text handler answers: its filters admit only updates with one."""
    if update.effective_message is None:
        raise NotForThisHandler("update without a message")
    return update.effective_message


def button_of(update: Update) -> CallbackQuery:
    """The button press a CallbackQueryHandler was called for."""
    if update.callback_query is None:
        raise NotForThisHandler("update without a callback query")
    return update.callback_query


def inline_of(update: Update) -> InlineQuery:
    """The inline query an InlineQueryHandler was called for."""
    if update.inline_query is None:
        raise NotForThisHandler("update without an inline query")
    return update.inline_query
