"""Telegram HTML for answers, lists and reports: everything escaped, messages under 4,096."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from bot.answer.answers import Answer
from bot.intake.subscriptions import first_sentence
from bot.rendering import (
    Found,
    NotFound,
    ShownFact,
    SmallTalk,
    answer_view,
    article_label,
    one_line,
    shown_date,
)
from bot.service import ArticlePage, KnowledgeStats, LatestPage, NewArticles
from bot.store.feed_state import FeedStatus
from bot.store.knowledge import StoredArticle
from bot.store.usage import UsageStats

MAX_MESSAGE_CHARS = 4096
# Telegram counts UTF-16 code units; leave room so a split never lands on the limit.
SPLIT_AT = 4000
MAX_SHOWN_QUESTION = 80
MAX_SHOWN_ERROR = 160
_TAG_RE = re.compile(r"<[^>]*>")


def esc(text: str) -> str:
    """Escape text from articles or users for Telegram HTML text (<, > and &)."""
    return html.escape(text, quote=False)


def esc_attr(text: str) -> str:
    """Escape an attribute value (quotes too)."""
    return html.escape(text, quote=True)


def utf16_len(text: str) -> int:
    """Length as Telegram measures it: UTF-16 code units (an emoji counts as two)."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """Plain text cut at a word boundary with an ellipsis, before escaping."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "…"


def link(url: str | None, label: str) -> str:
    """An <a> tag for http(s) URLs only; anything else is dropped."""
    if not url or not url.startswith(("http://", "https://")):
        return ""
    return f'<a href="{esc_attr(url)}">{esc(label)}</a>'


def answer_html(answer: Answer) -> str:
    """The answer message: the parts bot.rendering shows, as Telegram HTML."""
    match answer_view(answer):
        case SmallTalk(text):
            return esc(text)
        case NotFound(suggestions):
            return refusal_html(suggestions)
        case Found() as found:
            return "\n\n".join(found_blocks(found))


def found_blocks(found: Found) -> list[str]:
    """Each fact with its article's title, then the summary and source. Facts are bold,
    unless one holds the part that answers the question: then only such parts are."""
    blocks = ["<i>I'm not sure, but this may answer it:</i>"] if found.hedged else []
    marked = any(fact.span for fact in found.facts)
    for fact in found.facts:
        context = f"{esc(fact.context)} " if fact.context else ""
        block = context + (fact_with_span_html(fact) if marked else f"<b>{esc(fact.text)}</b>")
        if fact.article_title is not None:
            block += f"\n— <i>{esc(fact.article_title)}</i>" + label_html(fact.article_label)
        blocks.append(block)
    if found.summary:
        blocks.append(f"<b>Summary:</b> {esc(found.summary)}")
    if source := link(found.source_url, "Source"):
        blocks.append(source)
    return blocks


def label_html(label: str | None) -> str:
    """" (Wikinews, 12 Sep 2015)" after an article's title; nothing without a label."""
    return f" ({esc(label)})" if label else ""


def fact_with_span_html(fact: ShownFact) -> str:
    """The fact with only the part that answers the question in bold ("5,200" for "how
    many files?"): a whole bold sentence would hide it. Each part is escaped on its own, so
    the tags never cut an entity such as &amp;."""
    before, span, after = fact.parts()
    return esc(before) + (f"<b>{esc(span)}</b>" if span else "") + esc(after)


def refusal_html(suggestions: Sequence[str]) -> str:
    """'Not in my articles', with the closest articles when there are any."""
    text = "I could not find that in my articles."
    if suggestions:
        titles = "\n".join(f"• {esc(title)}" for title in suggestions)
        text += f"\n\nThe closest articles I have:\n{titles}\n\nTry /summary with a few words "
        text += "of a title, or ask another way."
    else:
        text += " Try /articles to see what I have read."
    return text


def article_line(number: int, article: StoredArticle) -> str:
    date = f" ({esc(shown)})" if (shown := shown_date(article.date)) else ""
    return f"{number}. {esc(article.title)}{date}"


def articles_page_html(page: ArticlePage) -> str:
    """One page of the article list, numbered as /summary and /facts understand."""
    if not page.articles:
        return "No articles are loaded yet."
    last = page.offset + len(page.articles)
    lines = [f"<b>Articles {page.offset + 1}–{last} of {page.total}</b>"]
    lines += [article_line(page.offset + i, a) for i, a in enumerate(page.articles, 1)]
    lines.append("\nSend /summary 3 or /facts 3 (or words of a title) to read one.")
    return "\n".join(lines)


def latest_html(page: LatestPage) -> str:
    """A page of /latest: newest first, each article's date, title and one-line summary.
    Bullets, not numbers: /summary 3 means the third article of /articles."""
    if not page.articles:
        if not page.undated:
            return "No articles are loaded yet."
        return ("None of my articles has a date, so I cannot tell which are the newest. "
                "/articles lists them all.")
    last = page.offset + len(page.articles)
    lines = [f"<b>Newest articles {page.offset + 1}–{last} of {page.total}</b>"]
    for article in page.articles:
        lines.append(f"\n• <b>{esc(article.title)}</b> — {esc(shown_date(article.date) or '')}")
        if article.summary:
            lines.append(esc(one_line(article.summary)))
    if page.undated:
        lines.append(f"\nNot listed: {page.undated} article{'s' if page.undated > 1 else ''} "
                     "without a date (see /articles).")
    lines.append("\nSend /summary or /facts with words of a title to read one.")
    return "\n".join(lines)


def summary_html(article: StoredArticle) -> str:
    parts = [f"<b>{esc(article.title)}</b>"]
    if shown := shown_date(article.date):
        parts[0] += f" ({esc(shown)})"
    parts.append(esc(article.summary) if article.summary else "No summary for this article.")
    if source := link(article.url, "Source"):
        parts.append(source)
    return "\n\n".join(parts)


def facts_html(article: StoredArticle, facts: Sequence[str], heading: str) -> str:
    """A numbered list of facts under the article's title."""
    if not facts:
        return f"<b>{esc(article.title)}</b>\n\nI found no facts in this article."
    items = "\n".join(f"{i}. {esc(fact)}" for i, fact in enumerate(facts, 1))
    return f"<b>{heading}: {esc(article.title)}</b>\n\n{items}"


def inline_message_html(article: StoredArticle, fact: str | None) -> str:
    """What an inline result posts: the fact, the article and its summary (one message)."""
    parts = []
    if fact:
        parts.append(f"<b>{esc(shorten(fact, 1500))}</b>")
    parts.append(f"— <i>{esc(shorten(article.title, 300))}</i>"
                 + label_html(article_label(article.source, article.date)))
    if article.summary:
        parts.append(esc(shorten(article.summary, 1800)))
    return "\n\n".join(parts)


def report_html(lines: Sequence[str], title: str = "Reload finished") -> str:
    """A load report (added / updated / removed / unchanged / failed), escaped."""
    return f"<b>{esc(title)}</b>\n" + "\n".join(esc(line) for line in lines)


def notice_html(news: NewArticles) -> str:
    """A subscriber's notice: each new article's title, date and source, and its summary's
    first sentence; at most MAX_LISTED of them (then how many more), so one message holds it
    (10 x ~330 characters)."""
    count = f"{news.total} new article{'s' if news.total > 1 else ''}"
    lines = [f"<b>{count}</b>"]
    for article in news.articles:
        about = ", ".join(esc(shorten(x, 40)) for x in (article.date, article.source) if x)
        lines.append(f"\n• <b>{esc(shorten(article.title, 150))}</b>"
                     + (f" ({about})" if about else ""))
        if line := first_sentence(article.summary):
            lines.append(esc(shorten(line, 160)))
    if more := news.total - len(news.articles):
        lines.append(f"\n… and {more} more: see /articles.")
    lines.append("\nAsk me about them, or send /summary and words of a title."
                 " /unsubscribe stops these notices.")
    return "\n".join(lines)


def stats_html(loaded: KnowledgeStats, usage: UsageStats,
               feeds: Sequence[FeedStatus] = ()) -> str:
    lines = [
        "<b>Bot statistics</b>",
        f"Articles: {loaded.articles}",
        f"Facts: {loaded.facts}",
        f"Engine: {esc(loaded.answering)}",
        f"Questions asked: {usage.questions}",
        f"Answered: {usage.answered} ({usage.answered_share:.0%})",
        f"Feedback: {usage.helpful} helpful, {usage.not_helpful} not helpful",
    ]
    if usage.top_unanswered:
        lines.append("\n<b>Most frequent unanswered questions</b>")
        lines += [f"{n}× {esc(shorten(text, MAX_SHOWN_QUESTION))}"
                  for text, n in usage.top_unanswered]
    if feeds:
        lines.append("\n<b>Feeds</b>")
        lines += [f"{esc(feed.url)}: {feed_result_html(feed)}" for feed in feeds]
    return "\n".join(lines)


def feed_result_html(feed: FeedStatus) -> str:
    """ok / N new / failing since ... with the error, and the pages that failed."""
    if feed.checked_at is None:
        return "not read yet"
    if feed.failing_since:
        return (f"<b>failing</b> since {feed.failing_since} UTC: "
                f"{esc(shorten(feed.error or '', MAX_SHOWN_ERROR))}")
    text = ("ok, unchanged" if feed.unchanged else
            f"ok, {feed.new_articles} new" if feed.new_articles else "ok, nothing new")
    if feed.failed_pages:
        text += (f", {feed.failed_pages} page{'s' if feed.failed_pages > 1 else ''} failed "
                 f"({esc(shorten(feed.page_error or '', MAX_SHOWN_ERROR))})")
    return f"{text} (read {feed.checked_at} UTC)"


def split_html(text: str, limit: int = SPLIT_AT) -> list[str]:
    """Split a message at line breaks into parts under `limit` (UTF-16 units).

    Parts are cut between lines, so tags (which never span lines here) stay balanced;
    a single line longer than the limit loses its tags and is cut between words.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            parts.append(current)
        current = ""
        if utf16_len(line) <= limit:
            current = line
        else:
            pieces = _split_line(line, limit)
            parts += pieces[:-1]
            current = pieces[-1]
    if current.strip():
        parts.append(current)
    return parts or [text]


def _split_line(line: str, limit: int) -> list[str]:
    """Cut one over-long line between words, never inside an entity like &amp;."""
    plain = _TAG_RE.sub("", line)
    pieces = []
    while utf16_len(plain) > limit:
        cut = limit
        while utf16_len(plain[:cut]) > limit:
            cut -= 1
        space = plain.rfind(" ", 0, cut)
        if space > limit // 2:
            cut = space
        amp = plain.rfind("&", 0, cut)
        if amp != -1 and ";" not in plain[amp:cut]:
            cut = amp
        pieces.append(plain[:cut].rstrip())
        plain = plain[cut:].lstrip()
    pieces.append(plain)
    return [p for p in pieces if p] or [""]
