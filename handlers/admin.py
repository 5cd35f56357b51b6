"""Admin commands: /reload, /stats, /add, links and article uploads; everyone else is
politely refused (a link from anyone else is just text: answered as a question)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.ingest.fetching import FetchLimits
from bot.ingest.uploads import MAX_UPLOAD_BYTES, UploadError, safe_article_name, save_upload
from bot.intake.links import LinksReport, add_links, find_links
from bot.store.feed_state import FeedStatus, feed_state_path_for, feed_statuses
from bot.store.loading import LoadError, LoadReport
from handlers.commands import question
from handlers.context import Core, NotForThisHandler, core, message_of
from handlers.formatting import esc, report_html, stats_html
from handlers.replies import reply
from handlers.subscriptions import announce

log = logging.getLogger(__name__)
T = TypeVar("T")

REFUSAL = "Sorry, only the bot's admins can do that."


async def _admin_only(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> bool:
    """True for admins; everyone else gets a polite refusal and a log line."""
    user = update.effective_user
    if core(context).is_admin(user):
        return True
    log.warning("refused %s for non-admin user %s", action, user.id if user else "unknown")
    await reply(message_of(update), REFUSAL)
    return False


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-read the articles folder off the event loop and reply with the report."""
    if not await _admin_only(update, context, "/reload"):
        return
    message = message_of(update)
    queued = _queued_notice(message)
    try:
        report = await _after_notice(message, "Reloading the articles…",
                                     lambda: core(context).service.reload(waiting=queued))
    except LoadError as exc:
        log.error("reload failed: %s", exc)
        await reply(message, f"<b>Reload failed</b>: {esc(str(exc))}\n"
                             "The previous articles are still being served.")
        return
    await reply(message, report_html(report.lines()))
    await _tell_subscribers(context, report)


def _queued_notice(message: Message) -> Callable[[str], None]:
    """A `waiting` hook for a load run off the event loop: the admin hears that the reload
    is queued behind a running load (cron's `python -m bot load`, say), not a failure."""
    loop = asyncio.get_running_loop()

    def queued(waiting: str) -> None:
        text = (f"Queued behind a running load ({esc(waiting)}); the report follows "
                "when it is done.")
        asyncio.run_coroutine_threadsafe(_notice(message, text), loop)

    return queued


async def _notice(message: Message, text: str) -> None:
    """Send a progress notice; one that cannot be sent only costs a log line."""
    try:
        await reply(message, text)
    except TelegramError as exc:
        log.warning("notice not sent: %s", exc)


async def _tell_subscribers(context: ContextTypes.DEFAULT_TYPE,
                            report: LoadReport | None) -> None:
    """After a load that added articles, subscribers hear of them (after the admin's report:
    the admin waits for nothing)."""
    if report is not None and report.added:
        await announce(context.application)


async def _after_notice(message: Message, notice: str, work: Callable[[], T]) -> T:
    """Run blocking `work` off the event loop, telling the sender it has started."""
    # Start before the notice: under load the rate limiter can hold the notice for seconds.
    running = asyncio.ensure_future(asyncio.to_thread(work))
    await _notice(message, notice)  # the outcome matters more than the notice
    return await running


async def add_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/add <url> ...`: fetch the pages as articles (admins)."""
    if not await _admin_only(update, context, "/add"):
        return
    links = find_links(" ".join(context.args or []))
    if not links:
        await reply(message_of(update), "Put the page's link after the command, e.g. "
                                        "<code>/add https://example.com/news/story</code>")
        return
    await _fetch_and_report(message_of(update), context, links)


async def link_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Links an admin sends in a private chat are fetched; from anyone else a message with
    a link is a question like any other, and nothing is fetched."""
    message = message_of(update)
    links = find_links(message.text or "")
    if not links or not core(context).is_admin(update.effective_user):
        await question(update, context)
        return
    await _fetch_and_report(message, context, links)


async def _fetch_and_report(message: Message, context: ContextTypes.DEFAULT_TYPE,
                            links: list[str]) -> None:
    """Fetch, save and load the links off the event loop; reply with what became of each."""
    c = core(context)
    limits = FetchLimits.from_settings(c.settings)
    notice = f"Fetching {len(links)} link{'s' if len(links) > 1 else ''}…"
    try:
        report: LinksReport = await _after_notice(
            message, notice, lambda: add_links(c.service, links, limits))
    except LoadError as exc:
        log.error("load after fetching failed: %s", exc)
        await reply(message, f"<b>Saved, but the load failed</b>: {esc(str(exc))}\n"
                             "The previous articles are still being served.")
        return
    await reply(message, report_html(report.lines(), "Links fetched"))
    await _tell_subscribers(context, report.load)


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Articles, facts, questions, answered share, top unanswered questions, feedback, and
    each feed's last result."""
    if not await _admin_only(update, context, "/stats"):
        return
    c = core(context)
    loaded = await asyncio.to_thread(c.service.stats)
    usage = await asyncio.to_thread(c.usage.stats)
    feeds = await asyncio.to_thread(_feed_results, c)
    await reply(message_of(update), stats_html(loaded, usage, feeds))


def _feed_results(c: Core) -> list[FeedStatus]:
    """Each configured feed's last result; none when the state cannot be read (logged)."""
    if not c.settings.feeds:
        return []
    path = feed_state_path_for(c.settings.database_path)
    try:
        return feed_statuses(path, c.settings.feeds)
    except sqlite3.Error as exc:
        log.warning("feed results not shown in /stats: %s", exc)
        return []


async def upload_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add an article file an admin sent in a private chat, then load it."""
    if not await _admin_only(update, context, "article upload"):
        return
    message = message_of(update)
    document = message.document
    if document is None:  # the handler's filter admits documents only
        raise NotForThisHandler("message without a document")
    try:
        name = safe_article_name(document.file_name or "article.txt")
    except UploadError as exc:
        await reply(message, f"I can't add that file: {esc(str(exc))}.")
        return
    if document.file_size and document.file_size > MAX_UPLOAD_BYTES:
        await reply(message, f"I can't add that file: it is over {MAX_UPLOAD_BYTES:,} bytes.")
        return
    telegram_file = await document.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    try:
        report = await asyncio.to_thread(_save_and_load, core(context), name, data)
    except (UploadError, LoadError) as exc:
        await reply(message, f"I can't add that file: {esc(str(exc))}.")
        return
    await reply(message, f"Saved as <code>{esc(name)}</code>.\n\n{report_html(report.lines())}")
    await _tell_subscribers(context, report)


def _save_and_load(c: Core, name: str, data: bytes) -> LoadReport:
    """Write the upload into the articles folder and reload (blocking)."""
    save_upload(c.service.articles_dir, name, data)
    return c.service.reload()
