"""Recognise the date lines that news pages print under their titles."""

from __future__ import annotations

import re
from datetime import datetime

_FORMATS = ("%A, %B %d, %Y", "%B %d, %Y", "%d %B %Y", "%A %d %B %Y", "%Y-%m-%d", "%b %d, %Y")


# "Published: 14 May 2024, 10:32 GMT": the label and the time around a page's date.
_DATE_LABEL_RE = re.compile(
    r"^(?:(?:first |last )?(?:published|updated|posted)(?: on)?\s*:?\s*)", re.IGNORECASE
)
_TIME_SUFFIX_RE = re.compile(
    r",?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*(?:am|pm|a\.m\.|p\.m\.))?(?:\s*[A-Z]{2,5})?$",
    re.IGNORECASE,
)


def parse_date(text: str) -> str | None:
    """Return an ISO date for a line that is only a date (maybe labelled and timed), else None.

    >>> parse_date("Published: 14 May 2024, 10:32 GMT")
    '2024-05-14'
    """
    line = re.sub(r"\s+", " ", text.strip().rstrip("."))
    line = _TIME_SUFFIX_RE.sub("", _DATE_LABEL_RE.sub("", line)).strip().rstrip(",")
    if len(line) > 40:
        return None
    for fmt in _FORMATS:
        try:
            return datetime.strptime(line, fmt).date().isoformat()
        except ValueError:
            continue
    return None


# A date glued to the start of the first paragraph ("Thursday, May 7, 2015 On Tuesday, ..."),
# as pages flattened to text print it: optional weekday, then month, day and year (or ISO).
_LEADING_DATE_RE = re.compile(
    r"^((?:[A-Z][a-z]+,?\s+)?(?:[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]+\s+\d{4})"
    r"|\d{4}-\d{2}-\d{2})\.?\s+(?=\S)"
)


def split_leading_date(text: str) -> tuple[str | None, str]:
    """(ISO date, rest) when a line starts with a date followed by text, else (None, text).

    >>> split_leading_date("Thursday, May 7, 2015 On Tuesday, the government said so.")
    ('2015-05-07', 'On Tuesday, the government said so.')
    """
    stripped = text.strip()
    match = _LEADING_DATE_RE.match(stripped)
    if match and (date := parse_date(match.group(1))):
        return date, stripped[match.end():]
    return None, text
