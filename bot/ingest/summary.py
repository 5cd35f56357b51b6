"""Write an article's short summary: its opening sentences, within a word budget.

News puts the essentials first; on the Wikinews human summaries the lead beats any
sentence-scoring we tried (numbers in docs/BENCHMARKS.md).
"""

from __future__ import annotations

# On the 24 Wikinews human summaries: 60 words ROUGE-1 41.7, 70 words 42.5, 80 words 42.6,
# lead-2 uncut 42.5 (bench.quality); longer than 80 reads as a paragraph, not a summary.
MAX_SUMMARY_WORDS = 80


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
    """The lead: opening sentences while they fit 80 words (at most two), readable alone."""
    if not sentences:
        return ""
    summary = _trim(sentences[0], MAX_SUMMARY_WORDS)
    if len(sentences) > 1:
        candidate = f"{summary} {sentences[1]}"
        if len(candidate.split()) <= MAX_SUMMARY_WORDS:
            summary = candidate
    return summary
