"""The re-ranking signals, one small function each, and the weights that combine them.

Each returns a number in [0, 1]; `linear` (bot/answer/weights.py) weighs them for the rank score
and, through `sigmoid`, for the confidence. The numbers are read at import from
bot/answer/weights.json, which `python -m bench.fit` writes with the data and commit it was fitted
on (docs/ANSWERING.md); the file is refused if it weighs a feature named below that the
engine does not compute.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from bot.answer.weights import WEIGHTS_FILE, Weights, load
from bot.ingest.keyfacts import DATE_RE, NAME_RE, NUMBER_RE
from bot.text.words import stem

NUMBER_WORD_RE = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|billion|dozen|half|percent)\b",
    re.IGNORECASE,
)
PLACE_RE = re.compile(r"\b(?:in|at|from|near|to)\s+(?:the\s+)?[A-Z][a-z]+")


def idf(df: int, total: int) -> float:
    """BM25's idf: log((N - df + 0.5) / (df + 0.5) + 1); rare words weigh more."""
    return math.log((total - df + 0.5) / (df + 0.5) + 1.0)


def stems_of(tokens: list[str]) -> set[str]:
    """The set of stems of some words (titles are matched this way)."""
    return {stem(t) for t in tokens}


def similarity(question: str, fact: str) -> float:
    """rapidfuzz token_set_ratio (69% hit@1 alone on XQuAD; WRatio, the default, 2.6%)."""
    return fuzz.token_set_ratio(question, fact, processor=str.lower) / 100.0


def type_match(kind: str, fact: str) -> float:
    """1 when the fact holds the kind of thing asked for (a date for 'when', ...)."""
    if kind == "when":
        return 1.0 if DATE_RE.search(fact) else 0.0
    if kind == "number":
        return 1.0 if NUMBER_RE.search(fact) or NUMBER_WORD_RE.search(fact) else 0.0
    if kind == "who":
        return 1.0 if NAME_RE.search(fact) else 0.0
    if kind == "where":
        return 1.0 if PLACE_RE.search(fact) else 0.0
    return 0.0


def bigram_overlap(query_stems: list[str], text_stems: list[str]) -> float:
    """Share of the question's adjacent content-word pairs found adjacent in the fact.

    Phrases ("state secrets law", "Super Bowl") locate the answer sentence better than
    the same words scattered; stopwords are dropped on both sides first.
    """
    pairs = {(a, b) for a, b in itertools.pairwise(query_stems)}
    if not pairs:
        return 0.0
    found = {(a, b) for a, b in itertools.pairwise(text_stems)}
    return len(pairs & found) / len(pairs)


@dataclass(frozen=True)
class Term:
    """A question word as searched: maybe corrected, with its idf weight."""

    term: str
    stem: str
    idf: float
    status: str  # known, corrected, unknown
    related: frozenset[str] = frozenset()  # stems of the same concept (bot/answer/synonyms.py)
    typed: str = ""  # the word as the user typed it, when it was corrected


def term_coverage(terms: list[Term], stems: set[str], related_credit: float) -> float:
    """Share of the question's idf weight found in `stems`; related words count part."""
    total = sum(t.idf for t in terms)
    if total <= 0:
        return 0.0
    return matched_weight(terms, stems, related_credit) / total


def matched_weight(terms: list[Term], stems: set[str], related_credit: float) -> float:
    """Sum of the idf of the question words found (related words at `related_credit`)."""
    return sum(t.idf if t.stem in stems else t.idf * related_credit if t.related & stems else 0.0
               for t in terms)


def query_features(terms: list[Term], margin: float,
                   names: frozenset[str] = frozenset()) -> dict[str, float]:
    """Signals about the question as a whole, for the confidence model.

    `unknown_name`: the question names someone or something ("Mongolia") that no article
    mentions, so no article can be about it, whatever else matches.
    """
    total = sum(t.idf for t in terms) or 1.0
    return {
        "unknown_name": 1.0 if any(t.status == "unknown" and t.term in names
                                   for t in terms) else 0.0,
        "unknown": sum(t.idf for t in terms if t.status == "unknown") / total,
        "corrected": sum(t.idf for t in terms if t.status == "corrected") / total,
        "single": 1.0 if len(terms) == 1 else 0.0,
        "margin": margin,
    }


# The names of the signals AnswerEngine._features computes for each candidate fact.
CANDIDATE_FEATURES = frozenset({
    "evidence", "coverage", "window", "article", "title", "bm25", "similarity", "type",
    "type_missed", "key", "bigram", "names_missed", "focus", "static", "nearest",
})
# The candidate signals the rank score weighs, in the order bench.fit fits them.
RANK_FEATURES = ("coverage", "window", "article", "title", "bm25", "similarity", "type", "key",
                 "bigram", "focus", "static", "nearest")
# The static-vector signals: with MiniLM, its cosine takes their place in the rank score of the
# candidates it re-ranks (AnswerEngine._rerank).
STATIC_FEATURES = ("static", "nearest")
# The signals the confidence weighs, in the order bench.fit fits them (with MiniLM, also its
# cosine, SEMANTIC_FEATURE).
CONFIDENCE_FEATURES = ("unknown_name", "evidence", "coverage", "window", "article",
                       "similarity", "unknown", "corrected", "single", "margin", "names_missed",
                       "type_missed", "static")
QUERY_FEATURES = frozenset(query_features([], 0.0))
SEMANTIC_FEATURE = "semantic"  # the embedding cosine (bot/answer/embeddings.py), when there is one
# What each fitted model may weigh: the rank score is computed before the query's signals and
# the cosine are known; the confidence weighs them all.
FEATURES = {
    "rank": CANDIDATE_FEATURES,
    "lexical": CANDIDATE_FEATURES | QUERY_FEATURES,
    "semantic": CANDIDATE_FEATURES | QUERY_FEATURES | {SEMANTIC_FEATURE},
}


def load_weights(path: Path = WEIGHTS_FILE) -> Weights:
    """A weights file, refused unless every feature it weighs is one this engine computes."""
    return load(path, FEATURES)


# The shipped weights; with sentence embeddings (bot/answer/embeddings.py) the rank score gains
# `semantic_weight` times the cosine similarity to the question, and the confidence weighs
# it as "semantic".
WEIGHTS = load_weights()
