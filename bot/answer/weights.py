"""The fitted models of the rank score and the confidence, read from bot/answer/weights.json.

`python -m bench.fit` writes that file; nothing is copied by hand, so the numbers the bot
uses are the ones the fit printed, with what they were fitted on. It is read once, when
bot/answer/scoring.py is imported, and refused loudly when it is missing, malformed or names a
feature the engine does not compute: a renamed feature must not silently weigh zero.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

WEIGHTS_FILE = Path(__file__).with_name("weights.json")
REFIT = "refit with `python -m bench.fit`"


class WeightsError(RuntimeError):
    """The weights file cannot be used; the message names the file and the reason."""


def linear(weights: Mapping[str, float], features: Mapping[str, float],
           bias: float = 0.0) -> float:
    """w . x + b over named features; a weighed feature the engine did not compute is a
    KeyError naming it, not a silent zero."""
    return bias + sum(weights[name] * features[name] for name in weights)


def sigmoid(x: float) -> float:
    """Logistic function: maps the confidence model's score to a probability."""
    if x < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class ConfidenceModel:
    """A fitted confidence (logistic weights and bias) and the refusal threshold chosen on it:
    a threshold belongs to the model it was measured with, not to the engine."""

    weights: dict[str, float]
    bias: float
    threshold: float  # below it: "not in my articles"

    def confidence(self, features: Mapping[str, float]) -> float:
        """The probability that the top fact answers the question."""
        return sigmoid(linear(self.weights, features, self.bias))


@dataclass(frozen=True)
class FittedOn:
    """What a fit saw: the XQuAD file (relative to the shared folder, bench.datasets.SHARED)
    and its sha256, the commit of the code (dirty: with uncommitted changes) and the day."""

    data: str
    sha256: str
    commit: str
    dirty: bool
    date: str


@dataclass(frozen=True)
class Weights:
    """Everything bench.fit fits: rank weights over the candidate features, the weight of the
    embedding cosine added to the rank score, and a confidence model with and without it."""

    rank: dict[str, float]
    semantic_weight: float
    lexical: ConfidenceModel
    semantic: ConfidenceModel
    fitted_on: FittedOn

    def to_json(self) -> str:
        """The file's text; keys keep their order, which is the order `linear` adds in."""
        data = asdict(self)
        data["confidence"] = {"lexical": data.pop("lexical"), "semantic": data.pop("semantic")}
        data["fitted_on"] = data.pop("fitted_on")
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def load(path: Path, features: Mapping[str, frozenset[str]]) -> Weights:
    """The weights file at `path`, each model checked against the feature names the engine
    computes for it (`features` by model: "rank", "lexical", "semantic")."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WeightsError(f"{path} is missing: it holds the engine's fitted weights "
                           f"(shipped with the package; {REFIT})") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise WeightsError(f"{path} is unreadable or not JSON ({exc}); {REFIT}") from None
    try:
        return _weights(data, features)
    except WeightsError as exc:
        raise WeightsError(f"{path}: {exc}; {REFIT}") from None


def load_model(path: Path, known: frozenset[str], refit: str) -> ConfidenceModel:
    """One confidence model in a file of its own (the reader's calibration: {"model": ...,
    "fitted_on": ...}), checked as `load` checks the engine's: every feature it weighs is
    one the engine computes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WeightsError(f"{path} is missing; {refit}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise WeightsError(f"{path} is unreadable or not JSON ({exc}); {refit}") from None
    try:
        top = _fields(data, path.name, ("model", "fitted_on"))
        return _model(top["model"], "model", known)
    except WeightsError as exc:
        raise WeightsError(f"{path}: {exc}; {refit}") from None


def _weights(data: Any, features: Mapping[str, frozenset[str]]) -> Weights:
    top = _fields(data, "the file", ("rank", "semantic_weight", "confidence", "fitted_on"))
    confidence = _fields(top["confidence"], "confidence", ("lexical", "semantic"))
    return Weights(
        rank=_named(top["rank"], "rank", features["rank"]),
        semantic_weight=_number(top["semantic_weight"], "semantic_weight"),
        lexical=_model(confidence["lexical"], "confidence.lexical", features["lexical"]),
        semantic=_model(confidence["semantic"], "confidence.semantic", features["semantic"]),
        fitted_on=_fitted_on(top["fitted_on"]),
    )


def _model(data: Any, where: str, known: frozenset[str]) -> ConfidenceModel:
    fields = _fields(data, where, ("weights", "bias", "threshold"))
    threshold = _number(fields["threshold"], f"{where}.threshold")
    if not 0 < threshold < 1:
        raise WeightsError(f"{where}.threshold is {threshold}, not a probability in (0, 1)")
    return ConfidenceModel(_named(fields["weights"], f"{where}.weights", known),
                           _number(fields["bias"], f"{where}.bias"), threshold)


def _fitted_on(data: Any) -> FittedOn:
    fields = _fields(data, "fitted_on", ("data", "sha256", "commit", "dirty", "date"))
    for name in ("data", "sha256", "commit", "date"):
        if not isinstance(fields[name], str):
            raise WeightsError(f"fitted_on.{name} must be a string, not {fields[name]!r}")
    if not isinstance(fields["dirty"], bool):
        raise WeightsError(f"fitted_on.dirty must be true or false, not {fields['dirty']!r}")
    return FittedOn(**fields)


def _named(data: Any, where: str, known: frozenset[str]) -> dict[str, float]:
    """Weights by feature name, every name one the engine computes for this model."""
    if not isinstance(data, dict) or not data:
        raise WeightsError(f"{where} must be a non-empty object of feature weights")
    for name in data:
        if name not in known:
            raise WeightsError(f"{where} weighs feature {name!r}, which the engine does not "
                               f"compute (it computes: {', '.join(sorted(known))})")
    return {name: _number(value, f"{where}.{name}") for name, value in data.items()}


def _fields(data: Any, where: str, names: tuple[str, ...]) -> dict[str, Any]:
    """A JSON object with exactly these keys: a misspelt key is an error, not a default."""
    if not isinstance(data, dict) or set(data) != set(names):
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise WeightsError(f"{where} must be an object with keys {list(names)}, not {found}")
    return data


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise WeightsError(f"{where} must be a finite number, not {value!r}")
    return float(value)
