"""The core as front ends use it: one object holding the knowledge base and the answerer.

Front ends (handlers/, bot/cli.py) read only through its methods, each from one view of the
knowledge base, so a reload committing mid-way can never mix old and new articles.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.answer.answers import Answer, AnswerEngine
from bot.answer.lookup import Match, best_matches, find_article
from bot.config.settings import Settings
from bot.ingest.pages import canonical_url, file_name_for
from bot.store.conversation import ConversationStore, Topic, Turn, conversation_path_for
from bot.store.knowledge import KnowledgeBase, StoredArticle
from bot.store.loading import LoadReport, load_directory
from bot.store.sqlite_files import MEMORY

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnowledgeStats:
    """How much is loaded (for /stats and the console greeting)."""

    articles: int
    facts: int
    # The answering engine's parts: without MiniLM (not installed, or SEMANTIC=0) fewer
    # answers are right and more off-topic questions are answered, so an admin must see it.
    answering: str = ""


@dataclass(frozen=True)
class ArticlePage:
    """Part of the article list, where it starts (0-based) and how long the whole list is."""

    articles: list[StoredArticle]
    offset: int
    total: int


@dataclass(frozen=True)
class NewArticles:
    """The articles added after `after` (an article id), oldest first: the first few, how
    many in all, and the highest article id given when they were read (`newest`)."""

    after: int
    articles: list[StoredArticle]
    total: int
    newest: int


@dataclass(frozen=True)
class LatestPage:
    """Part of the dated articles, newest first: where it starts (0-based), how many are
    dated, and how many are left out for having no date."""

    articles: list[StoredArticle]
    offset: int
    total: int
    undated: int


def turn_of(answer: Answer) -> Turn | None:
    """What a conversation keeps of an answer: its article and the positions of its facts
    from that article; None for refusals and small talk, which keep the topic as it was."""
    if not answer.answered or answer.article_id is None:
        return None
    return Turn(answer.article_id, tuple(f.position for f in answer.facts
                                         if f.article_id == answer.article_id))


@contextmanager
def conversation_kept_going(what: str) -> Iterator[None]:
    """A conversation store that cannot be read or written (disk full, read-only folder)
    costs the follow-up its topic, never the answer itself."""
    try:
        yield
    except sqlite3.Error as exc:
        log.warning("conversation %s: %s", what, exc)


def _log_waiting(message: str) -> None:
    """A load that queues behind another says so in the log."""
    log.warning("%s", message)


class NewsService:
    """Answers questions and reloads articles; reloads are serialised, answers never wait."""

    def __init__(self, database_path: str | Path, articles_dir: str | Path,
                 semantic: bool = True,
                 conversations: ConversationStore | None = None, reader: bool = False) -> None:
        """`conversations`: where conversations are kept (default: a SQLite file next to
        the knowledge base, forgotten after 30 minutes). `reader`: answer with the reader
        (READER=1)."""
        self.articles_dir = Path(articles_dir)
        self.kb = KnowledgeBase(database_path)
        self.engine = AnswerEngine(self.kb, semantic=semantic, read=reader)
        self.conversations = conversations or ConversationStore(
            conversation_path_for(database_path))
        self._reload_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, in_memory: bool = False) -> NewsService:
        """`in_memory`: conversations last only as long as the process (the console)."""
        where = MEMORY if in_memory else conversation_path_for(settings.database_path)
        store = ConversationStore(where, settings.conversation_timeout)
        return cls(settings.database_path, settings.articles_dir, settings.semantic, store,
                   reader=settings.reader)

    def ask(self, question: str, conversation: str | None = None,
            reply_to: str | None = None) -> Answer:
        """Answer from one view of the knowledge base, even while a reload commits.

        `conversation` names a conversation (a private chat, a person in a group): the
        question is read in its topic and the answer becomes its topic. `reply_to` names a
        message sent earlier (`remember_message`): a reply to it continues from its answer.
        Without `conversation` the question is answered alone, as inline queries are."""
        topic = None
        if conversation:
            with conversation_kept_going("topic not read"):
                topic = self._topic(conversation, reply_to)
        with self.snapshot():
            answer = self.engine.ask(question, topic)
        turn = turn_of(answer)
        if conversation and turn:
            with conversation_kept_going("topic not saved"):
                self.conversations.add(conversation, turn)
        return answer

    def _topic(self, conversation: str, reply_to: str | None) -> Topic | None:
        replied = self.conversations.replied(reply_to) if reply_to else None
        if replied:
            return Topic(replied.article_id, replied.positions, frozenset(replied.positions))
        return self.conversations.topic(conversation)

    def remember_message(self, ref: str, answer: Answer) -> None:
        """Note which answer a sent message shows, so a reply to it continues from there."""
        if turn := turn_of(answer):
            with conversation_kept_going("sent message not noted"):
                self.conversations.link(ref, turn)

    def forget(self, conversation: str) -> None:
        """Start the conversation afresh (/new)."""
        self.conversations.forget(conversation)

    @property
    def engine_description(self) -> str:
        """What answers (for the start-up log; /stats has it too)."""
        return self.engine.description

    def stats(self) -> KnowledgeStats:
        with self.snapshot():
            return KnowledgeStats(self.kb.article_count(), self.kb.fact_count(),
                                  self.engine_description)

    def articles(self, limit: int = -1, offset: int = 0) -> ArticlePage:
        """`limit` articles of the list from `offset` (all by default), with the list's length;
        an offset past the end (a page button from before a reload) shows the last article."""
        with self.snapshot():
            total = self.kb.article_count()
            offset = min(max(offset, 0), max(total - 1, 0))
            return ArticlePage(self.kb.articles(limit, offset), offset, total)

    def latest(self, limit: int, offset: int = 0) -> LatestPage:
        """`limit` of the dated articles, newest first, from `offset`; an offset past the
        end (an old page button) shows the last page's article."""
        with self.snapshot():
            total = self.kb.dated_count()
            offset = min(max(offset, 0), max(total - 1, 0))
            return LatestPage(self.kb.latest_articles(limit, offset), offset, total,
                              self.kb.article_count() - total)

    def article(self, article_id: int) -> StoredArticle | None:
        with self.snapshot():
            return self.kb.article(article_id)

    def article_with_facts(self, article_id: int) -> tuple[StoredArticle, list[str]] | None:
        """An article and all its facts in article order; None when it is not loaded."""
        with self.snapshot():
            article = self.kb.article(article_id)
            return (article, self.kb.facts_of(article_id)) if article else None

    def newest_article_id(self) -> int:
        """The highest article id given so far: every later article gets a higher one."""
        with self.snapshot():
            return self.kb.last_article_id()

    def new_articles(self, afters: Iterable[int], limit: int) -> dict[int, NewArticles]:
        """For each article id in `afters`, the articles added after it (the first `limit`
        and how many), all from one view of the knowledge base (subscription notices)."""
        with self.snapshot():
            newest = self.kb.last_article_id()
            found = {after: self.kb.articles_after(after, limit) for after in set(afters)}
        return {after: NewArticles(after, articles, total, newest)
                for after, (articles, total) in found.items()}

    def has_article_at(self, url: str) -> bool:
        """True when the article a link names is loaded, or saved in the folder for the next
        load: known by its canonical URL, before any request (a feed's entry that an admin
        fetched already)."""
        canonical = canonical_url(None, url)
        if (self.articles_dir / file_name_for(canonical)).exists():
            return True
        with self.snapshot():
            return self.kb.has_url([url, canonical])

    def key_facts(self, article_id: int, first: int) -> list[str]:
        """An article's key facts, most informative first; its first `first` facts when it
        has none marked."""
        with self.snapshot():
            return self.kb.key_facts(article_id) or self.kb.facts_of(article_id)[:first]

    def find_article(self, query: str) -> StoredArticle | None:
        """The article numbered `query` in the list (1-based), else the closest title."""
        with self.snapshot():
            return find_article(self.kb, self.engine, query)

    def matches(self, query: str, limit: int) -> list[Match]:
        """Articles for a query, one per article, best first (inline mode)."""
        with self.snapshot():
            return best_matches(self.kb, self.engine, query, limit)

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

    def reload(self, progress: Callable[[int, int], None] | None = None,
               waiting: Callable[[str], None] | None = None) -> LoadReport:
        """Re-read the articles folder (LoadError if it cannot run; the old base keeps serving).

        A load running in another process (cron's `python -m bot load`) is waited for, and
        `waiting` told so ("waiting for another load since ..."); by default it is logged."""
        with self._reload_lock:
            return load_directory(self.kb, self.articles_dir, progress,
                                  waiting or _log_waiting)

    def ensure_loaded(self) -> LoadReport | None:
        """Load the articles folder when the knowledge base is empty, so a fresh clone answers."""
        if self.kb.article_count() == 0:
            return self.reload()
        return None
