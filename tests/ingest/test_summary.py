"""An article's summary: its lead, never a quotation left open."""

from __future__ import annotations

from bot.ingest.summary import summarize

LEDE = "A storm caused a crane to fall into the Grand Mosque, killing 107 and wounding 238."
OPENS = 'The director said "All those who were wounded have been taken to hospital.'
CLOSES = 'There are no casualties left at the location."'
AFTER = "The mosque reopened on Sunday."


def test_a_quotation_cut_at_its_sentence_ends_is_summarised_whole() -> None:
    assert summarize([LEDE, OPENS, CLOSES, AFTER]) == f"{LEDE} {OPENS} {CLOSES}"


def test_a_quotation_too_long_for_the_summary_is_left_out_not_cut() -> None:
    long_close = " ".join(["The families were told the news at the scene."] * 8) + '"'
    assert summarize([LEDE, OPENS, long_close, AFTER]) == LEDE


def test_the_lead_is_two_sentences_when_they_fit() -> None:
    assert summarize([LEDE, AFTER, CLOSES]) == f"{LEDE} {AFTER}"
