"""Turn the lines of a scraped page into article paragraphs, dropping the page's junk.

Rules, not string lists: a paragraph is prose only when it ends like a sentence; lines seen
twice are page furniture (related-item headlines, menus); captions end in a credit such as
"Photo: Handout"; bare timestamps are video durations; bylines start with "By".
"""

from __future__ import annotations

import re
from collections import Counter

from bot.text import fix_spacing

TIMESTAMP_RE = re.compile(r"^\d{1,2}(?::\d{2}){1,2}$")
CAPTION_RE = re.compile(
    r"\b(?:photo|image|picture|credit|illustration|caption|video|audio|graphic|file photo"
    r"|source)s?\s*:\s*[^:.!?]{1,80}\.?$",
    re.IGNORECASE,
)
BYLINE_RE = re.compile(
    r"^(?:by|reporting by|written by|words by|edited by|additional reporting by)\s+\S.{0,80}$",
    re.IGNORECASE,
)
# A prose line ends with terminal punctuation, maybe inside closing quotes or brackets,
# or is a quotation followed by its speaker ("... long game." - Matthew Ingram).
PROSE_END_RE = re.compile(r"[.!?…][\"'”’)\]]*$")
QUOTE_SPEAKER_RE = re.compile(r"[\"”]\s*[-–—]\s*[A-Z][\w.'’ -]{1,40}$")
MIN_PROSE_WORDS = 4


def is_prose(line: str) -> bool:
    """True when a line reads as running text rather than a headline, menu item or label."""
    if len(line.split()) < MIN_PROSE_WORDS:
        return False
    return bool(PROSE_END_RE.search(line) or QUOTE_SPEAKER_RE.search(line))


def is_junk(line: str) -> bool:
    """True for captions, bylines and bare timestamps."""
    return bool(TIMESTAMP_RE.match(line) or CAPTION_RE.search(line) or BYLINE_RE.match(line))


def clean_paragraphs(lines: list[str]) -> list[str]:
    """Keep the prose paragraphs of a page body, in order, each with its spacing repaired."""
    stripped = [fix_spacing(line) for line in lines]
    counts = Counter(line.casefold() for line in stripped if line)
    return [
        line
        for line in stripped
        if line and counts[line.casefold()] == 1 and not is_junk(line) and is_prose(line)
    ]
