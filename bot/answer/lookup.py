"""Find articles for front ends: by list number or fuzzy title, and best matches for a query."""

from __future__ import annotations

import string
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.answer.answers import AnswerEngine
from bot.store.knowledge import KnowledgeBase, StoredArticle
from bot.text.words import content_words, normalize, words

# Mean best word ratio: 75 keeps one-letter typos ("crain" ~ crane = 80), drops unrelated words.
TITLE_MATCH_CUTOFF = 75
SEARCH_CANDIDATES = 200
MAX_QUERY_WORDS = 16
# SQLite's NOCASE folds ASCII letters only; the article list is ordered with it.
_NOCASE = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


@dataclass(frozen=True)
class Match:
    """An article with the fact that made it match (None when listing without a query)."""

    article: StoredArticle
    fact: str | None


def find_article(kb: KnowledgeBase, engine: AnswerEngine, query: str) -> StoredArticle | None:
    """The article numbered `query` in the list (1-based), else the closest title, else None.

    Titles come from the answer engine's copy, read once per knowledge-base generation,
    not from every article on each /summary. Call it inside one snapshot (the service does).
    """
    query = query.strip()
    if not query:
        return None
    if query.isdigit():
        number = int(query)
        found = kb.articles(limit=1, offset=number - 1) if number >= 1 else []
        return found[0] if found else None
    wanted = content_words(normalize(query)) or words(query)
    if not wanted:
        return None
    scored = ((title_score(wanted, words(title)), article_id, title)
              for article_id, title in engine.titles().items())
    # The best score; among equals the article listed first, as the old scan of the list did.
    ranked = [(-score, list_order(article_id, title)) for score, article_id, title in scored
              if score >= TITLE_MATCH_CUTOFF]
    return kb.article(min(ranked)[1][1]) if ranked else None


def list_order(article_id: int, title: str) -> tuple[str, int]:
    """The sort key of the article list (`ORDER BY title COLLATE NOCASE, id`)."""
    return title.translate(_NOCASE), article_id


def title_score(wanted: list[str], title_words: list[str]) -> float:
    """Mean over the wanted words of the best fuzz.ratio against a title word (0-100).

    Word by word rather than WRatio on whole strings: WRatio scales a short query against
    a long title down to 60 at most, so "crane" could never find its article.
    """
    if not title_words:
        return 0.0
    return sum(max(fuzz.ratio(w, t) for t in title_words) for w in wanted) / len(wanted)


def best_matches(kb: KnowledgeBase, engine: AnswerEngine, query: str,
                 limit: int = 50) -> list[Match]:
    """Articles for a query, one per article, best first: the answer's facts, then FTS hits.

    An empty query lists the articles in their usual order, without facts. Call it inside
    one snapshot (the service does).
    """
    if not query.strip():
        return [Match(article, None) for article in kb.articles(limit=limit)]
    matches: list[Match] = []
    seen: set[int] = set()

    def add(article_id: int, fact: str) -> None:
        if article_id in seen or len(matches) >= limit:
            return
        article = kb.article(article_id)
        if article is not None:
            seen.add(article_id)
            matches.append(Match(article, fact))

    answer = engine.ask(query)
    for fact in answer.facts:
        add(fact.article_id, fact.text)
    terms = list(dict.fromkeys(content_words(normalize(query))))[:MAX_QUERY_WORDS]
    if terms:
        for row in kb.search(terms, SEARCH_CANDIDATES):
            add(row.article_id, row.text)
    return matches
