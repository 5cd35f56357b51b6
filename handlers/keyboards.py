"""Inline keyboards and their callback data (always well under Telegram's 64 bytes)."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

SUMMARY, MORE, FEEDBACK, PAGE, LATEST = "sum", "more", "fb", "page", "late"
ARTICLES_PER_PAGE = 10
LATEST_PER_PAGE = 10  # /latest alone; /latest 20 shows 20 a page
# The most /latest shows in one message: each article is a title and a summary line, so 30
# stay within one Telegram message (4,096 characters) or two.
LATEST_MAX = 30
MAX_ID = 2**63 - 1  # SQLite's largest integer


def answer_keyboard(article_id: int, question_id: int | None) -> InlineKeyboardMarkup:
    """Summary and more facts for the answer's article; feedback when the question was logged."""
    rows = [[
        InlineKeyboardButton("📄 Summary", callback_data=f"{SUMMARY}:{article_id}"),
        InlineKeyboardButton("➕ More facts", callback_data=f"{MORE}:{article_id}"),
    ]]
    if question_id is not None:
        rows.append([
            InlineKeyboardButton("👍 Helpful", callback_data=f"{FEEDBACK}:{question_id}:1"),
            InlineKeyboardButton("👎 Not helpful", callback_data=f"{FEEDBACK}:{question_id}:0"),
        ])
    return InlineKeyboardMarkup(rows)


def without_feedback(article_id: int) -> InlineKeyboardMarkup:
    """The answer keyboard once feedback is given: the article buttons stay."""
    return answer_keyboard(article_id, None)


def articles_keyboard(offset: int, total: int) -> InlineKeyboardMarkup | None:
    """Previous / next page buttons for /articles, or None when one page holds them all."""
    return _pager(offset, ARTICLES_PER_PAGE, total, ("◀ Previous", "Next ▶"),
                  lambda start: f"{PAGE}:{start}")


def latest_keyboard(offset: int, size: int, total: int) -> InlineKeyboardMarkup | None:
    """Newer / older page buttons for /latest (pages of `size`), or None for one page."""
    return _pager(offset, size, total, ("◀ Newer", "Older ▶"),
                  lambda start: f"{LATEST}:{start}:{size}")


def _pager(offset: int, size: int, total: int, labels: tuple[str, str],
           data: Callable[[int], str]) -> InlineKeyboardMarkup | None:
    """A page's back / forward buttons (`data` names a page by its start), or None."""
    buttons = []
    if offset > 0:
        buttons.append(InlineKeyboardButton(labels[0], callback_data=data(max(offset - size, 0))))
    if offset + size < total:
        buttons.append(InlineKeyboardButton(labels[1], callback_data=data(offset + size)))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def parse_data(data: str | None) -> list[int]:
    """The numbers after the prefix of 'prefix:1:2' (empty when malformed).

    Numbers SQLite cannot hold count as malformed: forged data such as 'sum:1' followed by
    twenty nines would otherwise raise OverflowError in the query.
    """
    try:
        numbers = [int(part) for part in (data or "").split(":")[1:]]
    except ValueError:
        return []
    return numbers if all(abs(n) <= MAX_ID for n in numbers) else []
