"""Find articles for front ends: by list number or fuzzy title, and best matches for a query."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.knowledge import StoredArticle
from bot.service import NewsService
from bot.text import content_words, normalize, words

# Mean best word ratio: 75 keeps one-letter typos ("crain" ~ crane = 80), drops unrelated words.
TITLE_MATCH_CUTOFF = 75
SEARCH_CANDIDATES = 200
MAX_QUERY_WORDS = 16


@dataclass(frozen=True)
class Match:
    """An article with the fact that made it match (None when listing without a query)."""

    article: StoredArticle
    fact: str | None


def find_article(service: NewsService, query: str) -> StoredArticle | None:
    """The article numbered `query` in the list (1-based), else the closest title, else None."""
    query = query.strip()
    if not query:
        return None
    if query.isdigit():
        number = int(query)
        found = service.kb.articles(limit=1, offset=number - 1) if number >= 1 else []
        return found[0] if found else None
    wanted = content_words(normalize(query)) or words(query)
    if not wanted:
        return None
    best_score, best = 0.0, None
    for article in service.kb.articles():
        score = title_score(wanted, words(article.title))
        if score > best_score:
            best_score, best = score, article
    return best if best_score >= TITLE_MATCH_CUTOFF else None


def title_score(wanted: list[str], title_words: list[str]) -> float:
    """Mean over the wanted words of the best fuzz.ratio against a title word (0-100).

    Word by word rather than WRatio on whole strings: WRatio scales a short query against
    a long title down to 60 at most, so "crane" could never find its article.
    """
    if not title_words:
        return 0.0
    return sum(max(fuzz.ratio(w, t) for t in title_words) for w in wanted) / len(wanted)


def best_matches(service: NewsService, query: str, limit: int = 50) -> list[Match]:
    """Articles for a query, one per article, best first: the answer's facts, then FTS hits.

    An empty query lists the articles in their usual order, without facts.
    """
    if not query.strip():
        return [Match(article, None) for article in service.kb.articles(limit=limit)]
    matches: list[Match] = []
    seen: set[int] = set()

    def add(article_id: int, fact: str) -> None:
        if article_id in seen or len(matches) >= limit:
            return
        article = service.kb.article(article_id)
        if article is not None:
            seen.add(article_id)
            matches.append(Match(article, fact))

    answer = service.ask(query)
    for fact in answer.facts:
        add(fact.article_id, fact.text)
    terms = list(dict.fromkeys(content_words(normalize(query))))[:MAX_QUERY_WORDS]
    if terms:
        for row in service.kb.search(terms, SEARCH_CANDIDATES):
            add(row.article_id, row.text)
    return matches
