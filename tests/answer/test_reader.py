"""The reader (bot/answer/reader.py): the fine-tuned cross-encoder, run with numpy, and what
a person notices of it on the shipped articles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from engines import require_embeddings

from bot.answer.embeddings import model_dir
from bot.answer.reader import (
    CALIBRATION_FILE,
    Reader,
    calibration,
    candidate_text,
    shared_reader,
)
from bot.answer.weights import WeightsError
from bot.service import NewsService
from bot.store.conversation import ConversationStore


@pytest.fixture(scope="module")
def reader() -> Reader:
    require_embeddings()
    folder = model_dir()
    assert folder is not None
    return Reader(folder)


@pytest.fixture
def service(tmp_path: Path, articles_dir: Path) -> NewsService:
    """The shipped articles answered with the reader (READER=1)."""
    require_embeddings()
    news = NewsService(tmp_path / "kb.sqlite3", articles_dir,
                       conversations=ConversationStore(tmp_path / "talk.sqlite3"), reader=True)
    news.ensure_loaded()
    return news


def test_pairs_read_together_score_as_read_alone(reader: Reader) -> None:
    """Batching pads pairs of different lengths: padding must not change a score."""
    question = "How many people were wounded when the crane fell?"
    candidates = [candidate_text("The crane fell, killing 107 people and wounding 238.",
                                 "Crane collapse kills 107 at Mecca's Grand Mosque", ""),
                  candidate_text("Saudi officials said.", "Crane collapse", ""),
                  candidate_text("A long sentence " * 30, "A title", "The sentence before.")]
    together = reader.scores(question, candidates)
    alone = [reader.scores(question, [c])[0] for c in candidates]
    np.testing.assert_allclose(together, alone, atol=1e-3)


def test_the_answering_sentence_outscores_one_that_only_shares_words(reader: Reader) -> None:
    title = "Crane collapse kills 107 at Mecca's Grand Mosque"
    answer, decoy = reader.scores("How many people were hurt when the crane fell?", [
        candidate_text("A crane fell into the Grand Mosque, killing 107 and wounding 238.",
                       title, ""),
        candidate_text("The crane was one of several working on the mosque's expansion.",
                       title, "")])
    assert answer > decoy


def test_the_reader_graph_scores_as_numpy_does(reader: Reader) -> None:
    """The reader runs from its graph in onnxruntime (bench.quantize), made from the shipped
    weights: the logits are numpy's, float rounding aside."""
    title = "Crane collapse kills 107 at Mecca's Grand Mosque"
    question = "How many people were hurt when the crane fell?"
    candidates = [candidate_text(text, title, "") for text in (
        "A crane fell into the Grand Mosque, killing 107 and wounding 238.",
        "The crane was one of several working on the mosque's expansion.",
        "Saudi Arabia's king visited the site the next day.",
        "Heavy rain flooded the streets of the capital on Monday.")]
    in_graph = reader.scores(question, candidates)
    in_numpy = Reader(model_dir(), graph=False).scores(question, candidates)
    np.testing.assert_allclose(in_graph, in_numpy, atol=1e-3)
    assert in_graph.argmax() == 0


def test_the_cached_reader_gives_the_readers_scores(reader: Reader) -> None:
    cached = shared_reader()
    assert cached is not None
    question = "Who was sentenced to death?"
    candidates = ["In 2019, Zhang was sentenced to death. | Spies | ", "The sky is blue. | x | "]
    first = cached.scores(question, candidates)
    np.testing.assert_allclose(first, reader.scores(question, candidates), atol=1e-4)
    assert cached.scores(question, list(reversed(candidates))) == list(reversed(first))


def test_a_calibration_weighing_an_unknown_signal_is_refused(tmp_path: Path) -> None:
    data = json.loads(CALIBRATION_FILE.read_text())
    data["model"]["weights"]["mood"] = 1.0
    broken = tmp_path / "reader_fit.json"
    broken.write_text(json.dumps(data))
    with pytest.raises(WeightsError, match="mood"):
        calibration(broken)
    assert 0 < calibration().threshold < 1


def test_a_question_naming_another_story_switches_to_it(service: NewsService) -> None:
    """"hajj stampede", typed in lower case, names nothing, yet Zhang's story never says it:
    the question is tried alone and answered from the stampede article, not from Zhang's
    death sentence ("death" ~ "died")."""
    service.ask("who is zhang xiangbin", conversation="a")
    service.ask("what did he take?", conversation="a")
    stampede = service.ask("how many people died in the hajj stampede?", conversation="a")
    assert stampede.answered
    assert "stampede" in stampede.facts[0].article_title.lower()


def test_the_lede_answers_how_many_were_wounded(service: NewsService) -> None:
    answer = service.ask("How many people were wounded in the Mecca crane collapse?")
    assert answer.answered
    assert "238" in answer.facts[0].text
