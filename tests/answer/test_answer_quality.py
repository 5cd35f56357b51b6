"""Regression guard: the small quality benchmark must not fall below what we measured.

Thresholds sit a little under the figures of `python -m bench.quality --small` (see
docs/BENCHMARKS.md), so a real regression fails CI while run-to-run noise (none: it is
deterministic) cannot.
"""

import pytest

from bench.datasets import EVAL
from bench.quality import run

pytestmark = [
    pytest.mark.skipif(not EVAL.is_dir(), reason="../shared/eval is not beside the repo"),
    pytest.mark.embeddings,  # the thresholds are the shipped engine's, embeddings included
]


# An answerable question with a typo declined is a user told "not in my articles" wrongly.
TYPO_DECLINED = 0.10


@pytest.fixture(scope="module")
def results() -> dict[str, float]:
    return run(small=True, guard=True)["results"]


def test_seed_questions_are_answered_right(results):
    assert results["seed_answered_right"] >= 0.85


def test_xquad_top_fact_holds_the_answer(results):
    assert results["xquad_hit1"] >= 0.78
    assert results["xquad_hit3"] >= 0.93


def test_ours_beats_both_naive_baselines(results):
    assert results["xquad_hit1"] > results["bm25_hit1"]
    assert results["xquad_hit1"] > results["fuzz_hit1"] + 0.1


def test_sentence_embeddings_earn_their_place(results):
    assert results["xquad_hit1"] >= results["lexical_hit1"] + 0.01


def test_unanswerable_seed_questions_are_declined(results):
    assert results["seed_unanswerable_declined"] == 1.0


def test_typos_cost_little(results):
    assert results["xquad_hit1"] - results["xquad_typo_hit1"] <= 0.03  # target 0.05
    assert results["xquad_typo_declined"] <= TYPO_DECLINED


def test_off_topic_questions_are_mostly_declined(results):
    assert results["offtopic_declined"] >= 0.9
    assert results["answerable_declined"] <= 0.05
