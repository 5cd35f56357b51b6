"""Correct question words the knowledge base does not know against its own vocabulary."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.answer.dictionary import english_word
from bot.text.words import IRREGULAR, STOPWORDS, stem

MIN_WORD_LENGTH = 4  # shorter words have too many one-edit neighbours
SHORT_WORD = 5  # below it a word is corrected only if it is not English
LONG_WORD = 8  # words this long may carry two typos; shorter ones one
# An English word is taken for another form of a known word only if the change is in its last
# letters ("criticized" -> "criticised", "expression" -> "expressing").
ENDING_LETTERS = 3
CACHE_WORDS = 50_000  # corrections remembered (a few MB)


ENDINGS = ("", "e", "s", "es", "ed", "d", "ing", "er", "ers", "ly")
IRREGULAR_FORMS: dict[str, list[str]] = defaultdict(list)
for _form, _base in IRREGULAR.items():
    IRREGULAR_FORMS[_base].append(_form)


def inflections(base: str) -> set[str]:
    """Words that may have `base` as their stem (bot.text.words.stem decides which really do)."""
    forms = {base + ending for ending in ENDINGS} | set(IRREGULAR_FORMS.get(base, ()))
    if base.endswith("y"):
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    return forms


# Stopwords long enough that one slip in them ("abuot", "durig") is still recognisable.
LONG_STOPWORDS = sorted(w for w in STOPWORDS if len(w) >= MIN_WORD_LENGTH and w.isalpha())


def stopword_typo(word: str) -> str | None:
    """The stopword `word` is one slip from ("betwejen" -> "between"), or None.

    Questions are searched by their content words; a misspelt stopword left in would count
    as a word no article knows and make the bot doubt a question it can answer.
    """
    if len(word) < MIN_WORD_LENGTH or english_word(word):  # "thee" is no slip for "then"
        return None
    match = process.extractOne(word, LONG_STOPWORDS, scorer=OSA.distance, score_cutoff=1)
    return match[0] if match and len(match[0]) >= min(len(word), SHORT_WORD) else None


def max_edits(word: str) -> int:
    """Edits allowed: 1 below LONG_WORD letters, 2 from there ("tokyo" must not become "toy")."""
    return 2 if len(word) >= LONG_WORD else 1


class Speller:
    """Vocabulary-backed correction; exact hits cost a set lookup, misses a bucketed search.

    Words are bucketed by length and by their first two letters (the head), by letters
    three and four (the middle), and by letters one and four (the gap). A slip from the
    third letter on keeps the head; a slip in the first two letters keeps the middle,
    shifted by a letter when one was added or dropped; two letters swapped across the
    second and third keep the gap. So a few small buckets hold every word one edit away,
    and a miss costs a fraction of a millisecond in a vocabulary of a million words
    (docs/ANSWERING.md). Two edits that both fall in the first four letters are the price.
    """

    def __init__(self, vocabulary: dict[str, int],
                 extra_words: Callable[[], Iterable[str]] | None = None) -> None:
        """`extra_words` (read at the first word the vocabulary lacks) are known words too,
        counted once: headline words, which a question may use though no fact does."""
        self.vocabulary = vocabulary
        self._extra_words = extra_words
        self._head: dict[tuple[int, str], list[str]] | None = None
        self._middle: dict[tuple[int, str], list[str]] = {}
        self._gap: dict[tuple[int, str], list[str]] = {}
        self._build_lock = threading.Lock()
        self._cache: OrderedDict[str, str | None] = OrderedDict()

    def _build(self) -> None:
        """The buckets, made at the first unknown word: most questions need none, and a
        million words take 0.6 s, which start-up should not wait for."""
        self._add_extra_words()
        with self._build_lock:
            if self._head is not None:
                return
            head: dict[tuple[int, str], list[str]] = defaultdict(list)
            middle: dict[tuple[int, str], list[str]] = defaultdict(list)
            gap: dict[tuple[int, str], list[str]] = defaultdict(list)
            for word in self.vocabulary:
                # Corrections are never shorter than the shortest word corrected ("joe").
                if len(word) >= MIN_WORD_LENGTH:
                    head[len(word), word[:2]].append(word)
                    middle[len(word), word[2:4]].append(word)
                    gap[len(word), word[0] + word[3:4]].append(word)
            self._middle, self._gap = middle, gap
            self._head = head

    def knows(self, word: str) -> bool:
        """True for a word of the vocabulary or of the extra words."""
        if word in self.vocabulary:
            return True
        self._add_extra_words()
        return word in self.vocabulary

    def _add_extra_words(self) -> None:
        with self._build_lock:
            if self._extra_words is not None:
                for word in self._extra_words():
                    self.vocabulary.setdefault(word, 1)
                self._extra_words = None

    def correct(self, word: str) -> str | None:
        """The known word closest to `word` (itself if known), or None when nothing is close."""
        if self.knows(word):
            return word
        if inflected := self.inflection(word):
            return inflected
        if len(word) < MIN_WORD_LENGTH or not word.isalpha():
            return None
        # A short word has many neighbours one slip away: if it is English, it is no typo
        # ("joke" is not "joker"). A longer English word is corrected to another form of
        # itself only ("kilometers" -> "kilometres", never "mercy" -> "percy"; `same_root`).
        if len(word) < SHORT_WORD and english_word(word):
            return None
        if word in self._cache:
            self._cache.move_to_end(word)
            return self._cache[word]
        closest = self._cache[word] = self._closest(word)
        if len(self._cache) > CACHE_WORDS:  # hostile text must not grow it without end
            self._cache.popitem(last=False)
        return closest

    def inflection(self, word: str) -> str | None:
        """The commonest known word with the stem of `word` ("warned" for "warn"), or None.

        The articles may use a word only in another form; that is no typo, and "warn" is
        too short to correct. The forms are generated, so this costs a few set lookups.
        """
        base = stem(word)
        forms = [form for form in inflections(base) if form in self.vocabulary
                 and stem(form) == base]
        return max(forms, key=lambda form: (self.vocabulary[form], form), default=None)

    def _buckets(self, word: str, limit: int) -> list[list[str]]:
        """Every bucket that can hold a word `limit` edits from `word` (but see above)."""
        if self._head is None:
            self._build()
        head, middle, gap, size = self._head or {}, self._middle, self._gap, len(word)
        spread = range(-limit, limit + 1)
        keys = [(head, (size + d, word[:2])) for d in spread]
        keys += [(gap, (size + d, word[0] + word[3:4])) for d in spread]
        # A letter added (dropped) in front moves the middle one place right (left).
        keys += [(middle, (size + d, word[2 + shift:4 + shift]))
                 for shift in spread if 2 + shift >= 0 for d in spread]
        found: list[list[str]] = []
        for table, key in keys:
            bucket = table.get(key)
            if bucket and all(bucket is not seen for seen in found):
                found.append(bucket)
        return found

    def _closest(self, word: str) -> str | None:
        return next(iter(self.corrections(word)), None)

    def corrections(self, word: str) -> list[str]:
        """Known words one slip from `word` (two from LONG_WORD letters), likeliest first:
        fewest edits, then the commoner word, the likelier intent. For an English word,
        only other forms of it."""
        limit = max_edits(word)
        # OSA counts a swap of two letters as one edit, the commonest typo after a slip.
        matches = {match[0]: match[1] for bucket in self._buckets(word, limit)
                   for match in process.extract(word, bucket, scorer=OSA.distance,
                                                score_cutoff=limit, limit=10)}
        if english_word(word):
            matches = {m: d for m, d in matches.items() if same_root(word, m)}
        return sorted(matches, key=lambda m: (matches[m], -self.vocabulary[m], m))


def same_root(word: str, other: str) -> bool:
    """True when two words differ only in their last letters: another form of one word.

    A real word is no typo; changed anywhere else it becomes another word, often the
    opposite ("unexpected" -> "expected", "mercy" -> "percy", "descended" -> "defended").
    """
    keep = min(len(word), len(other)) - ENDING_LETTERS
    return word[:keep] == other[:keep]
