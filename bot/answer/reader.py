"""The reader: a cross-encoder that scores how well a fact answers a question.

Lexical overlap and sentence embeddings say a fact is *about* the question; a model that
reads the question and the fact together says whether the fact *answers* it. This one is
all-MiniLM-L6-v2 fine-tuned on SQuAD train (`python -m bench.train_reader`), run through
the sentence encoder's layers (onnxruntime, fp32: bench.quantize). Its weights file holds
only what training changed; the word embeddings come from the installed MiniLM package.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.answer.embeddings import LruMemo, SentenceEncoder, fine_tuned, graph_file, model_dir
from bot.answer.weights import ConfidenceModel, load_model

log = logging.getLogger(__name__)

READER_FILE = Path(__file__).with_name("reader.safetensors")
RECORD_FILE = Path(__file__).with_name("reader.json")
# How the reader's logit and the engine's own confidence make the answer's confidence, and
# the refusal threshold on it: fitted by `python -m bench.fit_reader`.
CALIBRATION_FILE = Path(__file__).with_name("reader_fit.json")
CALIBRATION_FEATURES = frozenset({"reader", "prior", "unknown_name", "unknown", "corrected"})
MAX_TOKENS = 64  # question + candidate; the sentence comes first so only context is cut
CACHE_PAIRS = 20_000  # (question, candidate) logits kept
BATCH = 4  # pairs read together (see SentenceEncoder.encode: small batches stay in cache)


def candidate_text(sentence: str, title: str, previous: str) -> str:
    """A fact as the reader sees it: the sentence, then what places it (title, the sentence
    before). Training and the runtime both build candidates here."""
    return " | ".join((sentence, title, previous))


def reader_tokenizer(folder: Path):
    """MiniLM's tokenizer set for (question, candidate) pairs: cut to MAX_TOKENS, longest
    part first, padded to the batch's longest pair."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")
    tokenizer.enable_padding()
    return tokenizer


class Reader:
    """Scores (question, candidate) pairs: a logit, > 0 when the candidate answers."""

    def __init__(self, folder: Path, weights: Path = READER_FILE, graph: bool = True) -> None:
        """`graph`: run the layers from their graph (onnxruntime) when it ships
        (bench.quantize), not in numpy."""
        trained = fine_tuned(folder, weights)
        self._head = trained.pop("head.weight")[0], float(trained.pop("head.bias")[0])
        self._encoder = SentenceEncoder(folder, trained,
                                        graph_file(weights) if graph else None)
        self._tokenizer = reader_tokenizer(folder)

    def scores(self, question: str, candidates: Sequence[str]) -> np.ndarray:
        """One logit per candidate, read with the question; pairs of like length go through
        together (a batch is padded to its longest pair)."""
        logits = np.zeros(len(candidates), dtype=np.float32)
        encoded = self._tokenizer.encode_batch([(question, c) for c in candidates])
        order = sorted(range(len(encoded)), key=lambda i: sum(encoded[i].attention_mask))
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            length = max(sum(encoded[i].attention_mask) for i in chunk)
            ids = np.array([encoded[i].ids[:length] for i in chunk])
            types = np.array([encoded[i].type_ids[:length] for i in chunk])
            mask = np.array([encoded[i].attention_mask[:length] for i in chunk], dtype=np.float32)
            pooled = self._encoder.pooled(ids, mask, types)
            logits[chunk] = pooled @ self._head[0] + self._head[1]
        return logits


class CachedReader:
    """A Reader with the logits it gave kept by (question, candidate), LRU: in a conversation
    the same question is read more than once (alone, then with its topic)."""

    def __init__(self, reader: Reader, limit: int = CACHE_PAIRS) -> None:
        self._reader = reader
        self._memo: LruMemo[tuple[str, str], float] = LruMemo(limit)

    def scores(self, question: str, candidates: Sequence[str]) -> list[float]:
        def read(pairs: list[tuple[str, str]]) -> list[float]:
            return self._reader.scores(question, [c for _, c in pairs]).tolist()

        return self._memo.get([(question, c) for c in candidates], read)


def calibration(path: Path = CALIBRATION_FILE) -> ConfidenceModel:
    """The fitted calibration (weights over CALIBRATION_FEATURES, bias, threshold)."""
    return load_model(path, CALIBRATION_FEATURES, "refit with `python -m bench.fit_reader`")


@functools.cache
def shared_reader() -> CachedReader | None:
    """One reader per process; None, with a warning, when its weights or MiniLM's are not
    installed (the engine then ranks without it)."""
    folder = model_dir()
    if folder is None or not READER_FILE.is_file():
        log.warning("reader weights not installed (%s): answering without the reader",
                    READER_FILE.name)
        return None
    try:
        return CachedReader(Reader(folder))
    except (OSError, ValueError, KeyError) as exc:
        log.warning("reader unusable (%s): answering without it", exc)
        return None
