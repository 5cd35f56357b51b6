"""ROUGE-N F1 (Lin 2004) on lower-cased word tokens, no stemming: small enough to read."""

from __future__ import annotations

import re
from collections import Counter

_TOKEN_RE = re.compile(r"[a-z0-9]+")


def ngrams(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text.lower())
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def rouge_n(candidate: str, reference: str, n: int) -> float:
    """F1 of clipped n-gram overlap: 2PR / (P + R)."""
    cand, ref = ngrams(candidate, n), ngrams(reference, n)
    overlap = sum((cand & ref).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(cand.values()), overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)
