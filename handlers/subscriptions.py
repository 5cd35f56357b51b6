"""/subscribe, /unsubscribe, and the notices of new articles subscribers get.

`announce` is the one way notices go out: after a load in this process that added articles
(handlers/admin.py), at start-up and every SUBSCRIPTION_CHECK_SECONDS (loads by
`python -m bot load` or `fetch` in another process, and a run cut short by a crash).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass

from telegram import Bot, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.intake.subscriptions import Notice, SubscriptionStore, notices
from handlers.context import CORE_KEY, Core, core, message_of
from handlers.formatting import notice_html
from handlers.replies import reply

log = logging.getLogger(__name__)

SUBSCRIBED = ("Subscribed: I will send this chat the titles of new articles as they "
              "arrive. /unsubscribe stops them.")
ALREADY = "This chat is already subscribed. /unsubscribe stops the notices."
UNSUBSCRIBED = "Unsubscribed: no more notices of new articles here."
NOT_SUBSCRIBED = "This chat is not subscribed. /subscribe to get the titles of new articles."
GROUP_ADMINS_ONLY = "Sorry, only this group's admins can {action} it."
NOT_SAVED = "Sorry, I could not save that just now. Please try again later."
NOT_CHECKED = "Sorry, I could not check that you are an admin here. Please try again later."
MANAGERS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
# Notices on their way at once: the rate limiter (SEND_RATE_LIMIT, AIORateLimiter) spaces
# them; one after another, each waited for Telegram's answer (50 ms: 1,000 subscribers took
# 50 s, bench.notices), and a second's worth in flight keeps the limit, not the wait, in charge.
CONCURRENT_NOTICES = 8


async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe the chat to notices of articles added from now on."""
    message = message_of(update)
    if not await _may_manage(message, context, "subscribe"):
        return
    c = core(context)
    newest = await asyncio.to_thread(c.service.newest_article_id)
    try:
        added = await asyncio.to_thread(c.subscriptions.subscribe, message.chat.id,
                                        message.chat.type, newest)
    except sqlite3.Error as exc:  # a full disk or read-only folder
        log.warning("subscription of chat %s not saved: %s", message.chat.id, exc)
        await reply(message, NOT_SAVED)
        return
    await reply(message, SUBSCRIBED if added else ALREADY)


async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop the chat's notices."""
    message = message_of(update)
    if not await _may_manage(message, context, "unsubscribe"):
        return
    try:
        removed = await asyncio.to_thread(core(context).subscriptions.unsubscribe,
                                          message.chat.id)
    except sqlite3.Error as exc:
        log.warning("unsubscription of chat %s not saved: %s", message.chat.id, exc)
        await reply(message, NOT_SAVED)
        return
    await reply(message, UNSUBSCRIBED if removed else NOT_SUBSCRIBED)


async def _may_manage(message: Message, context: ContextTypes.DEFAULT_TYPE,
                      action: str) -> bool:
    """Anyone in a private chat; in a group, its admins (Telegram says who they are today),
    anonymous admins included; everyone else is told why not."""
    chat = message.chat
    if chat.type == ChatType.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an admin posting anonymously, as the group itself
    user = message.from_user
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP) and user is not None:
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            log.warning("could not check the admins of chat %s: %s", chat.id, exc)
            await reply(message, NOT_CHECKED)
            return False
        if member.status in MANAGERS:
            return True
    log.info("refused /%s of chat %s for a non-admin", action, chat.id)
    await reply(message, GROUP_ADMINS_ONLY.format(action=action))
    return False


@dataclass
class AnnounceReport:
    """What one announce run did: notices sent, subscribers dropped (they blocked the bot or
    removed it), notices lost to another error."""

    sent: int = 0
    dropped: int = 0
    failed: int = 0


async def announce(application: Application) -> AnnounceReport:
    """Send every subscriber one message naming the articles added since it was last told.

    One run at a time: a run that waits for another finds what that one sent already
    claimed. Call it after any load that added articles; with nothing new it costs a read.
    """
    c: Core = application.bot_data[CORE_KEY]
    report = AnnounceReport()
    async with c.announcing:
        try:
            found = await asyncio.to_thread(notices, c.subscriptions, c.service)
            await _tell_all(application.bot, c.subscriptions, found, report)
        except sqlite3.Error as exc:  # a full disk or read-only folder: the next run retries
            log.warning("subscription notices stopped: %s", exc)
    if report.sent or report.dropped or report.failed:
        log.info("notices of new articles: %d sent, %d subscribers dropped, %d failed",
                 report.sent, report.dropped, report.failed)
    return report


async def announce_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """`announce` as the JobQueue runs it: at start-up and every SUBSCRIPTION_CHECK_SECONDS."""
    await announce(context.application)


async def _tell_all(bot: Bot, store: SubscriptionStore, found: list[Notice],
                    report: AnnounceReport) -> None:
    """Tell every subscriber, CONCURRENT_NOTICES at a time, in subscription order; the first
    storage error is raised once every notice under way has ended."""
    slots = asyncio.Semaphore(CONCURRENT_NOTICES)

    async def tell(notice: Notice) -> None:
        async with slots:
            await _tell(bot, store, notice, report)

    outcomes = await asyncio.gather(*map(tell, found), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def _tell(bot: Bot, store: SubscriptionStore, notice: Notice,
                report: AnnounceReport) -> None:
    """Claim the notice, then send it: at most once, never twice (bot/intake/subscriptions.py)."""
    subscriber, news = notice.subscriber, notice.news
    if not await asyncio.to_thread(store.claim, subscriber.chat_id, subscriber.seen_up_to,
                                   news.newest):
        return  # another run told it already, or it unsubscribed meanwhile
    chat_id = subscriber.chat_id
    try:
        try:
            await bot.send_message(chat_id, notice_html(news), parse_mode=ParseMode.HTML)
        except ChatMigrated as moved:  # the group became a supergroup: follow it, once
            chat_id = moved.new_chat_id
            await asyncio.to_thread(store.move, subscriber.chat_id, chat_id,
                                    ChatType.SUPERGROUP)
            await bot.send_message(chat_id, notice_html(news), parse_mode=ParseMode.HTML)
        report.sent += 1
    except Forbidden as exc:  # blocked, removed from the group, account deleted
        await asyncio.to_thread(store.unsubscribe, chat_id)
        log.info("subscriber %s dropped: %s", chat_id, exc.message)
        report.dropped += 1
    except TelegramError as exc:
        log.warning("notice to %s lost (not retried): %s", chat_id, exc)
        report.failed += 1


def schedule_announcements(application: Application, every_s: float) -> None:
    """Announce once the bot has started, then every `every_s` seconds (0: never again)."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is needed for subscriptions")
    # Scheduled now, run when the application starts: however late that is, it still runs
    # (a repeating job's first run, "now" when scheduled, would be skipped as past).
    queue.run_once(announce_job, when=0, name="announce at start",
                   job_kwargs={"misfire_grace_time": None})
    if every_s:
        queue.run_repeating(announce_job, interval=every_s, first=every_s, name="announce")
