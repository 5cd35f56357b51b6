"""Fit the reader's calibration: how its logit and the engine's own confidence make the
answer's confidence, and the refusal threshold on it (bot/answer/reader_fit.json).

Fitted on questions that look like users', never on what the benches report:
- SQuAD train's held-out articles (the last share bench.train_reader never trains on): half
  loaded, their questions answerable; the other half's questions asked of them, unanswerable
  ("none of these answer").
- The natural set's `fit` half (bench.natural.splits); its `held-out` half is what
  bench.natural reports.
- Noise (bench.noise's generator, another seed): random strings, to be declined.
Each candidate the reader reads is a row (right when it holds an expected string); a
fit gives the weights (`fit`); the threshold is the highest that withholds at most 5% of
the right answers of any source.
Run: `.venv/bin/python -m bench.fit_reader` (needs bot/answer/reader.safetensors).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.datasets import EVAL, ROOT, write_xquad_folder
from bench.fit import git, listwise, logistic
from bench.natural import natural_folder, questions, splits
from bench.noise import strings
from bench.quality import hit
from bot.answer.answers import READ_CANDIDATES, AnswerEngine
from bot.answer.reader import CALIBRATION_FEATURES, CALIBRATION_FILE, shared_reader
from bot.answer.weights import ConfidenceModel
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory

SQUAD_TRAIN = EVAL / "squad" / "squad-v1.1-train.json.gz"
ROWS = ROOT / "data" / "bench" / "fit_reader_rows.json"
HELD_OUT_SHARE = 0.1  # as bench.train_reader holds out
SEED = 29
SQUAD_ANSWERABLE = 300
SQUAD_UNANSWERABLE = 150
NOISE = 150
MAX_RIGHT_DECLINED = 0.02
FEATURES = sorted(CALIBRATION_FEATURES)
RANKING = ["reader", "prior"]  # what orders the candidates read
QUESTION = sorted(CALIBRATION_FEATURES - set(RANKING))  # the same for all of a question's
START = ConfidenceModel({"reader": 1.0}, 0.0, 0.5)  # orders by the logit while collecting


@dataclass
class Asked:
    """One question's read candidates: their signals and which hold the answer."""

    source: str
    signals: list[dict[str, float]]
    right: list[bool]
    answerable: bool

    @property
    def features(self) -> np.ndarray:
        return np.array([[s.get(n, 0.0) for n in FEATURES] for s in self.signals]
                        ).reshape(-1, len(FEATURES))


def collect(engine: AnswerEngine, source: str, cases: list[tuple[str, tuple[str, ...]]]
            ) -> list[Asked]:
    asked = []
    for question, expect in cases:
        read = [s for s in engine.explain(question) if "reader" in s.features]
        asked.append(Asked(source, [s.features for s in read],
                           [bool(expect) and hit(s.row.text, expect) for s in read],
                           bool(expect)))
    return asked


def squad_cases(folder: Path) -> list[tuple[str, tuple[str, ...]]]:
    """Held-out SQuAD train: alternate articles loaded (into `folder`); questions of both."""
    with gzip.open(SQUAD_TRAIN) as raw:
        articles = json.load(raw)["data"]
    held = articles[len(articles) - max(1, int(len(articles) * HELD_OUT_SHARE)):]
    loaded, unloaded = held[0::2], held[1::2]
    write_xquad_folder(folder, loaded)
    rng = random.Random(SEED)

    def qas(group: list[dict]) -> list[tuple[str, tuple[str, ...]]]:
        return [(qa["question"], tuple(a["text"] for a in qa["answers"]))
                for a in group for p in a["paragraphs"] for qa in p["qas"]]

    answerable = rng.sample(qas(loaded), SQUAD_ANSWERABLE)
    unanswerable = [(q, ()) for q, _ in rng.sample(qas(unloaded), SQUAD_UNANSWERABLE)]
    return answerable + unanswerable


def threshold(model: ConfidenceModel, asked: list[Asked]) -> float:
    """The highest threshold at which, in every source, at most MAX_RIGHT_DECLINED of the
    questions whose top candidate is right are declined: a right answer withheld is the
    worst refusal ("not in my articles" when it is), the project's rule since bench.fit."""
    tops: dict[str, list[float]] = {}
    for a in asked:
        if a.answerable and a.signals:
            probs = [model.confidence(dict(zip(FEATURES, row, strict=True)))
                     for row in a.features]
            best = int(np.argmax(probs))
            if a.right[best]:
                tops.setdefault(a.source, []).append(probs[best])
    grid = np.linspace(0.02, 0.98, 97)
    allowed = [t for t in grid if all(np.mean(np.array(c) < t) <= MAX_RIGHT_DECLINED
                                      for c in tops.values())]
    return round(float(max(allowed, default=grid[0])), 2)


def fit(asked: list[Asked]) -> ConfidenceModel:
    """Two fits, one model: the candidates' order by weights over RANKING fitted listwise
    (the right candidate's softmax share among those read: hit@1's proxy), then the top
    candidate's confidence by a logistic fit over that order's score and the question's own
    signals. Within a question the question's signals are the same for every candidate, so
    ordering by the confidence is ordering by the fitted score."""
    groups = [a for a in asked if a.answerable and any(a.right)]
    share = _shares(groups)
    order = listwise([(_columns(a, RANKING), np.array(a.right, dtype=float)) for a in groups
                      for _ in range(share[a.source])])
    tops, labels, repeat = [], [], []
    share = _shares(asked)
    for a in asked:
        if not a.signals:
            continue
        scores = _columns(a, RANKING) @ order
        best = int(np.argmax(scores))
        question = [a.signals[best].get(n, 0.0) for n in QUESTION]
        tops.append([scores[best], *question])
        labels.append(float(a.answerable and a.right[best]))
        repeat.append(share[a.source])
    w = logistic(np.repeat(np.array(tops), repeat, axis=0), np.repeat(np.array(labels), repeat))
    weights = {n: float(w[0] * v) for n, v in zip(RANKING, order, strict=True)}
    weights |= {n: float(v) for n, v in zip(QUESTION, w[1:-1], strict=True)}
    model = ConfidenceModel({n: round(v, 4) for n, v in weights.items()}, round(float(w[-1]), 4),
                            0.5)
    return ConfidenceModel(model.weights, model.bias, threshold(model, asked))


def _columns(asked: Asked, names: list[str]) -> np.ndarray:
    return np.array([[s.get(n, 0.0) for n in names] for s in asked.signals])


def _shares(asked: list[Asked]) -> dict[str, int]:
    """How many times each source's questions count, so that every source weighs the same."""
    counts: dict[str, int] = {}
    for a in asked:
        counts[a.source] = counts.get(a.source, 0) + 1
    return {source: max(1, round(max(counts.values()) / n)) for source, n in counts.items()}


def _loaded(folder: Path, db: Path) -> KnowledgeBase:
    """A knowledge base of `folder` (not bench.quality.build: its engine would need the
    calibration this fits)."""
    kb = KnowledgeBase(db)
    report = load_directory(kb, folder)
    if report.failed:
        raise SystemExit(f"articles failed to load: {report.failed}")
    return kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    parser.add_argument("--rows", type=Path, default=ROWS,
                        help="where the questions' read candidates are kept")
    parser.add_argument("--refit", action="store_true",
                        help="fit again on the kept rows, without asking the questions")
    args = parser.parse_args()
    if args.refit:
        asked = [Asked(**a) for a in json.loads(args.rows.read_text())]
        # Rows read with a larger K than the engine's now: the engine's K only.
        for a in asked:
            keep = [i for i, s in enumerate(a.signals) if s["place"] < READ_CANDIDATES]
            a.signals, a.right = [a.signals[i] for i in keep], [a.right[i] for i in keep]
    else:
        asked = ask_all()
        args.rows.parent.mkdir(parents=True, exist_ok=True)
        args.rows.write_text(json.dumps([a.__dict__ for a in asked]))
    model = fit(asked)
    record = {"model": {"weights": model.weights, "bias": model.bias,
                        "threshold": model.threshold},
              "fitted_on": {"questions": {s: sum(a.source == s for a in asked)
                                          for s in dict.fromkeys(a.source for a in asked)},
                            "squad_sha256": hashlib.sha256(SQUAD_TRAIN.read_bytes()).hexdigest(),
                            "commit": git("rev-parse", "HEAD") or "unknown",
                            "date": datetime.now(UTC).date().isoformat()}}
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    print("\n".join(k_curve(model, asked)))


def k_curve(model: ConfidenceModel, asked: list[Asked]) -> list[str]:
    """hit@1 of the answerable questions when only the best K (before reading) are read:
    the curve READ_CANDIDATES is chosen on (docs/BENCHMARKS.md)."""
    sources = list(dict.fromkeys(a.source for a in asked if a.answerable))
    lines = ["| K read | " + " | ".join(sources) + " |", "|---" * (len(sources) + 1) + "|"]
    for k in (1, 2, 4, 6, 8, 12):
        cells = []
        for source in sources:
            mine = [a for a in asked if a.source == source and a.answerable]
            right = 0
            for a in mine:
                read = [(model.confidence(dict(zip(FEATURES, row, strict=True))), ok)
                        for row, ok, signals in zip(a.features, a.right, a.signals, strict=True)
                        if signals["place"] < k]
                right += bool(read) and max(read)[1]
            cells.append(f"{100 * right / len(mine):.1f}%")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return lines


def ask_all() -> list[Asked]:
    """Every fitting question asked of its knowledge base, the candidates read kept."""
    if shared_reader() is None:
        raise SystemExit("no reader: python -m bench.train_reader --export first")
    with tempfile.TemporaryDirectory() as tmp:
        squad_folder = Path(tmp) / "squad"
        squad = squad_cases(squad_folder)
        engine = AnswerEngine(_loaded(squad_folder, Path(tmp) / "squad.sqlite3"),
                              read=True, calibration=START)
        asked = collect(engine, "squad-held-out", squad)
        folder = natural_folder(Path(tmp) / "natural")
        kb = _loaded(folder, Path(tmp) / "natural.sqlite3")
        engine = AnswerEngine(kb, read=True, calibration=START)
        half = splits()
        natural = [(q["q"], tuple(q["expect"])) for q in questions()
                   if half[q["article"]] == "fit"]
        asked += collect(engine, "natural-fit", natural)
        asked += collect(engine, "noise", [(s, ()) for s in strings(NOISE, SEED)])
    return asked


if __name__ == "__main__":
    main()
