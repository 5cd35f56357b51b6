"""Turn the lines of a scraped page into article paragraphs, dropping the page's junk.

Rules, not string lists: a paragraph is prose only when it ends like a sentence; lines seen
twice are page furniture (related-item headlines, menus); captions end in a credit such as
"Photo: Handout"; bare timestamps are video durations; bylines start with "By"; copyright
notices start with "©" or "Copyright" and a year, or end "All rights reserved".
Reference marks copied with the text ("[citation needed]", "[12]", ":212–219") are removed.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.text.words import fix_spacing

TIMESTAMP_RE = re.compile(r"^\d{1,2}(?::\d{2}){1,2}$")
CAPTION_RE = re.compile(
    r"\b(?:photo|image|picture|credit|illustration|caption|video|audio|graphic|file photo"
    r"|source)s?\s*[:;]\s*[^:;.!?]{1,80}\.?$",
    re.IGNORECASE,
)
BYLINE_RE = re.compile(
    r"^(?:by|reporting by|written by|words by|edited by|additional reporting by)\s+(\S.{0,80})$",
    re.IGNORECASE,
)
# Words a byline may hold besides names ("By Jane Smith and Tom Brown; editing by ...").
BYLINE_LINKS = frozenset(
    {"and", "by", "for", "in", "of", "de", "da", "van", "von", "with", "editing", "reporting"}
)
NAME_SHARE = 0.5  # "By the end of the year, ..." is prose: its words are not names
# Site chrome that reads like prose: copyright notices ("Copyright © 2024 ... All rights
# reserved."), which every page of a site repeats once.
COPYRIGHT_RE = re.compile(
    r"^(?:©|\(c\)\s*\d{4}|copyright\b\s*(?:©|\(c\)|\d{4}))|\ball rights reserved\.?$",
    re.IGNORECASE,
)
# Calls to action that pages put between paragraphs ("Sign up for our newsletter.",
# "Click here to read more."): short lines that address the reader about the site.
CALL_TO_ACTION_RE = re.compile(
    r"^(?:(?:sign up|subscribe|follow us|click here|tap here|share (?:this|on)|read more"
    r"|continue reading|download (?:our|the) app|join (?:us|our|the conversation)"
    r"|leave a (?:reply|comment)|log in|sign in|advertisement)\b|(?:watch|listen|related)\s*:)",
    re.IGNORECASE,
)
MAX_CALL_TO_ACTION_WORDS = 15
# A prose line ends with terminal punctuation, maybe inside closing quotes or brackets,
# or is a quotation followed by its speaker ("... long game." - Matthew Ingram).
PROSE_END_RE = re.compile(r"[.!?…][\"'”’)\]]*$")
QUOTE_SPEAKER_RE = re.compile(r"[\"”]\s*[-–—]\s*[A-Z][\w.'’ -]{1,40}$")
MIN_PROSE_WORDS = 4
# Prose starts like a sentence; a line starting in lower case is a fragment (a caption
# whose first words were an image link: "pilgrims at Mecca's Grand Mosque in 2008.").
PROSE_START_RE = re.compile(r"^[\W_]*[^\W_a-z]")
# A paragraph of several sentences is running text even when its end is ragged (a quotation
# introduced with "he said:", a formula, a missing full stop): dropping it lost the answers
# to 4% of the XQuAD questions. Headlines and menus are short and hold one sentence at most.
MIN_RAGGED_PROSE_WORDS = 25
SENTENCE_BREAK_RE = re.compile(r"[.!?][\"'”’)\]]*\s+[\"'“‘(]*[A-Z]")
# Reference marks pasted with the text: footnote numbers and letters ("[12]", "[a]"),
# editors' tags ("[citation needed]", "[when?]") and page references after a sentence
# (".:212–219"). Bracketed words inside quotations ("[the minister]") are kept.
REFERENCE_RE = re.compile(
    r"\[(?:\d{1,3}|[a-z]|[^\]]{0,30}\b(?:needed|citation|dubious|disputed|verify|verification"
    r"|clarify|clarification|when|who|which|why)\b[^\]]{0,20})\]"
    r"|(?<=[.!?,;\"”’)])(?::\s?\d+(?:[–,-]\d+)*)+",
    re.IGNORECASE,
)


def is_prose(line: str) -> bool:
    """True when a line reads as running text rather than a headline, menu item or label."""
    if len(line.split()) < MIN_PROSE_WORDS or not PROSE_START_RE.match(line):
        return False
    return bool(PROSE_END_RE.search(line) or QUOTE_SPEAKER_RE.search(line)
                or (len(line.split()) >= MIN_RAGGED_PROSE_WORDS
                    and SENTENCE_BREAK_RE.search(line)))


def is_junk(line: str) -> bool:
    """True for captions, bylines, bare timestamps, copyright notices and calls to action."""
    return bool(
        TIMESTAMP_RE.match(line) or CAPTION_RE.search(line) or is_byline(line)
        or COPYRIGHT_RE.search(line)
        or (CALL_TO_ACTION_RE.match(line) and len(line.split()) <= MAX_CALL_TO_ACTION_WORDS)
    )


def is_byline(line: str) -> bool:
    """True for a credit line: mostly capitalised names after "By", not a sentence using "by"."""
    match = BYLINE_RE.match(line)
    if not match:
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w.'’-]*", match.group(1))
             if w.casefold() not in BYLINE_LINKS]
    return bool(words) and sum(w[0].isupper() for w in words) >= NAME_SHARE * len(words)


def page_lines(lines: list[str]) -> list[str]:
    """A page body's lines without reference marks, with their spacing repaired, less the
    empty ones, those seen twice (page furniture) and the junk, in order."""
    stripped = [fix_spacing(REFERENCE_RE.sub("", line)) for line in lines]
    counts = Counter(line.casefold() for line in stripped if line)
    return [line for line in stripped
            if line and counts[line.casefold()] == 1 and not is_junk(line)]


def clean_paragraphs(lines: list[str]) -> list[str]:
    """Keep the prose paragraphs of a page body, in order, each with its spacing repaired."""
    return [line for line in page_lines(lines) if is_prose(line)]
