"""The sentence splitter cuts at sentence ends only: not in abbreviations, numbers or quotes.

Every test runs with each raw splitter installed here (blingfire where it has a wheel, and
syntok): the repairs on top must make both give these splits.
"""

from __future__ import annotations

import functools
import os
import platform
from collections.abc import Callable

import pytest

from bot.ingest.articles import PARSER_VERSION
from bot.ingest.sentences import SPLITTER, SPLITTERS, split_sentences

Split = Callable[[str], list[str]]


@pytest.fixture(params=sorted(SPLITTERS))
def split(request: pytest.FixtureRequest) -> Split:
    return functools.partial(split_sentences, splitter=request.param)

WHOLE = {
    "abbreviations": "The U.S. President met Dr. Smith and Mr. Key at 10 a.m. on Monday.",
    "thousands": "Before leaving, he took 5,200 files and documents, many of them secret.",
    "currency": "The referendums will cost an estimated NZ $ 26 million, officials said.",
    "decimals": "Prices rose 3.5 per cent while pi stayed at 3.14159 all year.",
    "double_quotes": '"We will go to the city tomorrow," he said.',
    "curly_quotes": "“We will go to the city tomorrow,” he said.",
    "single_curly_quotes": "He said ‘Stop now’ and left the room.",
    "semicolon": "Moreau's father was French; her mother was English, from Oldham.",
    "place_abbreviation": "The St. Louis team won the final 3-1 on Sunday.",
}


@pytest.mark.parametrize("sentence", WHOLE.values(), ids=WHOLE.keys())
def test_sentence_is_not_cut(split: Split, sentence: str) -> None:
    assert split(sentence) == [sentence]


@pytest.mark.parametrize("sentence", WHOLE.values(), ids=WHOLE.keys())
def test_sentence_is_cut_from_the_next_one(split: Split, sentence: str) -> None:
    assert split(f"{sentence} Then it rained.") == [sentence, "Then it rained."]


def test_questions_and_exclamations_end_sentences(split: Split) -> None:
    assert split("Is it true? Yes! It is.") == ["Is it true?", "Yes!", "It is."]


def test_apostrophes_do_not_open_quotes(split: Split) -> None:
    text = "China’s agency said ‘no’. The ministers’ plan failed. It is over."
    assert split(text) == [
        "China’s agency said ‘no’.", "The ministers’ plan failed.", "It is over.",
    ]


def test_a_stray_quote_mark_does_not_glue_a_whole_paragraph(split: Split) -> None:
    sentence = "The committee met again on Tuesday to discuss the budget and the schools."
    text = '"Stray quote. ' + " ".join([sentence] * 30)
    assert len(split(text)) > 2


def test_empty_paragraph_has_no_sentences(split: Split) -> None:
    assert split("   ") == []


def test_a_dashed_speaker_stays_with_the_quotation(split: Split) -> None:
    text = '"So far, it is the Internet: 1, Scientology: 0. But it is a long game." - Matt Ingram'
    assert split(text) == [text]


def test_negative_contractions_are_kept_as_written(split: Split) -> None:
    text = "She wasn't 'forced' to be there. They won't go. It isn’t over."
    assert split(text) == [
        "She wasn't 'forced' to be there.", "They won't go.", "It isn’t over.",
    ]


@pytest.mark.parametrize("sentence", [
    "The letter was signed by Rev. Paul T. Stallsworth, president of the taskforce.",
    "Members must meet the terms of the Mental Health (Care and Treatment) (Scotland) Act 2003.",
])
def test_a_title_or_a_bracketed_name_does_not_cut_a_sentence(split: Split, sentence: str) -> None:
    assert split(f"{sentence} The vote followed.") == [sentence, "The vote followed."]


@pytest.mark.parametrize("tail", ["Valeska Paris", "John Cornyn, U.S. Senator (R-Texas)",
                                  "Rathbun stated,"])
def test_a_short_unfinished_tail_is_a_sentence_of_its_own(split: Split, tail: str) -> None:
    # GUM_news_nasa, GUM_news_defector: GUM's annotators keep the speaker's name, and the
    # words introducing a quotation, as sentences; the facts join them (tests/ingest/test_blocks).
    first = "The hearing was delayed again."
    second = "I needed to disconnect from her because she was suppressive."
    assert split(f"{first} {second} {tail}") == [first, second, tail]


@pytest.mark.parametrize(("text", "sentences"), [
    ("The game ended. Dr. Smith left. Mr. Jones stayed.",
     ["The game ended.", "Dr. Smith left.", "Mr. Jones stayed."]),
    ("The chairs were Rajendra K. Pachauri, elected in 2002; Robert Watson in 1997.",
     ["The chairs were Rajendra K. Pachauri, elected in 2002; Robert Watson in 1997."]),
    ("There were 1,388 partnerships. 35,064 households were made up of individuals.",
     ["There were 1,388 partnerships.", "35,064 households were made up of individuals."]),
    ("It ended. St. Louis won the game.", ["It ended.", "St. Louis won the game."]),
], ids=["title_after_a_sentence", "semicolon", "number_opens_a_sentence", "saint"])
def test_both_splitters_cut_alike(split: Split, text: str,
                                             sentences: list[str]) -> None:
    assert split(text) == sentences


@pytest.mark.parametrize("sentence", [
    "After the decision in the case Brown v. Board of Education, families organised schools.",
    "2. This method of welding and cutting metal later became common.",
    "It cost approx. 5 million dollars (Portuguese: Amazônia; Spanish: Amazonía) to build.",
], ids=["versus", "list_number", "abbreviation_and_brackets"])
def test_cases_blingfire_cuts_stay_whole(split: Split, sentence: str) -> None:
    assert split(sentence) == [sentence]


def test_blingfire_is_used_where_it_has_a_wheel() -> None:
    """Under CI on x86-64 the faster splitter must be installed and chosen."""
    if not (os.environ.get("CI") and platform.machine() in ("x86_64", "AMD64")):
        pytest.skip("checked under CI on x86-64")
    assert SPLITTER == "blingfire"


def test_the_parser_version_names_the_splitter() -> None:
    """Installing or removing blingfire re-reads every file: the splits may differ."""
    assert PARSER_VERSION.endswith(f"-{SPLITTER}")


# Issue 23: cuts that split a sentence of the GUM texts (bench.sentences measures the rest).
@pytest.mark.parametrize("sentence", [
    # GUM_bio_goode: "(b." was a fact of its own, ending "March 2009) and ... (b."
    "They have two daughters, Matilda Eve Goode (b. March 2009) and Teddie Eleanor Rose Goode "
    "(b. September 2013), and a son, Ralph Goode (b. August 2015).",
    # GUM_bio_moreau: an ellipsis inside a film's title, and a title's "?" a bracket goes on from
    "She won the Cannes Film Festival Award for Best Actress for Seven Days ... Seven Nights "
    "(1960), the BAFTA Award for Best Foreign Actress for Viva Maria! (1965).",
    "She began playing small roles in films in 1949, with impressive performances in the "
    "Fernandel vehicle Meurtres? (Three Sinners, 1950) and alongside Jean Gabin.",
    "Moreau married Jean-Louis Richard (m. 1949; div. 1951) and later William Friedkin.",
    "Norton I, Emperor of the United States, was photographed c. 1871 in San Francisco.",
    "He wore shirt No. 12 for the Boston Red Sox from 2013.",
], ids=["born", "title_ellipsis", "title_question", "married", "circa", "number"])
def test_an_abbreviation_or_a_title_does_not_cut_a_sentence(split: Split, sentence: str) -> None:
    assert split(f"{sentence} The vote followed.") == [sentence, "The vote followed."]


def test_an_ellipsis_in_running_text_still_ends_a_sentence(split: Split) -> None:
    text = "It varies; look around rents, look around advertising ... What's your greatest cost?"
    assert split(text) == ["It varies; look around rents, look around advertising ...",
                           "What's your greatest cost?"]


def test_a_quotation_that_ends_its_sentence_is_cut_at_its_own_sentence_ends(split: Split) -> None:
    # GUM_news_nasa: one fact held three sentences; GUM, and a reader, see three.
    first = '"This was a very difficult decision, but one that was made with the public in mind.'
    second = "In the end, these choices give the greatest number of people the best chance."
    third = 'These facilities have a noteworthy legacy of preserving space artifacts."'
    assert split(f"{first} {second} {third}") == [first, second, third]


def test_a_closing_quote_mark_does_not_open_a_quotation(split: Split) -> None:
    # GUM_news_soccer: the end of a long quotation must not glue itself to the next sentence.
    opening = '"We could have scored two or three goals in the first half.'
    middle = " ".join(["We had chances and we did not take them, and they punished us."] * 9)
    closing = 'We could have put the game to bed early."'
    after = 'After the match, the coach said, "We were playing a strong team," and left.'
    sentences = split(f"{opening} {middle} {closing} {after}")
    assert sentences[-2:] == [closing, after]


@pytest.mark.parametrize(("text", "sentences"), [
    ("My first attempt was a website called eHow. eHow was the largest in the world.",
     ["My first attempt was a website called eHow.", "eHow was the largest in the world."]),
    ("The memorial is in the cemetery of Bourg-la-Reine. Évariste Galois was buried there.",
     ["The memorial is in the cemetery of Bourg-la-Reine.", "Évariste Galois was buried there."]),
], ids=["lower_case_brand", "accented_capital"])
def test_a_sentence_start_the_raw_splitters_miss_is_cut(split: Split, text: str,
                                                        sentences: list[str]) -> None:
    assert split(text) == sentences


def test_a_quotation_is_cut_at_its_own_sentence_ends(split: Split) -> None:
    # GUM_news_iodine, GUM_news_korea: GUM cuts a quotation at its sentence ends, also when
    # its speaker follows; keeping it whole agreed with fewer of GUM's sentences.
    text = '"We will go to the city tomorrow. We will stay for a week," he said.'
    assert split(text) == ['"We will go to the city tomorrow.',
                           'We will stay for a week," he said.']


@pytest.mark.parametrize(("text", "sentences"), [
    ("We used it to become carbon neutral. (http://www.example.com/carbon) It worked.",
     ["We used it to become carbon neutral.", "(http://www.example.com/carbon)", "It worked."]),
    ("The site ranks 135th in the US. (http://www.example.com). wikiHow grew for two reasons.",
     ["The site ranks 135th in the US.", "(http://www.example.com).",
      "wikiHow grew for two reasons."]),
    ("We kept notes on travel, field work, etc. Review took about four months.",
     ["We kept notes on travel, field work, etc.", "Review took about four months."]),
    ("Peres: No, no. Forget memory.", ["Peres: No, no.", "Forget memory."]),
    ("It is a little like Achilles and the turtle. ... love story and romance interested me.",
     ["It is a little like Achilles and the turtle.",
      "... love story and romance interested me."]),
    ("Ideas were sent to www.standfor.co.nz. Names of participants would be engraved.",
     ["Ideas were sent to www.standfor.co.nz.", "Names of participants would be engraved."]),
    ("I am disappointed with the decision.“ However, the centre will get seats.",
     ["I am disappointed with the decision.“", "However, the centre will get seats."]),
], ids=["bracket", "bracket_then_brand", "etc", "no", "ellipsis", "web_address", "curly_mark"])
def test_a_sentence_end_both_splitters_miss_is_cut(split: Split, text: str,
                                                   sentences: list[str]) -> None:
    assert split(text) == sentences


def test_a_year_in_brackets_stays_with_its_sentence(split: Split) -> None:
    text = "The owner displays the drink at the bar. (2012)."
    assert split(text) == [text]


@pytest.mark.parametrize(("text", "sentences"), [
    ("DAB's Elizabeth Quat In the East constituency, three councillors were elected.",
     ["DAB's Elizabeth Quat", "In the East constituency, three councillors were elected."]),
    ("Every month the site gets better and larger We currently have 50000 articles.",
     ["Every month the site gets better and larger", "We currently have 50000 articles."]),
    ('She appeared in "Adam vs. Eve" She played a banana in another episode.',
     ['She appeared in "Adam vs. Eve"', "She played a banana in another episode."]),
], ids=["caption", "lost_full_stop", "lost_citation_mark"])
def test_a_sentence_start_without_a_full_stop_is_cut(split: Split, text: str,
                                                     sentences: list[str]) -> None:
    # GUM_news_election, GUM_interview_herrick, GUM_bio_marbles: captions and lines run together.
    assert split(text) == sentences


@pytest.mark.parametrize("sentence", [
    "The film She Said was released in 2022 and the band We Are Scientists played.",
    "He read Lost In Space, and It Happened One Night was on television.",
    "Three works appeared in 1520: To the Nobility, and On the Freedom of a Christian.",
    "In On the Abrogation of the Private Mass, he condemned the Mass as idolatry.",
])
def test_a_capitalised_pronoun_in_a_title_does_not_cut(split: Split, sentence: str) -> None:
    assert split(sentence) == [sentence]
