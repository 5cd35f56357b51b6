"""The re-ranking signals, one small function each.

Each returns a number in [0, 1]; `linear` weighs them for the rank score and, through
`sigmoid`, for the confidence. The weights were fitted by `bench.fit` (docs/ANSWERING.md).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.keyfacts import DATE_RE, NAME_RE, NUMBER_RE
from bot.text import stem

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


def linear(weights: dict[str, float], features: dict[str, float], bias: float = 0.0) -> float:
    """w . x + b over named features."""
    return bias + sum(weights[name] * features.get(name, 0.0) for name in weights)


def sigmoid(x: float) -> float:
    """Logistic function: maps the confidence model's score to a probability."""
    if x < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class ConfidenceModel:
    """A fitted confidence (logistic weights and bias) and the refusal threshold chosen on it:
    a threshold belongs to the model it was measured with, not to the engine."""

    weights: dict[str, float]
    bias: float
    threshold: float  # below it: "not in my articles"

    def confidence(self, features: dict[str, float]) -> float:
        """The probability that the top fact answers the question."""
        return sigmoid(linear(self.weights, features, self.bias))


@dataclass(frozen=True)
class Term:
    """A question word as searched: maybe corrected, with its idf weight."""

    term: str
    stem: str
    idf: float
    status: str  # known, corrected, unknown
    related: frozenset[str] = frozenset()  # stems of the same concept (bot/synonyms.py)
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


# Weights fitted by `python -m bench.fit` (rank: listwise softmax on the even XQuAD articles,
# checked on the odd ones; confidence: logistic regression with honest unanswerable
# questions, cross-fitted on the two halves and shipped fitted on both); the numbers behind
# them are in docs/ANSWERING.md. Each refusal threshold is the highest one declining at most
# 5% of the answerable questions as written, each half scored by the model fitted on the other.
LEXICAL_THRESHOLD = 0.11
SEMANTIC_THRESHOLD = 0.19
RANK_WEIGHTS = {"coverage": 1.381, "window": 6.663, "article": 4.705, "title": 1.694,
                "bm25": 2.362, "similarity": 1.395, "type": 0.726, "key": 0.08, "bigram": -0.255}
LEXICAL_CONFIDENCE = ConfidenceModel(
    weights={"unknown_name": -1.002, "evidence": 2.325, "coverage": 1.041, "window": 1.014,
             "article": 1.149, "similarity": 1.67, "unknown": -1.717, "corrected": -0.448,
             "single": -0.553, "margin": 0.489, "names_missed": -0.92, "type_missed": -0.43},
    bias=-5.253,
    threshold=LEXICAL_THRESHOLD,
)
# With sentence embeddings (bot/embeddings.py): the rank score gains SEMANTIC_WEIGHT times
# the cosine similarity to the question, and the confidence weighs it as "semantic".
SEMANTIC_WEIGHT = 10.5
SEMANTIC_CONFIDENCE = ConfidenceModel(
    weights={"unknown_name": -1.095, "evidence": 1.614, "coverage": 0.848, "window": 0.924,
             "article": 1.004, "similarity": 0.92, "unknown": -1.12, "corrected": -0.435,
             "single": -0.075, "margin": 0.314, "semantic": 3.404, "names_missed": -0.509,
             "type_missed": -0.17},
    bias=-5.769,
    threshold=SEMANTIC_THRESHOLD,
)
