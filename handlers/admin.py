"""Admin commands: /reload, /stats and article uploads; everyone else is politely refused."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.loading import LoadError, LoadReport
from bot.uploads import MAX_UPLOAD_BYTES, UploadError, safe_article_name, save_upload
from handlers.context import Core, NotForThisHandler, core, message_of
from handlers.formatting import esc, report_html, stats_html
from handlers.replies import reply

log = logging.getLogger(__name__)

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
    # Start before the notice: under load the rate limiter can hold the notice for seconds.
    reloading = asyncio.ensure_future(asyncio.to_thread(core(context).service.reload))
    try:
        await reply(message, "Reloading the articles…")
    except TelegramError as exc:  # the outcome matters more than the notice: still report it
        log.warning("reload notice not sent: %s", exc)
    try:
        report = await reloading
    except LoadError as exc:
        log.error("reload failed: %s", exc)
        await reply(message, f"<b>Reload failed</b>: {esc(str(exc))}\n"
                             "The previous articles are still being served.")
        return
    await reply(message, report_html(report.lines()))


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Articles, facts, questions, answered share, top unanswered questions, feedback."""
    if not await _admin_only(update, context, "/stats"):
        return
    c = core(context)
    loaded = await asyncio.to_thread(c.service.stats)
    usage = await asyncio.to_thread(c.usage.stats)
    await reply(message_of(update), stats_html(loaded, usage))


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


def _save_and_load(c: Core, name: str, data: bytes) -> LoadReport:
    """Write the upload into the articles folder and reload (blocking)."""
    save_upload(c.service.articles_dir, name, data)
    return c.service.reload()
