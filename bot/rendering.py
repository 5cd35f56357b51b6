"""Which parts of an answer a person is shown, whatever the front end's format.

One rule for every front end: the console (bot/cli.py) prints these parts as plain text and
Telegram (handlers/formatting.py) as HTML. Each used to decide for itself, and they drifted:
the console dropped a summary that repeats a fact, Telegram showed the sentence twice.
The same holds for the part of a fact that answers the question (the number asked for):
found here once, marked by each front end in its own way.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from bot.answer.answers import Answer
from bot.answer.highlight import answer_span
from bot.answer.questions import question_type
from bot.answer.recency import iso_day

# /latest shows each article's summary on one line of about this many characters.
SUMMARY_LINE_CHARS = 160


@dataclass(frozen=True)
class SmallTalk:
    """A reply to a greeting or thanks: shown alone."""

    text: str


@dataclass(frozen=True)
class NotFound:
    """'Not in my articles', with the titles of the closest articles (maybe none)."""

    suggestions: list[str]


@dataclass(frozen=True)
class ShownFact:
    """A fact as shown: the sentence it leans on first, its article's title after it."""

    text: str
    context: str | None
    # Set on the last fact of a run from one article, so the title is shown once per run.
    article_title: str | None
    # Where in `text` the asked-for thing is ("how many": the number), for front ends to
    # mark; None when the question asks for no such thing or this fact does not hold it.
    span: tuple[int, int] | None = None
    # With the title: the article's site and date ("Wikinews, 12 Sep 2015"), when known.
    article_label: str | None = None

    def parts(self) -> tuple[str, str, str]:
        """`text` cut around the span: (before, span, after); ("", "", text) without one."""
        start, end = self.span or (0, 0)
        return self.text[:start], self.text[start:end], self.text[end:]


@dataclass(frozen=True)
class Found:
    """An answer: the hedge when unsure, the facts, the summary, the source."""

    hedged: bool
    facts: list[ShownFact]
    summary: str | None  # None when missing or when it repeats one of the facts
    source_url: str | None
    confidence: float


AnswerView = SmallTalk | NotFound | Found


def answer_view(answer: Answer) -> AnswerView:
    """The parts of `answer` to show, in the order to show them."""
    if answer.reply:
        return SmallTalk(answer.reply)
    if not answer.answered:
        return NotFound(list(answer.suggestions))
    kind = question_type(answer.question)
    facts = []
    for number, fact in enumerate(answer.facts):
        following = answer.facts[number + 1:number + 2]
        last_of_run = not following or following[0].article_id != fact.article_id
        label = article_label(fact.article_source, fact.article_date)
        facts.append(ShownFact(fact.text, fact.context or None,
                               fact.article_title if last_of_run else None,
                               answer_span(kind, fact.text, answer.question),
                               label if last_of_run else None))
    repeated = answer.summary in {f.text for f in answer.facts}
    return Found(
        hedged=answer.tentative,
        facts=facts,
        summary=answer.summary if answer.summary and not repeated else None,
        source_url=answer.article_url or None,
        confidence=answer.confidence,
    )


def shown_date(value: str | None) -> str | None:
    """An article's date as people read it ("14 Oct 2025"); a date the reader could not
    parse is shown as the article wrote it."""
    day = iso_day(value)
    return f"{day.day} {day:%b %Y}" if day else (value or None)


def article_label(source: str | None, date: str | None) -> str | None:
    """What is shown after an article's title: its site and date, "Wikinews, 12 Sep 2015"."""
    return ", ".join(p for p in (source, shown_date(date)) if p) or None


def one_line(text: str, width: int = SUMMARY_LINE_CHARS) -> str:
    """`text` on one line, cut at a word with an ellipsis when longer than `width`."""
    return textwrap.shorten(text, width, placeholder=" …")
