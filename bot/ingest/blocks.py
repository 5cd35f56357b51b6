"""An article body as a reader sees it: which lines are statements, and how each becomes facts.

`clean_paragraphs` keeps running prose; a page says more than its prose. Decided by each
line's shape and place, never by lists of particular strings:

- a speech turn ("Bill: It's anything but that. And --") is text, however it ends, and every
  sentence of it keeps its speaker, so that a fact says who said it;
- a line introducing a list ("She must:") keeps what follows: each item becomes a fact that
  starts with the introducing sentence; introducing a paragraph instead ("His last words
  were:"), it takes that paragraph's first sentence;
- an infobox (a run of short label lines above the first paragraph) becomes one fact a row,
  a label standing alone ("Teams") put before the rows under it ("Teams: Pittsburgh ...");
- a heading, a photo caption (a short sentence with no verb, alone or opening a paragraph),
  a credit or the title repeated is not a fact.
Questions (an interviewer's) stay facts: they are the context of the answer that follows
them, and the answer engine never shows one on its own (bot/answer/answers.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.ingest.cleaning import PROSE_END_RE, is_prose, page_lines
from bot.ingest.sentences import split_sentences, unfinished
from bot.text.words import IRREGULAR, words

# "Bill:", "David Shankbone:", "Mario J. Lucero:", "Wikinews:": a turn's speaker.
SPEAKER_RE = re.compile(r"^((?:[A-Z][\w.'’-]*)(?: [A-Z][\w.'’-]*){0,3}): (?=\S)")
# A line ending in ":" introduces what follows; a speech line may break off ("--", "—").
INTRODUCES_RE = re.compile(r":[\"'”’)\]]*$")
BROKEN_OFF_RE = re.compile(r"(?:--|—|–|…)[\"'”’)\]]*$")
QUESTION_END_RE = re.compile(r"\?[\"'”’)\]]*(?:\s*(?:\.\.\.|…)[\"'”’)\]]*)?$")
# A question in brackets closing a sentence: "(how do I best explain this?)".
ASIDE_QUESTION_RE = re.compile(r"[(\[][^()\[\]]*\?[\"'”’]*[)\]]\W*$")
ASKING_START_RE = re.compile(
    r"^(?:how|what|why|when|where|who|whom|whose|which|do|does|did|is|are|was|were|can|could"
    r"|would|will|should|have|has)\b", re.IGNORECASE)
# "How do you approach ...": a wh-word and an auxiliary ask, whatever mark ends them.
INVERTED_RE = re.compile(
    r"^(?:how|what|why|when|where|who|which)\s+(?:do|does|did|is|are|was|were|can|could"
    r"|would|will|should|have|has)\s+(?:you|he|she|they|we|it|i|the|your|this|that)\b",
    re.IGNORECASE)
CREDIT_WORD_RE = re.compile(
    r"^(?:photo|image|picture|credit|illustration|graphic|video|audio|source|file photo)s?"
    r"\s*[:;]$", re.IGNORECASE)
BULLET_RE = re.compile(r"^\s*(?:[-*•·–—▪●◦‣]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
MIN_SAID_LOWER_WORDS = 2
MIN_TURNS = 2
MIN_INFOBOX_ROWS = 3  # rows holding a value; fewer are headings, captions or chrome
MAX_LABEL_WORDS = 4
MAX_CAPTION_WORDS = 10
MAX_ITEM_WORDS = 60  # a longer line after a colon is a paragraph of its own, not a list item
MAX_TAIL_WORDS = 8  # a speaker's name and title, or "Rathbun stated,"
# Words that make a clause a statement: auxiliaries and common verbs ("is", "has", "will").
_FINITE = frozenset(IRREGULAR) | {
    "am", "can", "could", "may", "might", "must", "shall", "should", "will", "would",
    # past tenses that neither end in "-ed" nor are in words.IRREGULAR
    "ate", "became", "bent", "bled", "drew", "dug", "fed", "flew", "forgot", "froze", "hung",
    "knelt", "laid", "lay", "lent", "lit", "meant", "rode", "rang", "sang", "sank", "sat",
    "shook", "shone", "slept", "slid", "sold", "spun", "sprang", "stood", "struck", "stuck",
    "swore", "swam", "threw", "tore", "understood", "woke", "wept", "wore", "withdrew",
}
PRONOUNS = frozenset(["i", "he", "she", "we", "they", "you", "it"])
FUNCTION_WORDS = frozenset(
    ["of", "in", "on", "at", "to", "for", "with", "from", "by", "and", "or", "the", "a", "an",
     "as", "near", "during", "after", "before", "about", "into", "over", "under", "between"])
_VERB_ENDINGS = ("ed", "ing")  # "-s" marks plural nouns as often as verbs
PARTICIPLES = frozenset(form for form in IRREGULAR if form.endswith("en")) | {"done", "gone"}
AUXILIARIES = frozenset(
    ["is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "get", "got"])
DETERMINERS = frozenset(
    ["a", "an", "the", "his", "her", "its", "their", "our", "my", "your", "this", "that"])


@dataclass(frozen=True)
class Body:
    """The body's paragraphs (as the page has them) and its facts, in article order; the
    first `rows` facts are infobox rows, the rest what the text says."""

    paragraphs: list[str]
    facts: list[str]
    rows: int = 0


def body_facts(lines: list[str], title: str = "") -> Body:
    """The paragraphs and facts of a page body's lines (already Unicode-normalised)."""
    kept = [line for line in page_lines(lines) if line.casefold() != title.casefold()]
    paragraphs: list[str] = []
    facts: list[str] = []
    speakers = _speakers(kept)
    # Above the first paragraph a "Label: value" row is not a speech turn.
    first_prose = next((i for i, line in enumerate(kept)
                        if _is_text(line, speakers, strict=True)), len(kept))
    if _is_infobox(kept[:first_prose]):
        rows = _infobox_rows(kept[:first_prose], title)
        paragraphs += rows
        facts += rows
    infobox = len(facts)
    intro: str | None = None  # the sentence introducing the lines under it, until one is not
    introduced = False
    for line in kept[first_prose:]:
        if intro is not None and _is_item(line, speakers):
            item = BULLET_RE.sub("", line)
            paragraphs.append(item)
            facts.append(f"{intro} {item}")
            introduced = True
            continue
        # Nothing listed under an introduction: a paragraph that goes on from it lends it
        # its first sentence ('His last words were:' / '"Don't cry, Alfred! ..."'); else it
        # stands as it is.
        pending = intro if intro is not None and not introduced else None
        intro, introduced = None, False
        sentences: list[str] = []
        if _is_text(line, speakers):
            sentences = _turn_sentences(line, speakers)
            paragraphs.append(line)
            if pending is not None and sentences and not _turn(line, speakers):
                sentences[0], pending = f"{pending} {sentences[0]}", None
            if INTRODUCES_RE.search(line):
                intro, sentences = sentences[-1], sentences[:-1]
        if pending is not None:
            facts.append(pending)
        facts += sentences
    if intro is not None and not introduced:
        facts.append(intro)
    return Body(paragraphs, facts, infobox)


def as_read(facts: list[str]) -> list[str]:
    """Facts read one after another, as in a summary: a speaker named once a turn."""
    out: list[str] = []
    previous = None
    for fact in facts:
        speaker = SPEAKER_RE.match(fact)
        name = speaker.group(1) if speaker else None
        out.append(fact[speaker.end():] if speaker and name == previous else fact)
        previous = name
    return out


def is_question(fact: str) -> bool:
    """A fact that asks rather than states: an interviewer's question, a rhetorical one;
    also one whose "?" was lost ("Wikinews: How did you come to be involved")."""
    if speaker := SPEAKER_RE.match(fact):
        fact = fact[speaker.end():]
    inverted = bool(INVERTED_RE.match(fact))
    asks = inverted or bool(ASKING_START_RE.match(fact))
    if QUESTION_END_RE.search(fact):
        # "... we went off to college together (how do I best explain this?)": the aside
        # asks, the sentence states.
        aside = ASIDE_QUESTION_RE.search(fact)
        return asks or not (aside and fact[:aside.start()].strip())
    return inverted or (asks and not PROSE_END_RE.search(fact))


def _is_item(line: str, speakers: set[str]) -> bool:
    """A line under an introduction that lists what it announced: bulleted, or not prose."""
    return len(line.split()) <= MAX_ITEM_WORDS and (
        bool(BULLET_RE.match(line)) or not _is_text(line, speakers))


def _speakers(lines: list[str]) -> set[str]:
    """Who speaks in turns: a name before ": " that opens two lines or more. Once is a
    label ("Categories: ...", "Note: ..."), not a conversation."""
    names = Counter(m.group(1) for line in lines if (m := SPEAKER_RE.match(line)))
    return {name for name, count in names.items() if count >= MIN_TURNS}


def _turn(line: str, speakers: set[str]) -> re.Match[str] | None:
    """The speaker of a speech turn, if the line is one."""
    match = SPEAKER_RE.match(line)
    return match if match and match.group(1) in speakers else None


def _is_text(line: str, speakers: set[str], strict: bool = False) -> bool:
    """Running text: prose, a speech turn, a sentence introducing a list or broken off.
    `strict`: a turn must say something ("Bill: Yes." or "Bill: we hire nice people"), as a
    row of an infobox ("Born: June 11, 1988 (age 30) Fort Worth, Texas") does not."""
    if is_prose(line):
        return True
    if speaker := _turn(line, speakers):
        said = line[speaker.end():]
        return not strict or bool(PROSE_END_RE.search(said)) or sum(
            w.islower() for w in said.split()) >= MIN_SAID_LOWER_WORDS
    return (len(line.split()) >= 4 and bool(re.match(r"^[\W_]*[^\W_a-z]", line))
            and bool(INTRODUCES_RE.search(line) or BROKEN_OFF_RE.search(line)))


def _turn_sentences(paragraph: str, speakers: set[str]) -> list[str]:
    """The paragraph's sentences; in a speech turn each one names its speaker."""
    sentences = _with_tail(split_sentences(paragraph))
    speaker = _turn(paragraph, speakers)
    if not speaker:
        return _without_caption(sentences)
    name = speaker.group(1)
    return [sentences[0], *(f"{name}: {s}" for s in sentences[1:])]


def _with_tail(sentences: list[str]) -> list[str]:
    """A short unfinished sentence ending a paragraph is a quotation's speaker ("... in mind.
    Charles Bolden, NASA Administrator") or the words introducing what follows ("Rathbun
    stated,"): no fact of its own, it goes with the sentence before it. One that is neither
    is a heading run into the paragraph ("... (b. August 2015). Career")."""
    tail = sentences[-1] if len(sentences) > 1 else ""
    if tail and unfinished(tail) and len(tail.split()) <= MAX_TAIL_WORDS and (
            tail.endswith(",") or _is_name(tail)):
        return [*sentences[:-2], f"{sentences[-2]} {tail}"]
    return sentences


def _is_name(text: str) -> bool:
    """Two or more words, every one outside brackets capitalised: someone's name and title
    ("John Cornyn, U.S. Senator (R-Texas)"), not a heading ("Early life", "Career")."""
    named = re.sub(r"\([^()]*\)", "", text).split()
    return len(named) > 1 and all(w[:1].isupper() or not w[:1].isalpha() for w in named)


def _without_caption(sentences: list[str]) -> list[str]:
    """A photo caption, alone or glued to the paragraph under it ("The current flag of New
    Zealand. The current New Zealand flag is ..."), or a heading run into its end, is not
    part of what the paragraph says."""
    sentences = _without_credits(sentences)
    if sentences and _is_caption(sentences[0]):
        sentences = sentences[1:]
    if sentences and not PROSE_END_RE.search(sentences[-1]) and _is_caption(sentences[-1]):
        sentences = sentences[:-1]  # a heading run into the end of the paragraph: "Career"
    return sentences


def _without_credits(sentences: list[str]) -> list[str]:
    """A picture's credit run into a paragraph ("... at the bar. (2012). Image; Pacific
    Standard, provided by the owners.") is cut at its "Image;": that word, and the short
    sentence of names after it, are not facts."""
    out: list[str] = []
    skip = False
    for sentence in sentences:
        if CREDIT_WORD_RE.match(sentence):
            skip = True
        elif skip and len(sentence.split()) <= MAX_CAPTION_WORDS:
            skip = False
        else:
            out.append(sentence)
            skip = False
    return out


def _is_caption(sentence: str) -> bool:
    """A short sentence with no verb: a caption or a label, not a statement."""
    if SPEAKER_RE.match(sentence) or is_question(sentence):
        return False
    tokens = sentence.split()
    if not tokens or len(words(sentence)) > MAX_CAPTION_WORDS:
        return False
    if sentence.rstrip("\"'”’)]").endswith("!") or sentence[:1] in "\"“‘'":
        return False  # an exclamation or a quotation is said by someone
    bare = [t.strip("\"'“”‘’(),.;:!?[]") for t in tokens]
    if any(w.lower() in PRONOUNS or "n't" in w or "n’t" in w for w in bare):
        return False  # a caption names; "he", "we" and "don't" say
    return not any(_may_be_verb(w, bare[i])
                   for i, w in enumerate(bare[1:]) if w[:1].islower())


def _may_be_verb(word: str, before: str) -> bool:
    """A finite verb or one in a verb phrase: "is", "said", "wounded"; not "questions", not
    "given" without an auxiliary ("questions given to ..."), not "alleged" after "Gordon's"."""
    lowered = before.lower()
    if word in PARTICIPLES:
        return lowered in AUXILIARIES
    if word in _FINITE:
        return True
    if lowered in DETERMINERS or lowered.endswith(("'s", "’s")):
        return False  # "the alleged tomb": an adjective
    if (before.endswith("s") and not before.endswith("ss") and before.isalpha()
            and before.islower()
            and word.isalpha() and len(word) > 2 and word not in FUNCTION_WORDS):
        return True  # "timelines show", "developers face": a plural subject's verb
    return word.isalpha() and len(word) > 3 and word.endswith(_VERB_ENDINGS)


def _is_infobox(lines: list[str]) -> bool:
    """Short lines above the first paragraph are an infobox when enough of them hold a value
    (a number, or "Label: value"); a page's menus and share buttons do not."""
    return sum(bool(re.search(r"\d|\w: \S", line)) for line in lines) >= MIN_INFOBOX_ROWS


def _infobox_rows(lines: list[str], title: str) -> list[str]:
    """An infobox's rows as facts: "Bats: Left"; a label alone ("MLB debut") before each
    row under it that has no label of its own; the picture's caption left out."""
    rows: list[str] = []
    label: str | None = None
    used = False
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if i == 0 and _names_subject(line, title):
            continue  # "Holt with the Boston Red Sox": the infobox picture's caption
        labelled = _is_label(line) and bool(following) and not _is_label(following)
        if (labelled or ":" in line) and label is not None and not used:
            rows.append(label)  # a label with no row of its own under it is a value
        if labelled:
            label, used = line, False
        elif ":" in line or label is None:
            rows.append(line)
            label = None
        else:
            rows.append(f"{label}: {line}")
            used = True
    return rows


def _is_label(line: str) -> bool:
    """A row label standing alone: a few words, no digits, no value after a colon."""
    return (len(line.split()) <= MAX_LABEL_WORDS and not re.search(r"[\d:]", line)
            and not line.endswith((".", "!", "?")))


def _names_subject(line: str, title: str) -> bool:
    """A caption of the subject's picture: "<one of the title's words> in/with/at ...".."""
    parts = line.split()
    return (len(parts) > 1 and parts[0].strip(",") in title.split()
            and parts[1].islower())
