"""Correct question words the knowledge base does not know against its own vocabulary."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_WORD_LENGTH = 5  # shorter words have too many one-edit neighbours ("joke" -> "joe")
LONG_WORD = 8  # words this long may carry two typos; shorter ones one
CACHE_WORDS = 50_000  # corrections remembered (a few MB)


def max_edits(word: str) -> int:
    """Edits allowed: 1 below LONG_WORD letters, 2 from there ("tokyo" must not become "toy")."""
    return 2 if len(word) >= LONG_WORD else 1


class Speller:
    """Vocabulary-backed correction; exact hits cost a set lookup, misses a bucketed search.

    Words are bucketed by length and by each of their first two letters. One edit keeps a
    word's first letter or its second in place, or swaps the two (a slip at the start), so
    the four buckets those letters name hold every word one edit away: about a fifth of the
    words of those lengths, which keeps a miss at ~1 ms in a vocabulary of a million words.
    Two edits that both fall on the first two letters are the price.
    """

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self._first: dict[tuple[int, str], list[str]] | None = None
        self._second: dict[tuple[int, str], list[str]] = {}
        self._build_lock = threading.Lock()
        self._cache: OrderedDict[str, str | None] = OrderedDict()

    def _build(self) -> None:
        """The buckets, made at the first unknown word: most questions need none, and a
        million words take 0.6 s, which start-up should not wait for."""
        with self._build_lock:
            if self._first is not None:
                return
            first: dict[tuple[int, str], list[str]] = defaultdict(list)
            second: dict[tuple[int, str], list[str]] = defaultdict(list)
            for word in self.vocabulary:
                if len(word) >= MIN_WORD_LENGTH - 2:  # the shortest a correction can be
                    first[len(word), word[0]].append(word)
                    second[len(word), word[1]].append(word)
            self._second = second
            self._first = first

    def correct(self, word: str) -> str | None:
        """The known word closest to `word` (itself if known), or None when nothing is close."""
        if word in self.vocabulary:
            return word
        if len(word) < MIN_WORD_LENGTH or not word.isalpha():
            return None
        if word in self._cache:
            self._cache.move_to_end(word)
            return self._cache[word]
        closest = self._cache[word] = self._closest(word)
        if len(self._cache) > CACHE_WORDS:  # hostile text must not grow it without end
            self._cache.popitem(last=False)
        return closest

    def _buckets(self, word: str, limit: int) -> list[list[str]]:
        if self._first is None:
            self._build()
        by_first, by_second = self._first or {}, self._second
        first, second = word[0], word[1]
        empty: list[str] = []
        return [bucket
                for size in range(len(word) - limit, len(word) + limit + 1)
                for bucket in (by_first.get((size, first), empty),
                               by_second.get((size, second), empty),
                               by_first.get((size, second), empty),
                               by_second.get((size, first), empty))
                if bucket]

    def _closest(self, word: str) -> str | None:
        limit = max_edits(word)
        # OSA counts a swap of two letters as one edit, the commonest typo after a slip.
        matches = [match for bucket in self._buckets(word, limit)
                   for match in process.extract(word, bucket, scorer=OSA.distance,
                                                score_cutoff=limit, limit=10)]
        if not matches:
            return None
        # Fewest edits first; among those, the commoner word is the likelier intent.
        best = min(matches, key=lambda m: (m[1], -self.vocabulary[m[0]], m[0]))
        return best[0]
