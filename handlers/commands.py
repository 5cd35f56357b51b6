"""User commands and questions: /start, /help, /ask, /new, /articles, /latest, /summary,
/facts, plain text."""

from __future__ import annotations

import asyncio
import re

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.store.knowledge import StoredArticle
from handlers.context import core, message_of
from handlers.conversations import conversation_key, message_ref, replied_ref
from handlers.formatting import (
    answer_html,
    articles_page_html,
    esc,
    facts_html,
    latest_html,
    summary_html,
)
from handlers.keyboards import (
    ARTICLES_PER_PAGE,
    LATEST_MAX,
    LATEST_PER_PAGE,
    answer_keyboard,
    articles_keyboard,
    latest_keyboard,
)
from handlers.replies import reply

TITLES_IN_HELP = 5
KEY_FACTS_SHOWN = 5  # an article without marked key facts shows its first ones
MAX_NUMBER_DIGITS = 9  # no list is longer; more digits would overflow SQLite's OFFSET
HELP = """<b>Ask me about the news articles I have read.</b>
I know {count} articles, for example:
{titles}

In a private chat, just send a question, e.g. <i>What caused the crane collapse in Mecca?</i>
In a group, use /ask <i>question</i>, reply to one of my messages or mention me.
Follow-up questions (<i>how many died?</i>, <i>what else?</i>) continue from my last answer \
to you for {minutes} minutes; reply to an older answer to continue from that one.

/new - forget our conversation: the next question is read on its own
/articles - the articles I know
/latest - the newest articles (<i>/latest 20</i> for more)
/summary <i>number or title words</i> - an article's summary
/facts <i>number or title words</i> - an article's key facts
/subscribe - get the titles of new articles here as they arrive (in a group: its admins)
/unsubscribe - stop them
/help - this message

Inline: type @{username} and a few words in any chat to share a fact."""


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet and explain what the bot knows."""
    await help_command(update, context)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say how many articles are loaded, show a few titles and how to ask."""
    page = await asyncio.to_thread(core(context).service.articles, TITLES_IN_HELP)
    titles = "\n".join(f"• {esc(a.title)}" for a in page.articles) or "(none loaded yet)"
    minutes = round(core(context).settings.conversation_timeout / 60)
    text = HELP.format(count=page.total, titles=titles, username=esc(context.bot.username),
                       minutes=minutes)
    await reply(message_of(update), text)


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question after /ask (the way to ask in groups)."""
    question = " ".join(context.args or [])
    if not question.strip():
        await reply(message_of(update),
                    "Put your question after the command, e.g. "
                    "<code>/ask What caused the crane collapse?</code>")
        return
    await answer(message_of(update), context, question)


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer plain text in a private chat, or a group message addressed to the bot."""
    message = message_of(update)
    text = strip_mention(message.text or "", context.bot.username)
    if not text.strip():
        await reply(message, "Yes? Ask me something about the news.")
        return
    await answer(message, context, text)


async def answer(message: Message, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Ask the core off the event loop, in the sender's conversation (or the one of the
    answer replied to), and reply with the answer and its buttons."""
    result, question_id = await asyncio.to_thread(
        core(context).ask, text, conversation_key(message), replied_ref(message))
    markup = None
    if result.answered and result.article_id is not None:
        markup = answer_keyboard(result.article_id, question_id)
    sent = await reply(message, answer_html(result), markup)
    if result.answered:
        await asyncio.to_thread(core(context).remember, [message_ref(m) for m in sent], result)


async def new_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget the sender's conversation, so a question is no longer read as a follow-up."""
    message = message_of(update)
    await asyncio.to_thread(core(context).service.forget, conversation_key(message))
    await reply(message, "Starting afresh: your next question is read on its own.")


def strip_mention(text: str, username: str) -> str:
    """The question without '@botname'."""
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()


async def articles_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the loaded articles, one page at a time."""
    page = await asyncio.to_thread(core(context).service.articles, ARTICLES_PER_PAGE)
    await reply(message_of(update), articles_page_html(page),
                articles_keyboard(page.offset, page.total))


async def latest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the newest articles by date: ten, or as many as asked (at most LATEST_MAX)."""
    size = latest_size(context.args or [])
    if size is None:
        await reply(message_of(update),
                    f"Send <code>/latest</code> for the {LATEST_PER_PAGE} newest articles, or "
                    f"<code>/latest 20</code> for another number (1 to {LATEST_MAX}).")
        return
    page = await asyncio.to_thread(core(context).service.latest, size)
    await reply(message_of(update), latest_html(page),
                latest_keyboard(page.offset, size, page.total))


def latest_size(args: list[str]) -> int | None:
    """How many articles /latest shows: the default, the number asked for (more than
    LATEST_MAX shows LATEST_MAX), or None for anything but one positive number."""
    if not args:
        return LATEST_PER_PAGE
    word = args[0]
    if len(args) > 1 or not (word.isascii() and word.isdigit()) or int(word) == 0:
        return None
    return min(int(word), LATEST_MAX)


async def summary_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show an article's summary, found by list number or title words."""
    article = await _article_from_args(update, context, "summary")
    if article is not None:
        await reply(message_of(update), summary_html(article))


async def facts_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show an article's key facts, found by list number or title words."""
    article = await _article_from_args(update, context, "facts")
    if article is None:
        return
    facts = await asyncio.to_thread(core(context).service.key_facts, article.id, KEY_FACTS_SHOWN)
    await reply(message_of(update), facts_html(article, facts, "Key facts"))


async def _article_from_args(update: Update, context: ContextTypes.DEFAULT_TYPE,
                             command: str) -> StoredArticle | None:
    """The article the command's words point to, or None after telling the user why."""
    query = " ".join(context.args or [])
    if not query.strip():
        await reply(message_of(update),
                    f"Which article? Send <code>/{command} 3</code> (its number in /articles) "
                    f"or <code>/{command} crane collapse</code> (words of its title).")
        return None
    number_like = query.strip().isdigit()  # Unicode digits too: '²', '٣'
    plain_number = query.strip().isascii() and len(query.strip()) <= MAX_NUMBER_DIGITS
    article = None
    if not number_like or plain_number:
        article = await asyncio.to_thread(core(context).service.find_article, query)
    if article is None:
        await reply(message_of(update),
                    f"I have no article matching “{esc(query[:100])}”. See /articles.")
    return article


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point to /help for commands the bot does not have."""
    await reply(message_of(update), "I don't know that command. Send /help to see mine.")
