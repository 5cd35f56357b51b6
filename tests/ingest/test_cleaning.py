"""Cleaning works by rules (captions, bylines, timestamps, repeats, chrome), not by one file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest.articles import read_articles
from bot.ingest.cleaning import clean_paragraphs

PAGE = """World

Floods force thousands from homes in northern Italy after record rain

By Maria Rossi and Luca Bianchi
Published: 14 May 2024, 10:32 GMT
Updated 3 hours ago

Share this article
Facebook
Twitter

Thousands of people were evacuated from their homes in northern Italy on Tuesday after \
record rainfall caused rivers to burst their banks.

Rescue workers in Emilia-Romagna use boats to reach stranded residents. Photo: Reuters

The regional government said more than 300 mm of rain had fallen in 36 hours, the most \
since records began in 1920.

ADVERTISEMENT

“We have never seen anything like this,” said Giulia Ferri, the mayor of a small town near \
Bologna.

02:14

Italy floods: drone footage shows scale of damage

Italy floods: drone footage shows scale of damage

Emergency services said at least 12 people had died and many more were missing.

Sign up for our daily newsletter

Copyright © 2024 Example News. All rights reserved.
Related Topics
Italy
Europe
Comments (12)
Join the conversation
"""
PROSE = [
    "Thousands of people were evacuated from their homes in northern Italy on Tuesday after "
    "record rainfall caused rivers to burst their banks.",
    "The regional government said more than 300 mm of rain had fallen in 36 hours, the most "
    "since records began in 1920.",
    "“We have never seen anything like this,” said Giulia Ferri, the mayor of a small town "
    "near Bologna.",
    "Emergency services said at least 12 people had died and many more were missing.",
]


def test_another_sites_page_comes_out_clean(tmp_path: Path) -> None:
    path = tmp_path / "floods.txt"
    path.write_text(PAGE, "utf-8")
    (article,) = read_articles(path, tmp_path)
    assert article.section == "World"
    assert article.title == (
        "Floods force thousands from homes in northern Italy after record rain"
    )
    assert article.date == "2024-05-14"
    assert [fact.text for fact in article.facts] == PROSE


BODY = "The council approved the new budget for the harbour bridge on Monday."
JUNK = {
    "photo_credit": "Rescue workers reach stranded residents. Photo: Reuters",
    "image_credit": "The first robotics competition was held this week. Image: US Navy.",
    "getty_credit": "Crowds gather in the main square on Sunday. Picture: Getty Images",
    "audio_credit": "Full interview with the curator of the exhibition. Audio: Jkthom.",
    "video_credit": "Opening night of the exhibit at the university. Video: Staff.",
    "semicolon_credit": "A cartoon by the artist Zach Weiner. 2012. Image; Zach Weiner.",
    "byline": "By Maria Rossi and Luca Bianchi",
    "reporting_byline": "Reporting by Jane Smith; editing by Tom Brown",
    "timestamp": "05:29",
    "long_timestamp": "1:02:45",
    "copyright": "Copyright © 2024 Example News. All rights reserved.",
    "copyright_sign": "© 2023 The Daily Example",
    "menu_item": "Leave a Reply",
    "headline": "Italy floods: drone footage shows scale of damage",
    "shout": "READ SOURCE",
    "newsletter": "Sign up for our daily newsletter.",
    "click_here": "Click here to read the full report.",
    "follow_us": "Follow us on Twitter for the latest news.",
    "continue_reading": "Continue reading the main story.",
    "watch_label": "Watch: Drone footage shows the scale of the damage.",
}


@pytest.mark.parametrize("line", JUNK.values(), ids=JUNK.keys())
def test_page_furniture_is_dropped_and_prose_kept(line: str) -> None:
    assert clean_paragraphs([BODY, line]) == [BODY]


def test_a_line_repeated_on_the_page_is_dropped_even_if_it_reads_as_prose() -> None:
    repeated = "Read more stories about the floods in our special report today."
    assert clean_paragraphs([repeated, BODY, repeated]) == [BODY]


@pytest.mark.parametrize("line", [
    "The court ruled on a copyright case brought by three photographers last year.",
    "The photo editor, who asked not to be named, said the images were real.",
    "By the end of the year, the company had sold 5,000 cars in Europe.",
    "“It is over,” - Matthew Ingram",
    "Subscribers to the service will pay 10 dollars more from March, the company said.",
    "Readers wrote in to complain that the new layout was hard to follow us all the way.",
])
def test_prose_that_resembles_junk_is_kept(line: str) -> None:
    assert clean_paragraphs([line]) == [line]


def test_tokenised_spacing_is_repaired() -> None:
    line = "The six - member team , which won , was ( briefly ) famous ."
    assert clean_paragraphs([line]) == ["The six-member team, which won, was (briefly) famous."]


def test_a_paragraph_with_a_ragged_end_is_kept() -> None:
    # Dropping such paragraphs whole lost the answers to 4% of the XQuAD questions.
    paragraph = ("Tesla was renowned for his achievements and showmanship. In his article "
                 '"A Machine to End War", published in 1937, he described a weapon and '
                 "wrote at length about what it would do to warfare. He stated:")
    assert clean_paragraphs([paragraph]) == [paragraph]


def test_a_short_headline_without_a_full_stop_is_still_dropped() -> None:
    headline = "Tesla's war machine: what he wrote in 1937 and why it matters now"
    assert clean_paragraphs([BODY, headline]) == [BODY]


@pytest.mark.parametrize(("line", "clean"), [
    ("The fleet was retired in 1998.[citation needed]", "The fleet was retired in 1998."),
    ("The fleet was retired in 1998.[12][13]", "The fleet was retired in 1998."),
    ("The engine used 4 kg of steam per kWh.[not in citation given]",
     "The engine used 4 kg of steam per kWh."),
    ("The answer most often given is string theory.:212–219",
     "The answer most often given is string theory."),
    ("He financed his projects with varying success.:121,154 He lived in hotels.",
     "He financed his projects with varying success. He lived in hotels."),
    ("Planning,[citation needed] design and financing come first.",
     "Planning, design and financing come first."),
])
def test_reference_marks_are_removed(line: str, clean: str) -> None:
    assert clean_paragraphs([line]) == [clean]


@pytest.mark.parametrize("line", [
    "He said [the minister] was wrong about the budget.",
    "The meeting started at 10:30 and the vote went 3:1 in favour.",
])
def test_brackets_and_colons_that_are_text_are_kept(line: str) -> None:
    assert clean_paragraphs([line]) == [line]
