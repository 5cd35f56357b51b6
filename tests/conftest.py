"""Shared fixtures: real article files in a temporary folder and a real SQLite knowledge base."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from engines import require_embeddings, semantic_engine

from bot.answer.answers import AnswerEngine
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_NAME = "000_a398690ca2ed8d76.txt"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped seeds folder (25 articles and their sidecar)."""
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    """An empty articles folder for tests that write their own files."""
    folder = tmp_path / "articles"
    folder.mkdir()
    return folder


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    """A fresh, empty knowledge base in a SQLite file."""
    base = KnowledgeBase(tmp_path / "kb.sqlite3")
    yield base
    base.close()


@pytest.fixture
def loaded_kb(kb: KnowledgeBase, articles_dir: Path) -> KnowledgeBase:
    """The knowledge base with the seeds folder loaded."""
    load_directory(kb, articles_dir)
    return kb


def pytest_runtest_setup(item: pytest.Item) -> None:
    """`@pytest.mark.embeddings` tests need the model: skipped without it, failed under CI."""
    if item.get_closest_marker("embeddings"):
        require_embeddings()


@pytest.fixture
def engine(loaded_kb: KnowledgeBase) -> AnswerEngine:
    """The engine as shipped, embeddings included, over the seeds (see tests/engines.py)."""
    return semantic_engine(loaded_kb)
