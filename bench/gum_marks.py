"""Whether GUM's sentence ends at ";", ":" and a dash can be told from the text.

bench.sentences finds most of the loader's disagreements with GUM at these marks and at
quotations, where GUM's annotators cut some and keep others of the same shape. This checks
that no rule could do better than the loader's (never cut there): a logistic regression
trained on every mark of GUM's other written documents (academic, bio, essay, fiction,
interview, letter, news, speech, textbook, voyage, whow; not the spoken genres) and tested on
the marks of the 63 texts bench.sentences scores. Its features are more than the loader has:
the mark, GUM's own part-of-speech tags of the two words after it and the word before it,
whether the next word is capitalised, the lengths on both sides and whether a verb follows
within 12 words. It is judged against never cutting, the loader's rule.

Run: `.venv/bin/python -m bench.gum_marks <git dir of a GUM snapshot>` (the fetch tool's
amir-zeldes/gum; its commit is printed); writes data/bench/gum_marks.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bench.datasets import ROOT
from bench.sentences import corpus_names, git

OUT = ROOT / "data" / "bench" / "gum_marks.json"
SPOKEN = frozenset(["conversation", "vlog", "podcast", "reddit", "court"])
MARKS = {";": 0, ":": 1, "—": 2, "–": 2, "--": 2}
UPOS = ("PRON", "DET", "NOUN", "PROPN", "VERB", "AUX", "ADV", "CCONJ", "SCONJ", "ADP", "NUM",
        "ADJ", "PUNCT", "PART", "X", "INTJ", "SYM")
VERB_WINDOW = 12
STEPS, RATE, DECAY = 4000, 0.5, 1e-3

Token = tuple[str, str]  # (form, UPOS)


def conllu_tokens(conllu: str) -> list[list[Token]]:
    """A document's sentences as (form, UPOS) tokens, multi-word and empty nodes left out."""
    sentences: list[list[Token]] = []
    current: list[Token] = []
    for line in conllu.splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
        elif not line.startswith("#"):
            cells = line.split("\t")
            if "-" not in cells[0] and "." not in cells[0]:
                current.append((cells[1], cells[3]))
    if current:
        sentences.append(current)
    return sentences


def one_hot(tag: str) -> list[float]:
    return [float(tag == u) for u in UPOS]


def mark_rows(sentences: list[list[Token]]) -> list[tuple[list[float], bool]]:
    """(features, GUM ends a sentence here) for every mark that is not the document's last."""
    rows = []
    for i, sentence in enumerate(sentences):
        for j, (form, _) in enumerate(sentence):
            last = j == len(sentence) - 1
            rest = sentences[i + 1] if last and i + 1 < len(sentences) else sentence[j + 1:]
            if form not in MARKS or not rest:
                continue
            after = rest[1] if len(rest) > 1 else ("", "")
            before = sentence[j - 1] if j else ("", "")
            features = [1.0, *(float(MARKS[form] == k) for k in range(3)),
                        *one_hot(rest[0][1]), *one_hot(after[1]), *one_hot(before[1]),
                        float(rest[0][0][:1].isupper()), min(j, 80) / 40, min(len(rest), 80) / 40,
                        float(any(t in ("VERB", "AUX") for _, t in rest[:VERB_WINDOW]))]
            rows.append((features, last))
    return rows


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logistic regression weights, by gradient descent with a little L2."""
    w = np.zeros(x.shape[1])
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-x @ w))
        w -= RATE * (x.T @ (p - y) / len(y) + DECAY * w)
    return w


def judged(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict:
    """How many marks the model and never cutting get right."""
    cut = (1 / (1 + np.exp(-x @ w))) > 0.5
    return {"marks": len(y), "gum_cuts": int(y.sum()), "never_cut_right": int((~y).sum()),
            "model_right": int((cut == y).sum()), "model_cuts": int(cut.sum()),
            "model_cuts_right": int((cut & y).sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gitdir", type=Path, help="git dir of a GUM snapshot")
    args = parser.parse_args()
    commit = git(args.gitdir, "rev-parse", "HEAD").strip()
    tested = set(corpus_names())
    rows: dict[str, list] = {"train": [], "test": []}
    for name in git(args.gitdir, "ls-tree", "--name-only", f"{commit}:dep").split():
        stem = name.removesuffix(".conllu")
        if not stem.startswith("GUM_") or stem.split("_")[1] in SPOKEN:
            continue
        sentences = conllu_tokens(git(args.gitdir, "show", f"{commit}:dep/{name}"))
        rows["test" if stem in tested else "train"] += mark_rows(sentences)
    data = {k: (np.array([f for f, _ in v]), np.array([c for _, c in v])) for k, v in rows.items()}
    w = fit(*data["train"])
    report = {"commit": commit, **{k: judged(*xy, w) for k, xy in data.items()}}
    for part in ("train", "test"):
        r = report[part]
        print(f"{part}: {r['marks']} marks, GUM cuts after {r['gum_cuts']}; right: never "
              f"cutting {r['never_cut_right']}, the model {r['model_right']} (it cuts "
              f"{r['model_cuts']}, {r['model_cuts_right']} where GUM does)")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
