"""The core as front ends use it: one object holding the knowledge base and the answerer."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.answers import Answer, AnswerEngine
from bot.knowledge import KnowledgeBase
from bot.loading import LoadReport, load_directory
from bot.settings import Settings


class NewsService:
    """Answers questions and reloads articles; reloads are serialised, answers never wait."""

    def __init__(self, database_path: str | Path, articles_dir: str | Path,
                 semantic: bool = True) -> None:
        self.articles_dir = Path(articles_dir)
        self.kb = KnowledgeBase(database_path)
        self.engine = AnswerEngine(self.kb, semantic=semantic)
        self._reload_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> NewsService:
        return cls(settings.database_path, settings.articles_dir, settings.semantic)

    def ask(self, question: str) -> Answer:
        """Answer from one view of the knowledge base, even while a reload commits."""
        with self.snapshot():
            return self.engine.ask(question)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Run this thread's reads in one read transaction: all old articles or all new.

        An answer takes several queries (search, neighbouring facts, the article's summary);
        outside a transaction each sees the latest commit, so a reload in between gave
        facts from the old articles with the summary of the new one (test_faults_load).
        """
        conn = self.kb.db.conn
        if conn.in_transaction:  # already inside one: keep its view
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            conn.rollback()  # nothing was written; this only ends the read transaction

    def reload(self, progress: Callable[[int, int], None] | None = None) -> LoadReport:
        """Re-read the articles folder (LoadError if it cannot run; the old base keeps serving)."""
        with self._reload_lock:
            return load_directory(self.kb, self.articles_dir, progress)

    def ensure_loaded(self) -> LoadReport | None:
        """Load the articles folder when the knowledge base is empty, so a fresh clone answers."""
        if self.kb.article_count() == 0:
            return self.reload()
        return None
