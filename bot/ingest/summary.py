"""Write an article's short summary: its opening sentences, within a word budget.

News puts the essentials first; on the Wikinews human summaries the lead beats any
sentence-scoring we tried (numbers in docs/BENCHMARKS.md).
"""

from __future__ import annotations

from bot.ingest.sentences import open_quote

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
    """The lead: opening sentences while they fit 80 words (at most two), readable alone. A
    quotation cut at its own sentence ends counts as one: the summary takes all of it or
    none ('... said "All those ... hospital.' alone would leave the quotation open)."""
    if not sentences:
        return ""
    summary = _trim(sentences[0], MAX_SUMMARY_WORDS)
    if len(sentences) > 1:
        candidate = _whole_quotation(sentences[1:])
        if candidate and len(f"{summary} {candidate}".split()) <= MAX_SUMMARY_WORDS:
            summary = f"{summary} {candidate}"
    return summary


def _whole_quotation(sentences: list[str]) -> str:
    """The first sentence, with those after it that close a quotation it opens; "" when
    none does."""
    text = sentences[0]
    for following in sentences[1:]:
        if not open_quote(text):
            break
        text = f"{text} {following}"
    return "" if open_quote(text) else text
