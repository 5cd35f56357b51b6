"""Rank an article's sentences by how much information they carry, to flag key facts.

A sentence with numbers, dates, names or a quotation says something a reader can use;
the lede summarises the story. Ties keep article order, so the ranking is stable.
"""

from __future__ import annotations

import re

MONTHS = [
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday",
    ]
NUMBER_RE = re.compile(r"\d")
DATE_RE = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:" + "|".join(MONTHS) + r")\b", re.IGNORECASE)
NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
QUOTE_RE = re.compile(r"[\"“”]")
MIN_KEY_FACTS = 3
MAX_KEY_FACTS = 8
SHORT_SENTENCE_WORDS = 6


def information_score(sentence: str, position: int) -> float:
    """Score = lede bonus + numbers + dates + names (capped) + quotation - shortness."""
    score = 2.0 if position == 0 else 0.0
    score += 1.0 if NUMBER_RE.search(sentence) else 0.0
    score += 1.0 if DATE_RE.search(sentence) else 0.0
    score += 0.5 * min(len(NAME_RE.findall(sentence)), 4)
    score += 0.5 if QUOTE_RE.search(sentence) else 0.0
    if len(sentence.split()) < SHORT_SENTENCE_WORDS:
        score -= 2.0
    return score


def key_fact_ranks(sentences: list[str]) -> dict[int, int]:
    """Map sentence position -> key rank (0 = most informative) for the key facts."""
    count = max(MIN_KEY_FACTS, min(MAX_KEY_FACTS, len(sentences) // 3))
    order = sorted(range(len(sentences)), key=lambda i: (-information_score(sentences[i], i), i))
    return {position: rank for rank, position in enumerate(order[:count])}
