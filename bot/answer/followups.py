"""How a message leans on the conversation: "what else?", "what is it about?", or a question
that refers back ("what did he take?", "and when?", "how many died there?")."""

from __future__ import annotations

import re

from bot.text.words import words

MORE_RE = re.compile(
    r"^\W*(?:and\s+)?(?:what\s+else|tell\s+me\s+more|more|anything\s+else|go\s+on|"
    r"say\s+more|more\s+(?:facts|details|please)|what\s+more|continue|and\s+then)\W*"
    r"(?:(?:about\s+)?(?:it|this|that|them|him|her))?\W*$",
    re.IGNORECASE,
)
ABOUT_RE = re.compile(
    r"^\W*(?:what(?:'s|’s|\s+is|\s+was)\s+(?:it|this|that|the\s+(?:article|story|news))"
    r"\s+about|(?:give\s+me\s+(?:a|the)\s+)?summary|summari[sz]e(?:\s+(?:it|this|that))?|"
    r"what\s+(?:is|was)\s+the\s+(?:story|article))\W*$",
    re.IGNORECASE,
)
# Words that point back to someone or something named earlier in the conversation.
PERSONAL = frozenset({"he", "she", "they", "him", "her", "them", "his", "hers", "its",
                      "their", "theirs"})
# These point back only in a question that names nothing itself: "where was that?", but not
# "Is it true that Zhang spied?".
DEMONSTRATIVE = frozenset({"it", "that", "this", "those", "these", "there", "then"})
# Openings that continue the last question ("and when?", "what about the victims?").
CONTINUATION_RE = re.compile(r"^\W*(?:and|but|also|so|what\s+about|how\s+about)\b",
                             re.IGNORECASE)


def wants_more(text: str) -> bool:
    """"What else?" / "tell me more": the next facts of the same article."""
    return bool(MORE_RE.match(text))


def wants_summary(text: str) -> bool:
    """"What is it about?": the current article's summary."""
    return bool(ABOUT_RE.match(text))


def refers_back(text: str, names: frozenset[str] = frozenset()) -> bool:
    """The question leans on what came before: a personal pronoun before any name it gives
    ("what did he take?", but not "what did Zhang take with him?"), "it" / "that" / "there"
    in a question that names nothing, or it opens as a continuation ("and when?")."""
    if CONTINUATION_RE.match(text):
        return True
    said = words(text)
    named_at = next((i for i, word in enumerate(said) if word in names), len(said))
    if set(said[:named_at]) & PERSONAL:
        return True
    return not names and bool(set(said) & DEMONSTRATIVE)
