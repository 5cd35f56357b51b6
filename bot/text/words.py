"""Word-level text helpers shared by ingestion and answering."""

from __future__ import annotations

import functools
import re
import unicodedata

WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

# Small English stopword list: question words are kept out of FTS queries because
# they match nearly every sentence and drown the content words in bm25.
STOPWORDS = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and",
        "any", "are", "aren't", "as", "at", "be", "because", "been", "before", "being",
        "below", "between", "both", "but", "by", "can", "could", "did", "didn't", "do",
        "does", "doesn't", "doing", "don't", "down", "during", "each", "few", "for",
        "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
        "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "isn't",
        "it", "it's", "its", "itself", "just", "let's", "me", "more", "most", "my",
        "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other",
        "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so",
        "some", "such", "than", "that", "that's", "the", "their", "theirs", "them",
        "themselves", "then", "there", "there's", "these", "they", "this", "those",
        "through", "to", "too", "under", "until", "up", "very", "was", "wasn't", "we",
        "were", "what", "what's", "when", "where", "which", "while", "who", "whom",
        "whose", "why", "will", "with", "won't", "would", "you", "your", "yours",
        "yourself", "yourselves", "also", "may", "might", "must", "shall", "tell",
        "please", "know", "like", "get", "got", "us", "s", "t", "d", "ll", "m", "re",
        "ve", "y", "whats", "whos", "wheres", "hows",
    ]
)


def normalize(text: str) -> str:
    """Unicode-normalise and drop control and zero-width characters, keeping newlines and tabs.

    Scraped pages and user messages carry NULs, BOMs and bidi marks that break matching.
    """
    text = unicodedata.normalize("NFKC", text)
    # Only characters outside printable ASCII are looked up (a loop over every character
    # was a fifth of parsing an article).
    return _SUSPECT_RE.sub(_drop_control, text)


_SUSPECT_RE = re.compile(r"[^\n\t\x20-\x7e]+")
_CONTROL = frozenset(("Cc", "Cf", "Co", "Cs"))


def _drop_control(match: re.Match[str]) -> str:
    return "".join(ch for ch in match[0] if unicodedata.category(ch) not in _CONTROL)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits, inner apostrophes kept)."""
    if text.isascii():  # lowered at once: ASCII case changes no word's bounds (as "İ" can)
        return WORD_RE.findall(text.lower())
    return [w.lower().replace("’", "'") for w in WORD_RE.findall(text)]


def content_words(text: str) -> list[str]:
    """Words that carry meaning: not stopwords, de-duplicated, in order of appearance."""
    seen: dict[str, None] = {}
    for w in words(text):
        base = w[:-2] if w.endswith("'s") else w
        if base and base not in STOPWORDS and base not in seen:
            seen[base] = None
    return list(seen)


def fix_spacing(text: str) -> str:
    """Undo tokenised-text spacing ("six - member", "word ,") and collapse runs of blanks.

    Only spacing changes, never a character: a spaced dash stays a spaced hyphen ("360 - 366",
    "£160m - will", "the wheat - or maize"), a full stop that starts a number (".292") or an
    ellipsis ("Seven Days ... Seven Nights") keeps the space before it.
    """
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = _SPACED_HYPHEN_RE.sub(_join_compound, text)
    text = re.sub(r"(?<=[$£€]) (?=\d)", "", text)
    text = re.sub(r" +([,;:!?%)\]]|\.(?![.\d]))", r"\1", text)
    text = re.sub(r"([(\[]) +", r"\1", text)
    return text.strip()


# "six - member" and "anti - war" are tokenised compounds: lower-case words on both sides, and
# neither a function word ("the wheat - or maize", "a threat - to them" are dashes).
_SPACED_HYPHEN_RE = re.compile(r"\b([a-z]+) - ([a-z]+)\b")


def _join_compound(match: re.Match[str]) -> str:
    left, right = match.groups()
    if left in STOPWORDS or right in STOPWORDS:
        return match[0]
    return f"{left}-{right}"


_SUFFIXES = (("ational", "ate"), ("ization", "ize"), ("fulness", "ful"), ("iveness", "ive"),
             ("ies", "y"), ("ied", "y"), ("ing", ""), ("edly", ""), ("ed", ""), ("es", ""),
             ("s", ""), ("ly", ""))


# Irregular verb forms, so "What did Zhang take?" finds "he took" (inflection, not synonyms).
IRREGULAR = {
    form: base
    for base, forms in {
        "take": "took taken takes taking", "give": "gave given", "go": "went gone goes",
        "come": "came", "make": "made", "say": "said says", "tell": "told",
        "find": "found", "get": "got gotten", "know": "knew known", "see": "saw seen",
        "think": "thought", "bring": "brought", "buy": "bought", "pay": "paid",
        "leave": "left", "hold": "held", "keep": "kept", "lose": "lost", "win": "won",
        "begin": "began begun", "write": "wrote written", "speak": "spoke spoken",
        "build": "built", "send": "sent", "spend": "spent", "sell": "sold",
        "meet": "met", "run": "ran", "choose": "chose chosen", "fall": "fell fallen",
        "grow": "grew grown", "rise": "rose risen", "lead": "led", "die": "died dies dying",
        "be": "was were been is are", "have": "had has", "do": "did done does",
        "steal": "stole stolen", "break": "broke broken", "drive": "drove driven",
        "fight": "fought", "teach": "taught", "catch": "caught", "seek": "sought",
        "flee": "fled", "shoot": "shot", "hide": "hid hidden", "feel": "felt",
    }.items()
    for form in forms.split()
}


@functools.lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """A light suffix-stripping stemmer, enough to match "warned" with "warns" in re-ranking.

    FTS5's porter tokenizer does the real stemming for retrieval; this only has to agree
    with itself when comparing question words with fact words. Cached: re-ranking stems
    every candidate fact's words on every question (a third of an answer's time, measured
    in bench.scale), and a word's stem never changes.
    """
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = IRREGULAR.get(word, word)
    if not word.endswith("ss"):
        for suffix, replacement in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)] + replacement
                break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word
