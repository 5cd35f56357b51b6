"""Button presses: summary, more facts, feedback, article list and /latest pages."""

from __future__ import annotations

import asyncio

from telegram import Message, Update
from telegram.ext import ContextTypes

from handlers.context import button_of, core
from handlers.formatting import articles_page_html, facts_html, latest_html, summary_html
from handlers.keyboards import (
    ARTICLES_PER_PAGE,
    LATEST_MAX,
    LATEST_PER_PAGE,
    articles_keyboard,
    latest_keyboard,
    parse_data,
    without_feedback,
)
from handlers.replies import answer_query, edit, edit_markup, reply

GONE = "That article is no longer loaded."
NOT_SAVED = "Sorry, I could not save that just now."


async def summary_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the summary of the answer's article."""
    query = button_of(update)
    ids = parse_data(query.data)
    article = await asyncio.to_thread(core(context).service.article, ids[0]) if ids else None
    if article is None or not isinstance(query.message, Message):
        await answer_query(query, GONE)
        return
    await answer_query(query)
    await reply(query.message, summary_html(article))


async def more_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send every fact of the answer's article (split over messages when long)."""
    query = button_of(update)
    ids = parse_data(query.data)
    found = (await asyncio.to_thread(core(context).service.article_with_facts, ids[0])
             if ids else None)
    if found is None or not isinstance(query.message, Message):
        await answer_query(query, GONE)
        return
    await answer_query(query)
    article, facts = found
    await reply(query.message, facts_html(article, facts, "All facts"))


async def feedback_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store helpful / not helpful and take the feedback buttons away."""
    query = button_of(update)
    numbers = parse_data(query.data)
    if len(numbers) != 2:
        await answer_query(query)
        return
    question_id, helpful = numbers
    stored = await asyncio.to_thread(core(context).rate, question_id, bool(helpful))
    if stored is None:
        await answer_query(query, NOT_SAVED)
        return
    await answer_query(query, "Thanks for your feedback!" if stored
                       else "That answer is too old to rate.")
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    article_data = markup.inline_keyboard[0][0].callback_data if markup else None
    article_ids = parse_data(article_data if isinstance(article_data, str) else None)
    if stored and article_ids:
        await edit_markup(query, without_feedback(article_ids[0]))


async def page_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show another page of /articles in the same message."""
    query = button_of(update)
    numbers = parse_data(query.data)
    offset = numbers[0] if numbers else 0
    page = await asyncio.to_thread(core(context).service.articles, ARTICLES_PER_PAGE, offset)
    await answer_query(query)
    await edit(query, articles_page_html(page), articles_keyboard(page.offset, page.total))


async def latest_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show newer or older articles of /latest in the same message."""
    query = button_of(update)
    numbers = parse_data(query.data)
    offset, size = numbers if len(numbers) == 2 else (0, LATEST_PER_PAGE)
    size = min(max(size, 1), LATEST_MAX)  # forged data must not ask for the whole base
    page = await asyncio.to_thread(core(context).service.latest, size, offset)
    await answer_query(query)
    await edit(query, latest_html(page), latest_keyboard(page.offset, size, page.total))
