"""The sentence splitter cuts at sentence ends only: not in abbreviations, numbers or quotes."""

from __future__ import annotations

import pytest

from bot.sentences import split_sentences

WHOLE = {
    "abbreviations": "The U.S. President met Dr. Smith and Mr. Key at 10 a.m. on Monday.",
    "thousands": "Before leaving, he took 5,200 files and documents, many of them secret.",
    "currency": "The referendums will cost an estimated NZ $ 26 million, officials said.",
    "decimals": "Prices rose 3.5 per cent while pi stayed at 3.14159 all year.",
    "double_quotes": '"We will go. Now. Today," he said.',
    "curly_quotes": "“We will go. Now. Today,” he said.",
    "single_curly_quotes": "He said ‘Stop. Now.’ and left the room.",
    "place_abbreviation": "The St. Louis team won the final 3-1 on Sunday.",
}


@pytest.mark.parametrize("sentence", WHOLE.values(), ids=WHOLE.keys())
def test_sentence_is_not_cut(sentence: str) -> None:
    assert split_sentences(sentence) == [sentence]


@pytest.mark.parametrize("sentence", WHOLE.values(), ids=WHOLE.keys())
def test_sentence_is_cut_from_the_next_one(sentence: str) -> None:
    assert split_sentences(f"{sentence} Then it rained.") == [sentence, "Then it rained."]


def test_questions_and_exclamations_end_sentences() -> None:
    assert split_sentences("Is it true? Yes! It is.") == ["Is it true?", "Yes!", "It is."]


def test_apostrophes_do_not_open_quotes() -> None:
    text = "China’s agency said ‘no’. The ministers’ plan failed. It is over."
    assert split_sentences(text) == [
        "China’s agency said ‘no’.", "The ministers’ plan failed.", "It is over.",
    ]


def test_a_stray_quote_mark_does_not_glue_a_whole_paragraph() -> None:
    sentence = "The committee met again on Tuesday to discuss the budget and the schools."
    text = '"Stray quote. ' + " ".join([sentence] * 30)
    assert len(split_sentences(text)) > 2


def test_empty_paragraph_has_no_sentences() -> None:
    assert split_sentences("   ") == []


def test_a_dashed_speaker_stays_with_the_quotation() -> None:
    text = '"So far, it is the Internet: 1, Scientology: 0. But it is a long game." - Matt Ingram'
    assert split_sentences(text) == [text]


def test_negative_contractions_are_kept_as_written() -> None:
    text = "She wasn't 'forced' to be there. They won't go. It isn’t over."
    assert split_sentences(text) == [
        "She wasn't 'forced' to be there.", "They won't go.", "It isn’t over.",
    ]


@pytest.mark.parametrize("sentence", [
    "The letter was signed by Rev. Paul T. Stallsworth, president of the taskforce.",
    "Members must meet the terms of the Mental Health (Care and Treatment) (Scotland) Act 2003.",
])
def test_a_title_or_a_bracketed_name_does_not_cut_a_sentence(sentence: str) -> None:
    assert split_sentences(f"{sentence} The vote followed.") == [sentence, "The vote followed."]


@pytest.mark.parametrize("tail", ["Valeska Paris", "John Cornyn, U.S. Senator (R-Texas)",
                                  "Rathbun stated,"])
def test_a_short_unfinished_tail_stays_with_its_sentence(tail: str) -> None:
    # A quotation's speaker or the words before a quotation are not a fact of their own.
    first = "The hearing was delayed again."
    second = "I needed to disconnect from her because she was suppressive."
    assert split_sentences(f"{first} {second} {tail}") == [first, f"{second} {tail}"]
