"""Inline mode: '@bot words' in any chat lists matching articles, ten at a time."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from handlers.context import core, inline_of
from handlers.formatting import inline_message_html, shorten

log = logging.getLogger(__name__)

PAGE_SIZE = 10  # Telegram allows 50; ten keeps the first answer fast and paging real
MAX_RESULTS = 50
# Telegram caches inline answers for 300 s by default; 10 s shows a reload's articles soon
# while still sparing the bot the same query typed by many people at once.
CACHE_TIME = 10
# Telegram drops answers that arrive after about 10 s; stay clear of that.
DEADLINE_S = 8.0


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline query with one page of article results."""
    query = inline_of(update)
    try:
        offset = max(int(query.offset or 0), 0)
    except ValueError:
        offset = 0
    try:
        matches = await asyncio.wait_for(
            asyncio.to_thread(core(context).service.matches, query.query, MAX_RESULTS),
            DEADLINE_S,
        )
    except TimeoutError:
        log.warning("inline query took longer than %.0f s; answering empty", DEADLINE_S)
        matches = []
    page = matches[offset:offset + PAGE_SIZE]
    results = [
        InlineQueryResultArticle(
            id=f"{offset + i}-{match.article.id}",
            title=shorten(match.article.title, 200),
            description=shorten(match.fact or match.article.summary or "", 200),
            input_message_content=InputTextMessageContent(
                inline_message_html(match.article, match.fact), parse_mode=ParseMode.HTML
            ),
        )
        for i, match in enumerate(page)
    ]
    more = offset + PAGE_SIZE < len(matches)
    # No next_offset at all on the last page: PTB 22.8 with Defaults would send "[]" for an
    # empty one (upstream issue 4295) and clients would ask for that "page" again.
    extra: dict[str, Any] = {"next_offset": str(offset + PAGE_SIZE)} if more else {}
    await query.answer(results, cache_time=CACHE_TIME, is_personal=False, **extra)
