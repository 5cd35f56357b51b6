"""Peak memory and speed of one full load, as `python -m bot load` runs it.

Run: `.venv/bin/python -m bench.loadmem --size 20000` (the corpus of bench.corpus, built when
missing, loaded into a fresh data/bench/loadmem-N.sqlite3). The load runs in a child process
so that its peak RSS (getrusage of the children: the loader and its parsing workers, the
largest of them) is the load's alone, not this process's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.corpus import build_corpus, corpus_path
from bench.datasets import ROOT

OUT = ROOT / "data" / "bench"


def measure_load(corpus: Path, db: Path) -> dict:
    """Load `corpus` into the fresh database `db` in a child process: seconds, peak RSS."""
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "load", "--db", str(db), "--articles", str(corpus),
         "--json"], capture_output=True, text=True, check=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - start
    # ru_maxrss is in KiB on Linux; it is the largest child ever waited for in this process.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report = json.loads(done.stdout)
    articles = report["total_articles"]
    return {"articles": articles, "load_s": seconds, "articles_per_s": articles / seconds,
            "peak_rss_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="articles in the corpus")
    args = parser.parse_args()
    corpus = corpus_path(args.size)
    if not corpus.exists():
        build_corpus(args.size, corpus, quiet=False)
    OUT.mkdir(parents=True, exist_ok=True)
    result = measure_load(corpus, OUT / f"loadmem-{args.size}.sqlite3")
    print(json.dumps({"size": args.size, **result}))


if __name__ == "__main__":
    main()
