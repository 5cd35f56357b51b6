"""Recognise the date lines that news pages print under their titles."""

from __future__ import annotations

import re
from datetime import datetime

_FORMATS = ("%A, %B %d, %Y", "%B %d, %Y", "%d %B %Y", "%A %d %B %Y", "%Y-%m-%d", "%b %d, %Y")


def parse_date(text: str) -> str | None:
    """Return an ISO date for a line that is only a date, else None."""
    line = re.sub(r"\s+", " ", text.strip().rstrip("."))
    if len(line) > 40:
        return None
    for fmt in _FORMATS:
        try:
            return datetime.strptime(line, fmt).date().isoformat()
        except ValueError:
            continue
    return None
