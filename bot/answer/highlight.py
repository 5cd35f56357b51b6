"""The part of a fact that answers the question's focus: the number for "how many", the date
for "when", the name for "who", the place for "where"; front ends show it in bold."""

from __future__ import annotations

import re

from bot.ingest.keyfacts import CALENDAR_WORDS, MONTHS, NAME_RE
from bot.text.words import STOPWORDS, WORD_RE, stem, words

# A quantity with its unit words kept together: "5,200", "345", "1.5 million", "two-year".
QUANTITY_RE = re.compile(
    r"(?<![\w.,])(?:\d(?:[\d,.]*\d)?"
    r"(?:\s+(?:million|billion|thousand|hundred|percent|per cent))?%?"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundreds?|thousands?|millions?|dozens?)(?:[- ](?:one|two|three|four|five|six|"
    r"seven|eight|nine|hundred|thousand|million))*)(?![\w])",
    re.IGNORECASE,
)
DATE_SPAN_RE = re.compile(
    r"\b(?:(?:\d{1,2}\s+)?(?:" + MONTHS + r")(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+\d{4})?"
    r"|(?:1[5-9]\d\d|20\d\d)s?)\b"
)
# "Who is Zhang Xiangbin?" asks what a named person is (a translator, a spy): a description,
# which no name in the fact is. "Who is leading the inquiry?" asks for a name.
WHO_IS_RE = re.compile(r"^\W*who(?:\s+(?:is|was|are|were)|'s)\s+(?!.*\w(?:ing|ed)\b)"
                       r"(?:[\w'’.-]+\s*){1,3}\W*$", re.IGNORECASE)
PLACE_SPAN_RE = re.compile(
    r"\b(?:in|at|from|near|to)\s+((?:the\s+)?[A-Z][\w'’-]+(?:\s+(?:of\s+)?[A-Z][\w'’-]+)*)"
)


def answer_span(kind: str, fact: str, question: str) -> tuple[int, int] | None:
    """Where in `fact` the asked-for thing is (start, end), or None when the question asks
    for no such thing or the fact holds none that the question does not already name.

    Of several, the one nearest a word of the question: "how many were wounded?" in
    "killing 107 or more and wounding 238" is 238, not the first number."""
    if kind == "who" and WHO_IS_RE.match(question):
        return None
    asked = {stem(w) for w in words(question)}
    spans = []
    for match in _candidates(kind, fact):
        start, end = match.span(match.lastindex or 0)
        if not {stem(w) for w in words(fact[start:end])} <= asked:
            spans.append((start, end))
    if not spans:
        return None
    anchors = [m.start() for m in WORD_RE.finditer(fact) if stem(m.group().lower()) in asked
               and m.group().lower() not in STOPWORDS]
    if not anchors:
        return spans[0]
    return min(spans, key=lambda span: min(abs(span[0] - a) for a in anchors))


def _candidates(kind: str, fact: str) -> list[re.Match[str]]:
    if kind == "number":
        return [m for m in QUANTITY_RE.finditer(fact) if not _is_year(m.group())]
    if kind == "when":
        return list(DATE_SPAN_RE.finditer(fact))
    if kind == "who":
        return [m for m in NAME_RE.finditer(fact) if m.group().split()[0] not in CALENDAR_WORDS]
    if kind == "where":
        return list(PLACE_SPAN_RE.finditer(fact))
    return []


def _is_year(text: str) -> bool:
    return bool(re.fullmatch(r"(?:1[5-9]|20)\d\d", text))
