"""English words, to tell a word the articles lack ("joke") from a typo of one they hold.

A question word no article uses may be a typo ("Tsla") or simply a word of another topic
("Tell me a joke"); correcting the second to a word of the articles ("joker") answers a
question nobody asked. pyspellchecker's English frequency list (160,000 words, from
OpenSubtitles and Wikipedia) says which is which; it is read at the first unknown word.
"""

from __future__ import annotations

import functools

from spellchecker import SpellChecker


@functools.cache
def _english() -> frozenset[str]:
    return frozenset(SpellChecker(language="en", distance=1).word_frequency.keys())


def english_word(word: str) -> bool:
    """True for a correctly spelt English word (lower case)."""
    return word in _english()
