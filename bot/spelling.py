"""Correct question words the knowledge base does not know against its own vocabulary."""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_WORD_LENGTH = 5  # shorter words have too many one-edit neighbours ("joke" -> "joe")
LONG_WORD = 8  # words this long may carry two typos; shorter ones one


def max_edits(word: str) -> int:
    """Edits allowed: 1 below LONG_WORD letters, 2 from there ("tokyo" must not become "toy")."""
    return 2 if len(word) >= LONG_WORD else 1


class Speller:
    """Vocabulary-backed correction; exact hits cost a set lookup, misses a bucketed search."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in vocabulary:
            self._by_length[len(word)].append(word)
        self._cache: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The known word closest to `word` (itself if known), or None when nothing is close."""
        if word in self.vocabulary:
            return word
        if len(word) < MIN_WORD_LENGTH or not word.isalpha():
            return None
        if word not in self._cache:
            self._cache[word] = self._closest(word)
        return self._cache[word]

    def _closest(self, word: str) -> str | None:
        limit = max_edits(word)
        candidates = [
            w
            for size in range(len(word) - limit, len(word) + limit + 1)
            for w in self._by_length.get(size, ())
        ]
        # OSA counts a swap of two letters as one edit, the commonest typo after a slip.
        matches = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit,
                                  limit=10)
        if not matches:
            return None
        # Fewest edits first; among those, the commoner word is the likelier intent.
        best = min(matches, key=lambda m: (m[1], -self.vocabulary[m[0]], m[0]))
        return best[0]
