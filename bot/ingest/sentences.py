"""Sentence splitting: a fast raw split, then repairs of its known mistakes.

The raw split is blingfire's where it is installed (its wheel carries x86-64 libraries
only) and syntok's elsewhere; `SPLITTER` names the one in use. syntok scored F1 0.95 on
real news at ~0.1 ms/sentence (pysbd 0.90 and 5x slower; nltk needs data downloads);
blingfire splits the same paragraphs ~8x faster, and the repairs below make the two agree
on most paragraphs (docs/ANSWERING.md step 0). Where to cut follows GUM's annotators
(bench.sentences measures the agreement): a quotation is cut at its own sentence ends, a ";"
does not end a sentence, and a caption or a heading run into a paragraph is a sentence of
its own, even with no full stop.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import syntok.segmenter as segmenter

try:
    import blingfire
except (ImportError, OSError):  # not installed, or its library does not load here
    blingfire = None

_MAX_JOINED_CHARS = 600  # a stray quote mark must not glue a whole paragraph together


# ‘ opens a quotation where a word starts; ’ closes one where no letter follows (in "China’s"
# it is an apostrophe, and in "ministers’ plan" closing an unopened quote is ignored).
_SINGLE_QUOTE_RE = re.compile(r"(?:(?<![^\s(\[—–-])‘)|(?:’(?!\w))")


# A quotation's speaker after a dash ('"... a long game." - Matthew Ingram') belongs to it.
_ATTRIBUTION_RE = re.compile(r"^[-–—]\s*[A-Z][\w.'’-]*(?:\s+[\w.'’-]+){0,5}$")


# syntok also cuts after a title ("Rev. Paul T. Stallsworth") and inside a name with
# brackets ("the Mental Health (Care and Treatment) (Scotland) | Act 2003"), blingfire after
# a title that follows a sentence ("... ended. Dr. | Smith said"), "v." ("Brown v. | Board")
# and a list number ("2. | This method"): a piece that does not end like a sentence, ends
# with a title or is a number alone is joined to the next.
_TITLES = ("Rev|Gen|Sen|Rep|Gov|Lt|Col|Capt|Cmdr|Sgt|Maj|Fr|Sr|Jr|Prof|Dr|Mr|Mrs|Ms|Hon"
           "|Adm|Brig|Supt|Insp|Pres|St")
_TITLE_END_RE = re.compile(rf"\b(?:{_TITLES}|v|vs)\.$|^\d{{1,3}}\.$")
# blingfire misses cuts syntok makes: after a lower-case word's full stop before a number or
# a title ("partnerships. 35,064 households", "left. Mr. Jones"), except after an
# abbreviation or inside brackets.
_MISSED_CUT_RE = re.compile(
    rf"\b(?P<word>[a-z]{{2,}})\.\s(?=\d|(?:{_TITLES})\.\s)")
_NUMBER_ABBREVIATIONS = frozenset([
    "approx", "vol", "vols", "no", "nos", "pp", "fig", "figs", "art", "arts", "ch", "sec",
    "ca", "est", "op", "ed", "eds", "vs", "para", "ref", "tel", "pt", "pts", "cf", "al", "ft",
    "mi", "km", "oz", "lb", "lbs", "min", "max", "yr", "yrs",
])
# "“" after a full stop is a closing mark typed as an opening one ("decision.“ However").
_SENTENCE_END_RE = re.compile(r"[.!?…:;][\"'”’“)\]]*$")


def unfinished(text: str) -> bool:
    """True when a piece cannot end a sentence: a title's full stop or no full stop at all."""
    return bool(_TITLE_END_RE.search(text)) or not _SENTENCE_END_RE.search(text)


def open_quote(text: str) -> bool:
    """True when the text opens a quotation it does not close."""
    if text.count("“") > text.count("”"):
        return True
    if text.count('"') % 2 == 1:
        return True
    depth = 0
    for mark in _SINGLE_QUOTE_RE.findall(text):
        depth = depth + 1 if mark == "‘" else max(depth - 1, 0)
    return depth > 0


def syntok_pieces(paragraph: str) -> list[str]:
    """syntok's sentences of the paragraph, as written."""
    raw: list[str] = []
    # analyze, not process: process rewrites "wasn't" as "was" + "not" ("wasnot" once joined).
    for para in segmenter.analyze(paragraph):
        for sentence in para:
            text = "".join(tok.spacing + tok.value for tok in sentence).strip()
            if text:
                raw.append(text)
    return raw


def blingfire_pieces(paragraph: str) -> list[str]:
    """blingfire's sentences of the paragraph, as written (it marks cuts with newlines)."""
    assert blingfire is not None
    text = blingfire.text_to_sentences(paragraph.replace("\n", " "))
    return [cut for line in text.split("\n") if (piece := line.strip())
            for cut in _missed_cuts(piece)]


def _missed_cuts(piece: str) -> list[str]:
    """The piece cut where blingfire misses a cut that syntok makes (_MISSED_CUT_RE)."""
    cuts, start = [], 0
    for match in _MISSED_CUT_RE.finditer(piece):
        before = piece[start:match.start()]
        if (match["word"] not in _NUMBER_ABBREVIATIONS
                and before.count("(") <= before.count(")")):  # syntok: not in brackets
            cuts.append(piece[start:match.end() - 1])
            start = match.end()
    cuts.append(piece[start:])
    return cuts


# Cuts the raw splitters miss: after a lower-case word's full stop, before a word that starts
# in lower case and goes on in upper case ("called eHow. eHow was", "Sure. wikiHow is") and
# (blingfire) before a capital outside ASCII ("Bourg-la-Reine. Évariste Galois"); (syntok)
# after a bracket that follows a "!" ("Viva Maria! (1965). The vote followed."); and (both)
# before a bracket that follows a sentence's end ("... neutral. (http://...)"), after a
# bracket's full stop before a lower-case brand, after "etc." and "no." before a capitalised
# word ("No, no. Forget memory."), after a closing mark typed as “, before an ellipsis that
# opens the next sentence, and after a web address ("on www.standfor.co.nz. Names of").
_FORGOTTEN_CUT_RE = re.compile(
    r"(?<=[a-z]{2}[.!?])\s+(?=[a-z]+[A-Z]|[À-ÖØ-Þ])|(?<=\)[.!?])\s+(?=[A-Z]|[a-z]+[A-Z])"
    r"|(?<=[A-Za-z]{2}[.!?])\s+(?=\((?![\d\s–-]+\)))"
    r"|(?<=\betc\.)\s+(?=[A-Z][a-z])|(?<=\b[Nn]o\.)\s+(?=[A-Z][a-z])|(?<=[.!?]“)\s+(?=[A-Z])"
    r"|(?<=[a-z]{2}[.!?])\s+(?=(?:\.\.\.|…)\s)"
    r"|(?<=\.[a-z]{2}\.)\s+(?=[A-Z][a-z])")
# A sentence start with no full stop before it: a caption or a heading run into the text
# ("DAB's Elizabeth Quat In the New Territories East ..."), a line that lost its full stop
# ("... gets better and larger We currently have ..."). A capitalised preposition or pronoun
# inside a sentence is part of a title ("Lost In Space", "the film She Said"), and then the
# next word is capitalised too.
_UNMARKED_START_RE = re.compile(
    r"(?<=[\w\"”’)])\s+(?=(?:In|On|At|We|They|She|He|It)(?:['’]\w+)?\s+[a-z])")
# After one of these the capitalised word starts a title ("the Church, and On the Freedom of
# a Christian", "In On the Abrogation of the Private Mass"), not a sentence.
_TITLE_LEADS = frozenset(["a", "an", "and", "as", "at", "by", "for", "from", "in", "into",
                          "nor", "of", "on", "or", "than", "the", "to", "with"])


def _forgotten_cuts(piece: str) -> list[str]:
    """The piece cut where _FORGOTTEN_CUT_RE finds a sentence start both splitters miss."""
    return _FORGOTTEN_CUT_RE.split(piece)


SPLITTERS: dict[str, Callable[[str], list[str]]] = {"syntok": syntok_pieces}
if blingfire is not None:
    SPLITTERS["blingfire"] = blingfire_pieces
SPLITTER = "blingfire" if blingfire is not None else "syntok"


# Cuts the raw splitters make inside a sentence: after an abbreviation that stands before a
# number or a date ("(b. March 2009)", "c. 1871", "(m. 1949)", "No. 5"), at an ellipsis inside
# a run of capitalised words (a title: "Seven Days ... Seven Nights") and after a title's "?"
# or "!" that a bracket continues ("Meurtres? (Three Sinners, 1950) and ...").
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November"
           "|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_DATE_ABBREVIATION_RE = re.compile(r"(?:^|[\s(\[])(?:[bdcmr]|ca|fl|[Nn]os?|[Vv]ol|pp?)\.$")
_DATE_START_RE = re.compile(rf"^(?:\d|(?:{_MONTHS})\b)")
_TITLE_ELLIPSIS_RE = re.compile(r"\S\s+[A-Z][\w'’-]*\s*(?:\.\.\.|…)$")
_CAPITALISED_RE = re.compile(r"^[\"“‘]?[A-Z]")
_BRACKET_GOES_ON_RE = re.compile(r"^\([^()]*[^.!?()]\)(?:\s*[,;:a-z(]|[.!?]?$)")
_BRACKETED_NUMBER_RE = re.compile(r"^\([\d\s–-]+\)\.?$")  # "... at the bar. (2012)."


def _continues(previous: str, text: str) -> bool:
    """True when a raw cut between two pieces falls inside one sentence (the cases above)."""
    return bool(
        (_DATE_ABBREVIATION_RE.search(previous) and _DATE_START_RE.match(text))
        or (_TITLE_ELLIPSIS_RE.search(previous) and _CAPITALISED_RE.match(text))
        or (previous.endswith(("?", "!")) and _BRACKET_GOES_ON_RE.match(text))
        or _BRACKETED_NUMBER_RE.match(text)
    )


def _joins(previous: str, text: str) -> bool:
    """True when the piece `text` belongs to the sentence before it (quotations aside); a
    ";" does not end a sentence (syntok cuts after one)."""
    return bool((unfinished(previous) and len(previous) < _MAX_JOINED_CHARS)
                or previous.endswith(";")
                or _continues(previous, text) or _ATTRIBUTION_RE.match(text))


def _opens_quote(piece: str) -> bool:
    """True when the piece opens a quotation: a closing '"' left over from a quotation opened
    in an earlier piece (too long to join, 'put the game to bed early."') opens none."""
    if not open_quote(piece):
        return False
    at = piece.rfind('"')
    return piece.count('"') % 2 == 0 or at == 0 or piece[at - 1] in " ([{—–-"


def _quotation_end(pieces: list[str], start: int) -> int | None:
    """The piece that closes the quotation pieces[start] opens; None when it opens none, or
    when no piece within _MAX_JOINED_CHARS closes it (a stray mark joins nothing)."""
    if not _opens_quote(pieces[start]):
        return None
    text = pieces[start]
    for end in range(start + 1, len(pieces)):
        text = f"{text} {pieces[end]}"
        if len(text) > _MAX_JOINED_CHARS:
            return None
        if not open_quote(text):
            return end
    return None


def _quotation_joins(pieces: list[str]) -> list[bool]:
    """For each piece, whether it continues a quotation that is one sentence with its speaker.

    A quotation followed by its speaker after a dash ('"... a long game." - M. Ingram') is one
    sentence. Any other is cut at its own sentence ends ('"We will go. | Now," he said.'), as
    GUM's annotators mostly cut it; kept whole, fewer of GUM's sentences agree.
    """
    joins = [False] * len(pieces)
    start = 0
    while start < len(pieces):
        end = _quotation_end(pieces, start)
        if end is None:
            start += 1
            continue
        after = pieces[end + 1] if end + 1 < len(pieces) else ""
        if _ATTRIBUTION_RE.match(after):
            joins[start + 1:end + 1] = [True] * (end - start)
        start = end + 1
    return joins


def split_sentences(paragraph: str, splitter: str = SPLITTER) -> list[str]:
    """Split one paragraph into sentences, keeping a quotation inside a sentence in one piece."""
    pieces = [cut for raw in SPLITTERS[splitter](paragraph) for cut in _forgotten_cuts(raw)]
    merged: list[str] = []
    for text, quoted in zip(pieces, _quotation_joins(pieces), strict=True):
        if merged and (quoted or _joins(merged[-1], text)):
            merged[-1] = f"{merged[-1]} {text}"
        else:
            merged.append(text)
    return [cut for sentence in merged for cut in _unmarked_cuts(sentence)]


def _unmarked_cuts(sentence: str) -> list[str]:
    """The sentence cut where _UNMARKED_START_RE finds a sentence start with no full stop
    before it, unless the word before it leads into a title."""
    cuts, start = [], 0
    for match in _UNMARKED_START_RE.finditer(sentence):
        before = sentence[start:match.start()].split()
        if before and before[-1].lower() not in _TITLE_LEADS:
            cuts.append(sentence[start:match.start()])
            start = match.end()
    cuts.append(sentence[start:])
    return cuts

