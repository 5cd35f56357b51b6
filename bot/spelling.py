"""Correct question words the knowledge base does not know against its own vocabulary."""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import fuzz, process

MIN_WORD_LENGTH = 4  # shorter words have too many one-edit neighbours to correct safely
# Two edits in an 8-letter word is ratio ~80; one edit in a 4-letter word is 75-86.
MIN_SIMILARITY = 75.0
LENGTH_WINDOW = 2


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
        if len(word) < MIN_WORD_LENGTH or word.isdigit():
            return None
        if word not in self._cache:
            self._cache[word] = self._closest(word)
        return self._cache[word]

    def _closest(self, word: str) -> str | None:
        candidates = [
            w
            for size in range(len(word) - LENGTH_WINDOW, len(word) + LENGTH_WINDOW + 1)
            for w in self._by_length.get(size, ())
        ]
        matches = process.extract(
            word, candidates, scorer=fuzz.ratio, score_cutoff=MIN_SIMILARITY, limit=5
        )
        if not matches:
            return None
        # Among equally close words, the commoner one is the likelier intent.
        best = max(matches, key=lambda m: (m[1], self.vocabulary[m[0]]))
        return best[0]
