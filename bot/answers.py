"""Answer a question from the knowledge base: one result type for every front end.

Steps: small talk -> content words -> typo correction against the knowledge base's own
vocabulary -> FTS5 bm25 candidates (each word quoted, so no input is FTS syntax) ->
re-rank (coverage, bm25, token_set_ratio, question type, title) -> confidence threshold.
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field

from bot.knowledge import KnowledgeBase
from bot.questions import Question, parse_question, small_talk
from bot.scoring import coverage, idf, similarity, stems_of, type_match
from bot.spelling import Speller
from bot.text import stem, words

CANDIDATES = 60
MAX_FACTS = 3
# Facts scoring within this share of the best one are shown with it.
COMPANION_SHARE = 0.85
# Below this confidence the answer is "not in my articles" (chosen on the benchmark).
ANSWER_THRESHOLD = 0.55
MAX_SUGGESTIONS = 3
W_COVERAGE, W_BM25, W_SIMILARITY, W_TYPE, W_KEY = 0.45, 0.25, 0.2, 0.1, 0.02
PRONOUN_START_RE = re.compile(
    r"^(?:he|she|they|it|his|her|their|its|this|these|that|those|him|them)\b", re.IGNORECASE
)

SMALL_TALK_REPLIES = {
    "greeting": "Hello! Ask me anything about the news articles I have read.",
    "thanks": "You're welcome! Ask me anything else about the articles.",
    "bye": "Goodbye! Come back with more questions any time.",
}


@dataclass(frozen=True)
class FactResult:
    """A fact that answers (part of) the question, with where it comes from."""

    text: str
    article_id: int
    article_title: str
    score: float
    position: int = 0
    context: str | None = None  # the sentence before, when the fact leans on it


@dataclass(frozen=True)
class Answer:
    """What every front end shows: facts, the article summary, confidence, suggestions."""

    question: str
    answered: bool
    confidence: float
    facts: list[FactResult] = field(default_factory=list)
    summary: str | None = None
    article_id: int | None = None
    article_url: str | None = None
    suggestions: list[str] = field(default_factory=list)
    reply: str | None = None  # small-talk reply, when the message was not a question

    def to_dict(self) -> dict:
        """The CLI's JSON contract (plus suggestions)."""
        return {
            "question": self.question,
            "answered": self.answered,
            "confidence": round(self.confidence, 4),
            "facts": [
                {"text": f.text, "article_id": f.article_id, "article_title": f.article_title,
                 "score": round(f.score, 4)}
                for f in self.facts
            ],
            "summary": self.summary,
            "suggestions": self.suggestions,
        }

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Index:
    """Per-generation caches: vocabulary, idf weights, titles."""

    generation: int
    speller: Speller
    total_facts: int
    titles: dict[int, str]
    title_stems: dict[int, set[str]]


class AnswerEngine:
    """Answers questions; cheap to call from many threads (one reader connection each)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._index: _Index | None = None
        self._lock = threading.Lock()

    def _current(self) -> _Index:
        generation = self.kb.generation()
        index = self._index
        if index is None or index.generation != generation:
            with self._lock:
                index = self._index
                if index is None or index.generation != generation:
                    titles = dict(self.kb.titles())
                    index = self._index = _Index(
                        generation=generation,
                        speller=Speller(self.kb.vocabulary()),
                        total_facts=max(self.kb.fact_count(), 1),
                        titles=titles,
                        title_stems={i: stems_of(words(t)) for i, t in titles.items()},
                    )
        return index

    def ask(self, text: str) -> Answer:
        """Answer one question (any text at all) with facts or an honest refusal."""
        question = parse_question(text)
        if talk := small_talk(question.text):
            return Answer(question.text, False, 0.0, reply=SMALL_TALK_REPLIES[talk])
        index = self._current()
        terms = self._terms(question, index)
        if not terms:
            return self._refusal(question, index, [])
        candidates = self.kb.search(fts_query(list(terms)), CANDIDATES)
        if not candidates:
            return self._refusal(question, index, [])
        scored = self._rank(question, terms, candidates, index)
        best_score, best_conf, best = scored[0]
        if best_conf < ANSWER_THRESHOLD:
            return self._refusal(question, index, [row[1] for _, _, row in scored])
        facts = self._facts(scored, index)
        article = self.kb.article(best[1])
        return Answer(
            question=question.text,
            answered=True,
            confidence=best_conf,
            facts=facts,
            summary=article.summary if article else None,
            article_id=best[1],
            article_url=article.url if article else None,
        )

    def _terms(self, question: Question, index: _Index) -> dict[str, float]:
        """Search terms (typos corrected) with their idf weights; unknown words weigh most."""
        terms: dict[str, float] = {}
        vocabulary = index.speller.vocabulary
        for word in question.words:
            known = index.speller.correct(word)
            term = known or word
            df = vocabulary.get(term, 0)
            terms.setdefault(term, idf(df, index.total_facts))
        return terms

    def _rank(self, question: Question, terms: dict[str, float], candidates: list[tuple],
              index: _Index) -> list[tuple[float, float, tuple]]:
        """Score every candidate; returns (score, confidence, row), best first."""
        query_stems: dict[str, float] = {}
        for term, weight in terms.items():
            query_stems[stem(term)] = max(weight, query_stems.get(stem(term), 0.0))
        query_text = " ".join(terms)
        best_bm25 = min(row[5] for row in candidates) or -1.0
        scored = []
        for row in candidates:
            _, article_id, _, text, key_rank, bm25 = row
            cov = coverage(query_stems, stems_of(words(text)), index.title_stems[article_id])
            sim = similarity(query_text, text)
            score = (W_COVERAGE * cov + W_BM25 * (bm25 / best_bm25) + W_SIMILARITY * sim
                     + W_TYPE * type_match(question.kind, text)
                     + (W_KEY if key_rank is not None else 0.0))
            confidence = 0.7 * cov + 0.3 * sim
            scored.append((score, confidence, row))
        scored.sort(key=lambda item: (-item[0], item[2][0]))
        return scored

    def _facts(self, scored: list[tuple[float, float, tuple]], index: _Index) -> list[FactResult]:
        """The best fact plus close runners-up, never the same sentence twice."""
        best_score = scored[0][0]
        facts: list[FactResult] = []
        seen: set[str] = set()
        for score, confidence, row in scored:
            if len(facts) == MAX_FACTS:
                break
            if facts and (score < COMPANION_SHARE * best_score or confidence < ANSWER_THRESHOLD):
                break
            _, article_id, position, text, _, _ = row
            if text.casefold() in seen:
                continue
            seen.add(text.casefold())
            context = None
            if position > 0 and PRONOUN_START_RE.match(text):
                context = self.kb.fact_at(article_id, position - 1)
            facts.append(FactResult(text, article_id, index.titles.get(article_id, ""),
                                    round(score, 4), position, context))
        return facts

    def _refusal(self, question: Question, index: _Index, article_ids: list[int]) -> Answer:
        """'Not in my articles', with the closest article titles as suggestions."""
        suggestions: list[str] = []
        for article_id in article_ids:
            title = index.titles.get(article_id)
            if title and title not in suggestions:
                suggestions.append(title)
            if len(suggestions) == MAX_SUGGESTIONS:
                break
        return Answer(question.text, False, 0.0, suggestions=suggestions)


def fts_query(terms: list[str]) -> str:
    """An FTS5 OR query of quoted terms: no user text can become FTS syntax."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
