"""Write an article's short summary: its opening sentences, within a word budget.

News puts the essentials first; on the Wikinews human summaries the lead beats any
sentence-scoring we tried (numbers in docs/BENCHMARKS.md).
"""

from __future__ import annotations

MAX_SUMMARY_WORDS = 60
SECOND_SENTENCE_BELOW = 30  # a lede shorter than this gets the next sentence too


def _trim(sentence: str, budget: int) -> str:
    """Cut an over-long sentence at the last clause boundary within the budget."""
    words = sentence.split()
    if len(words) <= budget:
        return sentence
    head = " ".join(words[:budget])
    cut = max(head.rfind(", "), head.rfind("; "), head.rfind(" — "))
    if cut > len(head) // 2:
        head = head[:cut]
    return head.rstrip(",;:— ") + "…"


def summarize(sentences: list[str]) -> str:
    """One or two leading sentences, at most ~60 words, readable on their own."""
    if not sentences:
        return ""
    summary = _trim(sentences[0], MAX_SUMMARY_WORDS)
    first_words = len(summary.split())
    if first_words < SECOND_SENTENCE_BELOW and len(sentences) > 1:
        second = sentences[1]
        if first_words + len(second.split()) <= MAX_SUMMARY_WORDS:
            summary = f"{summary} {second}"
    return summary
