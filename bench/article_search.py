"""The cost of searching one article on its own (docs/ANSWERING.md, step 4c) in a large base.

    .venv/bin/python -m bench.article_search [--db data/bench/scale-20000.sqlite3]
The base is bench.scale's (`python -m bench.scale --sizes 20000` builds it). Seeded random
articles, each searched for a few common words, as `KnowledgeBase.search_article` is asked
once a question: its p50 and p99 in ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from bench.datasets import ROOT
from bot.store.knowledge import KnowledgeBase

SEED = 1
SEARCHES = 400
WORDS = (["died", "die", "year"], ["people", "city", "government"],
         ["first", "built", "century"], ["war", "killed", "army"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "bench" /
                        "scale-20000.sqlite3")
    args = parser.parse_args()
    if not args.db.is_file():
        raise SystemExit(f"{args.db} is missing: python -m bench.scale --sizes 20000 builds it")
    kb = KnowledgeBase(args.db)
    ids = [article_id for article_id, _ in kb.titles()]
    rng = random.Random(SEED)
    times = []
    for _ in range(SEARCHES):
        article_id, words = rng.choice(ids), rng.choice(WORDS)
        start = time.perf_counter()
        kb.search_article(article_id, words, 20)
        times.append((time.perf_counter() - start) * 1000)
    kb.close()
    times.sort()
    print(f"search_article, {len(ids):,} articles, {SEARCHES} searches: p50 "
          f"{statistics.median(times):.2f} ms, p99 {times[int(len(times) * 0.99)]:.2f} ms")


if __name__ == "__main__":
    main()
