"""Each re-ranking signal on its own, against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from bot.answer.scoring import (
    Term,
    bigram_overlap,
    idf,
    matched_weight,
    query_features,
    similarity,
    term_coverage,
    type_match,
)
from bot.answer.weights import linear, sigmoid


def term(word: str, weight: float, status: str = "known", related: frozenset[str] = frozenset()):
    return Term(word, word, weight, status, related)


def test_idf_is_bm25s_formula() -> None:
    # N = 10, df = 1: log((10 - 1 + 0.5) / (1 + 0.5) + 1) = log(7.333...)
    assert idf(1, 10) == pytest.approx(math.log(9.5 / 1.5 + 1))


def test_idf_weighs_rare_words_more() -> None:
    assert idf(1, 1000) > idf(100, 1000) > idf(900, 1000)


def test_term_coverage_is_the_share_of_idf_weight_found() -> None:
    terms = [term("zhang", 3.0), term("take", 1.0)]
    assert term_coverage(terms, {"zhang"}, 0.6) == pytest.approx(0.75)
    assert term_coverage(terms, {"zhang", "take"}, 0.6) == pytest.approx(1.0)
    assert term_coverage(terms, set(), 0.6) == 0.0


def test_a_related_word_counts_its_credit() -> None:
    terms = [term("court", 2.0, related=frozenset({"sentenc"})), term("zhang", 2.0)]
    # zhang found (2.0) + court through "sentenc" at 0.6 (1.2) = 3.2 of 4.0
    assert matched_weight(terms, {"zhang", "sentenc"}, 0.6) == pytest.approx(3.2)
    assert term_coverage(terms, {"zhang", "sentenc"}, 0.6) == pytest.approx(0.8)


def test_bigram_overlap_counts_adjacent_pairs() -> None:
    # pairs (state, secret), (secret, law): only the first is adjacent in the fact
    assert bigram_overlap(["state", "secret", "law"], ["state", "secret", "new", "law"]) == 0.5
    assert bigram_overlap(["one"], ["one"]) == 0.0


def test_similarity_is_token_set_ratio_on_a_zero_to_one_scale() -> None:
    assert similarity("zhang reprieve", "Zhang got a reprieve") == 1.0
    assert similarity("apple pie", "the ministry warned") < 0.5


@pytest.mark.parametrize(("kind", "fact", "expected"), [
    ("when", "In 2019, Zhang was sentenced.", 1.0),
    ("when", "Zhang was sentenced.", 0.0),
    ("number", "He took 5,200 files.", 1.0),
    ("number", "He took a dozen files.", 1.0),
    ("number", "He took the files.", 0.0),
    ("who", "The case of Zhang Xiangbin was discussed.", 1.0),
    ("where", "The crane fell in Mecca on Friday.", 1.0),
    ("what", "In 2019, Zhang was sentenced.", 0.0),
])
def test_type_match_looks_for_what_the_question_asks(kind: str, fact: str,
                                                     expected: float) -> None:
    assert type_match(kind, fact) == expected


def test_linear_and_sigmoid() -> None:
    assert linear({"a": 2.0, "b": -1.0}, {"a": 0.5, "b": 1.0}, bias=0.25) == pytest.approx(0.25)
    assert sigmoid(0.0) == 0.5
    assert sigmoid(-100.0) == 0.0
    assert sigmoid(math.log(4)) == pytest.approx(0.8)


def test_query_features_share_unknown_and_corrected_weight() -> None:
    terms = [term("brazil", 3.0, "unknown"), term("president", 1.0, "corrected")]
    features = query_features(terms, margin=0.2)
    assert features["unknown"] == pytest.approx(0.75)
    assert features["corrected"] == pytest.approx(0.25)
    assert features["single"] == 0.0
