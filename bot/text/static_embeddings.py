"""Static sentence embeddings: a table of one vector per word piece, averaged.

A sentence's vector is the mean of its word pieces' rows in a table distilled from the
all-MiniLM-L6-v2 the bot ships (`python -m bench.distil`, as model2vec distils: each
vocabulary token encoded alone, PCA to 256 dimensions, SIF weights baked into the rows), then
made unit length. No network runs at encoding time, so every fact of a load can be encoded
(docs/ANSWERING.md, "Fact vectors"). Table and tokenizer ship inside the package
(bot/text/static_vectors.npz, bot/text/static_tokenizer.json): only numpy and tokenizers
are needed, not the MiniLM package.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).parent
TABLE_FILE = "static_vectors.npz"
TOKENIZER_FILE = "static_tokenizer.json"
META_FILE = "static_vectors.json"  # what the table was made from, and how
# Texts tokenized and summed together: bounds the gathered rows (tokens x 256 float32);
# 512 encoded 4% faster than 4,096 and 35% faster than 128 (40,000 facts, one process).
BATCH_TEXTS = 512
# Words whose token ids an encoder remembers (~120 bytes each); then it starts again.
WORD_CACHE = 100_000
# Whitespace other than the space: a text holding any is tokenized whole, as the tokenizer
# and Python do not agree on every such character (U+001C-U+001F).
_OTHER_SPACE_RE = re.compile(r"[^\S ]")


def quantize_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and one float32 scale per row: row ~= q * scale, symmetric, max |q| = 127."""
    scales = np.abs(table).max(axis=1) / 127.0
    safe = np.where(scales > 0, scales, 1.0)
    rows = np.rint(table / safe[:, None]).clip(-127, 127).astype(np.int8)
    return rows, scales.astype(np.float32)


def to_blobs(vectors: np.ndarray) -> list[bytes]:
    """Each vector as `dims` int8 bytes, scaled so its largest part is +-127: only the
    direction is kept, which is all a cosine needs (bench.vectors: no hit@k moves by more
    than 0.2 points against float32)."""
    peaks = np.abs(vectors).max(axis=1, keepdims=True)
    rows = np.rint(vectors * (127.0 / np.where(peaks > 0, peaks, 1.0))).astype(np.int8)
    return [row.tobytes() for row in rows]


def from_blobs(blobs: Sequence[bytes], dims: int) -> np.ndarray:
    """Unit float32 vectors back from `to_blobs` (a zero vector stays zero)."""
    rows = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), dims)
    vectors = rows.astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


class StaticEncoder:
    """Token ids -> table rows -> mean -> unit length; one gather a batch of texts."""

    def __init__(self, folder: Path = MODEL_DIR) -> None:
        from tokenizers import Tokenizer

        with np.load(folder / TABLE_FILE) as data:
            table = data["table"]
            scales = data.get("scales")
        self.table = table
        self.scales = scales
        self.dims = int(table.shape[1])
        self.meta = json.loads((folder / META_FILE).read_text())
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._word_ids: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (len(texts) x 256), float32; a text with no known word piece (empty,
        emoji only) gets the zero vector, whose cosine with anything is 0."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for start in range(0, len(texts), BATCH_TEXTS):
            out[start:start + BATCH_TEXTS] = self._encode_batch(
                list(texts[start:start + BATCH_TEXTS]))
        return out

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids, as the tokenizer gives them for the whole text.

        Its normaliser and pre-tokeniser (BERT's) work within a space-separated word, so each
        distinct word is tokenized once and remembered: a load's facts repeat their words,
        and this took a third of the time of tokenizing every text whole.
        """
        with self._lock:
            cache = self._word_ids
            if len(cache) > WORD_CACHE:
                cache.clear()
            split = [None if _OTHER_SPACE_RE.search(t) else t.split(" ") for t in texts]
            new = list({w: None for words in split if words for w in words if w not in cache})
            if new:
                cache.update(zip(new, self._word_token_ids(new), strict=True))
            odd = iter(e.ids for e in self._encode_whole(
                [t for t, words in zip(texts, split, strict=True) if words is None]))
            return [next(odd) if words is None else [i for w in words for i in cache[w]]
                    for words in split]

    def _word_token_ids(self, words: list[str]) -> list[list[int]]:
        """Each word's token ids, from one tokenizing of the words joined by spaces: each token
        goes to the word its offset falls in (one text costs far less than a text a word)."""
        encoded = self._tokenizer.encode(" ".join(words), add_special_tokens=False)
        starts = np.cumsum([0] + [len(w) + 1 for w in words[:-1]])
        owners = np.searchsorted(starts, [start for start, _ in encoded.offsets], "right") - 1
        out: list[list[int]] = [[] for _ in words]
        for owner, token in zip(owners.tolist(), encoded.ids, strict=True):
            out[owner].append(token)
        return out

    def _encode_whole(self, texts: list[str]) -> list:
        return self._tokenizer.encode_batch_fast(texts, add_special_tokens=False) if texts else []

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        id_lists = self.token_ids(texts)
        lengths = np.fromiter(map(len, id_lists), dtype=np.int64, count=len(texts))
        vectors = np.zeros((len(texts), self.dims), dtype=np.float32)
        filled = lengths > 0
        if not filled.any():
            return vectors
        ids = np.fromiter(itertools.chain.from_iterable(id_lists), dtype=np.int64,
                          count=int(lengths.sum()))
        rows = self.table[ids].astype(np.float32)
        if self.scales is not None:
            rows *= self.scales[ids, None]
        # Sums, not means: the length cancels out when the vector is made unit length. One
        # sum per text over its slice of the rows: for 512 facts 1.7 ms, where np.add.reduceat
        # took 9 ms along the tokens and 15 ms along the dimensions (it is slow on 2-D).
        ends = np.cumsum(lengths[filled])[:-1]
        sums = np.stack([part.sum(axis=0) for part in np.split(rows, ends)])
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        vectors[filled] = sums / np.where(norms > 0, norms, 1.0)
        return vectors


@functools.cache
def shared_static_encoder() -> StaticEncoder:
    """One static encoder per process (8 MB). Its files ship inside the package, like the
    code: a missing one is a broken install and raises, rather than loading facts without
    vectors."""
    return StaticEncoder()
