"""Questions that ask for the newest articles: which words say so, and which dates they mean.

"What is the latest on the storm?" asks about the storm and wants the newest article about
it: "latest" says when, not what. docs/ANSWERING.md, "Recency", has the rules.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.text.words import content_words

LATEST, TODAY, YESTERDAY, THIS_WEEK, LAST_WEEK = (
    "latest", "today", "yesterday", "this week", "last week")

# Each phrase and the recency it asks for. "today" and "this week" name a span of dates;
# "latest", "newest", "recent" only an order.
RECENCY_RE = re.compile(
    r"\b(?:(?P<latest>latest|newest|(?:most\s+)?recent(?:ly)?)|(?P<today>today)"
    r"|(?P<yesterday>yesterday)|(?P<this_week>this\s+week)|(?P<last_week>last\s+week))\b",
    re.IGNORECASE,
)
_KINDS = {"latest": LATEST, "today": TODAY, "yesterday": YESTERDAY, "this_week": THIS_WEEK,
          "last_week": LAST_WEEK}

# In a question asking for recency these say "news" and nothing more ("what is the latest
# news?", "what happened today?", "what's new this week?"): as search words they would match
# stray sentences.
NEWS_WORDS = frozenset({
    "news", "new", "headline", "headlines", "story", "stories", "article", "articles",
    "update", "updates", "happen", "happened", "happening", "events",
})


def recency_of(text: str) -> str | None:
    """The recency a question asks for (LATEST, TODAY, ...), or None. A span of dates
    ("yesterday") wins over a bare order ("the latest ... yesterday")."""
    kinds = [_KINDS[m.lastgroup] for m in RECENCY_RE.finditer(text) if m.lastgroup]
    spans = [k for k in kinds if k != LATEST]
    return spans[0] if spans else kinds[0] if kinds else None


def recency_words(text: str) -> frozenset[str]:
    """The content words of a question's recency phrases ("latest", "last", "week")."""
    return frozenset(w for m in RECENCY_RE.finditer(text) for w in content_words(m.group()))


def date_span(recency: str | None, today: date) -> tuple[date, date] | None:
    """The first and last day a recency means on `today`; None for a bare order. Weeks are
    calendar weeks, Monday to Sunday, as a person reads "this week" on a calendar."""
    monday = today - timedelta(days=today.weekday())
    return {
        TODAY: (today, today),
        YESTERDAY: (today - timedelta(days=1), today - timedelta(days=1)),
        THIS_WEEK: (monday, monday + timedelta(days=6)),
        LAST_WEEK: (monday - timedelta(days=7), monday - timedelta(days=1)),
    }.get(recency or "")


def iso_day(value: str | None) -> date | None:
    """The day of a stored article date, when it is ISO ("2025-10-14", maybe with a time);
    None for no date or one the reader could not parse ("Autumn 2025")."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def newest_first_key(day: date | None, span: tuple[date, date] | None) -> tuple[int, int]:
    """Sort key putting articles dated within `span` first, then the newest, undated last."""
    inside = span is not None and day is not None and span[0] <= day <= span[1]
    return (0 if inside else 1, -day.toordinal() if day else 1)
