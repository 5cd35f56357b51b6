"""Related words of news language, so a question's words find the article's other words.

"What did the court decide about Zhang?" should find "Zhang was sentenced ...": the question
and the answer share a name but no verb. Each group is one concept in news wording; a word
found only through its group counts for less than the word itself (RELATED_CREDIT). Kept
small and general on purpose: no group is written for a particular article or question.
"""

from __future__ import annotations

from functools import cache

from bot.text.words import stem

RELATED_CREDIT = 0.6
MAX_RELATED = 8  # per question word, to keep the FTS query short

GROUPS = (
    "court judge trial verdict decide decision sentence sentenced convicted acquitted "
    "jailed prison guilty",
    "die died dead death deaths kill killed killing fatal fatalities victims",
    "injure injured injuries wound wounded hurt casualties",
    "collapse collapsed fall fell crash crashed toppled",
    "warn warned warning caution alert threat",
    "steal stole stolen theft spy spying espionage",
    "cost price paid pay fund funding budget spend spent",
    "win won winner victory champion medal prize award awarded",
    "lose lost defeat defeated",
    "election elected vote voted voters poll referendum ballot",
    "arrest arrested detain detained custody",
    "leader president minister premier chancellor",
    "company firm business corporation",
    "country nation",
    "begin began start started launch launched open opened",
    "end ended finish finished close closed",
    "build built construct constructed construction",
    "say said announce announced told stated",
    "increase increased rise rose grow grew growth",
    "decrease decreased drop dropped decline declined",
    "children child kids young youth teenagers students",
    "storm rain wind winds weather",
    "fire blaze burn burned",
    "study research researchers scientists survey",
    "law legislation act bill regulation rules",
    "ship boat vessel",
    "flee fled escape escaped refugees asylum migrants",
    "doctor doctors physician hospital medical",
    "car cars vehicle vehicles",
    "money dollars million billion",
)


@cache
def _by_stem() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for group in GROUPS:
        members = group.split()
        for word in members:
            table.setdefault(stem(word), []).extend(w for w in members if stem(w) != stem(word))
    return {key: tuple(dict.fromkeys(words))[:MAX_RELATED] for key, words in table.items()}


def related(word: str) -> tuple[str, ...]:
    """Words of the same concept as `word` (not its own inflections), most common first."""
    return _by_stem().get(stem(word), ())
