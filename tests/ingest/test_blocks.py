"""Facts from a body's lines: a paragraph's short unfinished tail stays with a fact."""

from __future__ import annotations

import pytest

from bot.ingest.blocks import body_facts

LEAD = "This was a very difficult decision, but one that was made with the public in mind."
QUOTE = "In the end, these choices give the greatest number of people the best chance."


@pytest.mark.parametrize("tail", ["Charles Bolden, NASA Administrator", "Rathbun stated,"])
def test_a_speaker_or_the_words_before_a_quotation_go_with_the_fact_before(tail: str) -> None:
    # The sentence splitter keeps the tail apart, as GUM does; alone it would be a fact
    # saying nothing, and the quotation's fact would lose who said it.
    body = body_facts(["The shuttles will go to four museums.", f"{LEAD} {QUOTE} {tail}"])
    assert body.facts[-1] == f"{QUOTE} {tail}"
    assert tail not in body.facts


def test_a_heading_run_into_a_paragraph_is_not_joined_to_its_last_fact() -> None:
    body = body_facts([f"{LEAD} {QUOTE} Early life"])
    assert body.facts[-1] == QUOTE
