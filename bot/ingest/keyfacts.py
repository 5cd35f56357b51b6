"""Rank an article's sentences by how much information they carry, to flag key facts.

A sentence with numbers, dates, names or a quotation says something a reader can use;
the lede summarises the story. Ties keep article order, so the ranking is stable.
"""

from __future__ import annotations

import re

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
)
CALENDAR_WORDS = frozenset(MONTHS.split("|"))  # dates, already counted, are not names
NUMBER_RE = re.compile(r"\d")
# Case matters: "May" is a month, "may" a verb.
DATE_RE = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:" + MONTHS + r")\b")
# A quantity: a number that is not a bare year ("5,200", "NZ$26", "107").
QUANTITY_RE = re.compile(r"(?<![\d,.])(?!(?:1[89]|20)\d\d\b)\d[\d,.]*")
# A capitalised word inside a sentence, not after an opening quote ("They ...), and whole
# ("WeChat" is one name, not "We").
NAME_RE = re.compile(
    r"(?<![.!?]\s)(?<![\"“‘'])(?<!^)\b[A-Z][a-z]+[A-Za-z]*\b(?:\s+[A-Z][a-z]+[A-Za-z]*\b)*"
)
QUOTE_RE = re.compile(r"[\"“”]")
MIN_KEY_FACTS = 3
MAX_KEY_FACTS = 8
SHORT_SENTENCE_WORDS = 6


def information_score(sentence: str, position: int) -> float:
    """Score = lede bonus + quantities + dates + names (capped) + quotation - shortness."""
    score = 2.0 if position == 0 else 0.0
    score += 1.5 if QUANTITY_RE.search(sentence) else 0.0
    score += 1.0 if DATE_RE.search(sentence) else 0.0
    names = [n for n in NAME_RE.findall(sentence) if n.split()[0] not in CALENDAR_WORDS]
    score += 0.5 * min(len(names), 4)
    score += 0.5 if QUOTE_RE.search(sentence) else 0.0
    if len(sentence.split()) < SHORT_SENTENCE_WORDS:
        score -= 2.0
    return score


def key_fact_ranks(sentences: list[str]) -> dict[int, int]:
    """Map sentence position -> key rank (0 = most informative) for the key facts."""
    count = max(MIN_KEY_FACTS, min(MAX_KEY_FACTS, len(sentences) // 3))
    order = sorted(range(len(sentences)), key=lambda i: (-information_score(sentences[i], i), i))
    return {position: rank for rank, position in enumerate(order[:count])}
