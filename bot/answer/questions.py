"""Understand a question before searching: small talk, question type, the words that matter."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.recency import NEWS_WORDS, recency_of, recency_words
from bot.text.words import content_words, normalize, stem, words

MAX_QUESTION_CHARS = 2000  # longer messages are cut: nobody asks a 10 kB question
MAX_QUERY_WORDS = 16

GREETING_RE = re.compile(
    r"^(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|"
    r"what'?s up|how are you(?: doing)?)\b[\s!.?,]*"
    r"(?:there|all|everyone|bot|friend)?[\s!.?]*$",
    re.IGNORECASE,
)
THANKS_RE = re.compile(
    r"^(?:(?:thanks?|thank you|thx|ty|cheers|great|awesome|nice|cool|ok(?:ay)?|perfect)"
    r"(?: (?:a lot|so much|very much|again|bot))?[\s!.]*)+$",
    re.IGNORECASE,
)
BYE_RE = re.compile(r"^(?:bye|goodbye|see you|cya|good night)\b[\s!.]*$", re.IGNORECASE)


# Markup pasted or typed into a message: an HTML tag (also one cut short, "<scrip"), an
# entity, a Markdown link. Their words ("script", "href") are not the asker's.
MARKUP_RE = re.compile(r"</?[A-Za-z][^<>]*>?|&#\w*;?|&[A-Za-z]+;|\[[^\]]*\]\([^)]*\)?")
# A search word this short is a letter or a syllable, not something asked about ("p", "ki"):
# a message of only such words has nothing to search for. Numbers of two digits or more are
# kept ("2015"), and two letters written as a name ("US", "Xi").
MIN_WORD_CHARS = 3
SHORT_NAME_RE = re.compile(r"\b[A-Z][A-Za-z]\b")

# A capitalised word that does not start a sentence.
NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\b")
# "Who is the president of France?" asks for whoever holds a role.
ROLE_QUESTION_RE = re.compile(r"^\W*who(?:'s|\s+(?:is|was|are|were))\s+the\s+(\w+)\s+"
                              r"(?:of|for|in|at)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """A question ready for search."""

    text: str
    words: list[str]
    kind: str  # when, number, who, where, what
    names: frozenset[str] = frozenset()  # capitalised inside the sentence: proper nouns
    # Words added from the conversation's topic ("what did he take?" about Zhang): they say
    # which article, never what is asked about it.
    topic: frozenset[str] = frozenset()
    # What recency it asks for (bot/answer/recency.py: "latest", "today", ...), or None, and the
    # words that say so: searched only when the articles use them ("the latest epoch").
    recency: str | None = None
    when_words: frozenset[str] = frozenset()
    # The role a "who is the <role> of ...?" asks after, stemmed ("presid"); None otherwise.
    role: str | None = None


def small_talk(text: str) -> str | None:
    """'greeting', 'thanks' or 'bye' for messages that are only that, else None."""
    stripped = re.sub(r"[^\w\s'!.?,]", "", text).strip()
    for name, pattern in (("greeting", GREETING_RE), ("thanks", THANKS_RE), ("bye", BYE_RE)):
        if stripped and pattern.match(stripped):
            return name
    return None


def question_type(text: str) -> str:
    """The kind of answer asked for, from the question word."""
    tokens = words(text)
    head = " ".join(tokens[:6])
    if re.search(r"\bhow (?:many|much|long|old|far|big|large)\b|\bwhat percentage\b", head):
        return "number"
    if re.search(r"\b(?:when|what year|what date|which year|what month|which month)\b", head):
        return "when"
    if re.search(r"\b(?:who|whom|whose)\b", head):
        return "who"
    if re.search(r"\bwhere\b", head):
        return "where"
    return "what"


def parse_question(raw: str) -> Question:
    """Normalise the text and pick its content words (at most MAX_QUERY_WORDS). In a
    question asking for recency, words that only say "news" ("the latest news") are not
    search words."""
    text = normalize(raw)[:MAX_QUESTION_CHARS].strip()
    names = frozenset(m.group(0).lower() for m in NAME_RE.finditer(text))
    recency = recency_of(text)
    searched = content_words(MARKUP_RE.sub(" ", text))
    short_names = {m.group().lower() for m in SHORT_NAME_RE.finditer(text)}
    if all(len(w) < MIN_WORD_CHARS and w not in short_names and not (w.isdigit() and len(w) > 1)
           for w in searched):
        searched = []
    if recency:
        searched = [w for w in searched if w not in NEWS_WORDS]
    role = ROLE_QUESTION_RE.match(text)
    return Question(text=text, words=searched[:MAX_QUERY_WORDS], kind=question_type(text),
                    names=names, recency=recency, when_words=recency_words(text),
                    role=stem(role.group(1).lower()) if role else None)
