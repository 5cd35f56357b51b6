"""bench.sentences scores a GUM sentence only when the loader keeps it exactly: both ends, no
cut inside; text only the loader has (a speaker's name) may hold its boundary."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.datasets import GUM_DEV
from bench.sentences import DATA, Alignment, Spans, measure, read_data
from bench.splitters import file_paragraphs, kept_paragraphs

GUM = ["A cat sat.", "It purred.", "Then it slept on the mat."]


def verdicts(loader: list[str], gum: list[str] = GUM) -> list[tuple[bool, bool, bool]]:
    alignment = Alignment(Spans(gum), Spans(loader))
    return [(v.scored, v.joined, v.cut) for v in map(alignment.verdict, range(len(gum)))]


def test_the_same_sentences_agree_whatever_the_spacing() -> None:
    assert verdicts(["A cat sat .", "It purred .", "Then it slept on the mat ."]) == [
        (True, False, False)] * 3


def test_a_joined_pair_and_a_cut_sentence_disagree() -> None:
    assert verdicts(["A cat sat. It purred.", "Then it slept", "on the mat."]) == [
        (True, True, False), (True, True, False), (True, False, True)]


def test_a_speakers_name_before_a_sentence_holds_its_boundary() -> None:
    assert verdicts(["Bill: A cat sat.", "Bill: It purred.", "Then it slept on the mat."]) == [
        (True, False, False)] * 3


def test_a_sentence_the_loader_dropped_is_not_scored() -> None:
    assert verdicts(["A cat sat.", "Then it slept on the mat."])[1] == (False, False, False)


@pytest.mark.skipif(not GUM_DEV.is_dir(), reason="the shared corpus is not beside this clone")
def test_the_loader_agrees_with_most_of_gums_sentence_boundaries() -> None:
    """A floor under today's figure (docs/BENCHMARKS.md): a change to the splitting or the
    cleaning that loses GUM's sentences fails here."""
    report, _ = measure(read_data(DATA)["documents"])
    assert report["pooled"]["scored"] > 2000
    assert report["pooled"]["share"] >= 0.97


def test_kept_paragraphs_hold_the_short_turns_the_prose_leaves_out(tmp_path: Path) -> None:
    path = tmp_path / "interview.txt"
    path.write_text("An interview\n\nWikinews: Is First Corinthians 9:25 the verse you chose?\n\n"
                    "Isabel Ruiz: Yes.\n\nWikinews: And what did you do with it after that?\n\n"
                    "Isabel Ruiz: We printed it on the first page of the game we made.\n",
                    "utf-8")
    assert "Isabel Ruiz: Yes." in kept_paragraphs(path)
    assert "Isabel Ruiz: Yes." not in file_paragraphs(path)
