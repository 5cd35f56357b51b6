"""Repairing a tokeniser's spacing changes spacing only: the words and marks stay as written.

Issue 23's examples, through the loader's cleaning (clean_paragraphs, which calls fix_spacing):
"batted .292" had become "batted.292", "360 - 366" "360–366", "£160m - will" "£160m-will",
and "Seven Days ... Seven Nights" "Seven Days... Seven Nights".
"""

from __future__ import annotations

import pytest

from bot.ingest.cleaning import clean_paragraphs


@pytest.mark.parametrize("line", [
    "In 24 games, Holt batted .292 with a triple and 3 RBI.",
    "He was not baptized until about 360 - 366, when he had gone to Rome with Bonosus.",
    "The club's new owners - who paid £160m - will decide on the manager this week.",
    "She won the Cannes award for Best Actress for Seven Days ... Seven Nights (1960).",
    "The ozone harms crops such as wheat - or maize, soybeans and rice - in many countries.",
], ids=["decimal", "range", "amount_and_dash", "ellipsis", "dash_before_a_function_word"])
def test_written_spacing_is_kept(line: str) -> None:
    assert clean_paragraphs([line]) == [line]


@pytest.mark.parametrize(("line", "clean"), [
    ("The six - member Afghan team , which won , was ( briefly ) famous .",
     "The six-member Afghan team, which won, was (briefly) famous."),
    ("The referendums will cost an estimated NZ $ 26 million , officials said .",
     "The referendums will cost an estimated NZ $26 million, officials said."),
], ids=["compound_and_punctuation", "currency"])
def test_tokenised_spacing_is_repaired(line: str, clean: str) -> None:
    assert clean_paragraphs([line]) == [clean]
