"""Where a load's time goes: cProfile of a worker's parsing and of the writer, apart.

Run: `.venv/bin/python -m bench.loadprofile --size 10000 --files 2000` (the bench.corpus
folder of that size, built when missing). The first `--files` files are parsed in this one
process as a worker parses its chunks (`bot.store.loading._parse_chunk`, vectors included), then
written into a fresh database by one `KnowledgeBase.writing()` transaction, as the loading
process writes them. Each half prints its seconds and its top functions by own time; with
`--cpu`, its CPU time an article without the profiler (which slows Python code far more than
SQLite's and numpy's).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path

from bench.corpus import build_corpus, corpus_path
from bench.datasets import ROOT
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import PARALLEL_CHUNK, Job, _parse_chunk, read_sidecar, scan

OUT = ROOT / "data" / "bench"


def timed(title: str, run, count: int) -> object:
    """Run `run()` without a profiler; print its CPU time a file (the cost cProfile hides)."""
    start = time.process_time()
    result = run()
    seconds = time.process_time() - start
    print(f"== {title}: {seconds:.2f} s of CPU, {1000 * seconds / count:.2f} ms an article")
    return result


def profiled(title: str, run, top: int) -> object:
    """Run `run()` under cProfile; print its time and the `top` functions by own time."""
    profile = cProfile.Profile()
    start = time.perf_counter()
    result = profile.runcall(run)
    seconds = time.perf_counter() - start
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
    print(f"== {title}: {seconds:.2f} s (under cProfile)")
    print("\n".join(out.getvalue().splitlines()[6:]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="corpus of this many articles")
    parser.add_argument("--files", type=int, default=2_000, help="files parsed and written")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cpu", action="store_true",
                        help="CPU time an article of each half, without cProfile")
    args = parser.parse_args()
    corpus = corpus_path(args.size)
    if not corpus.exists():
        build_corpus(args.size, corpus, quiet=False)
    sidecar, _ = read_sidecar(corpus)
    jobs = [Job(str(p), corpus, p.relative_to(corpus).as_posix(),
                sidecar.get(p.relative_to(corpus).as_posix()), None)
            for p in scan(corpus)[:args.files]]

    def parse() -> list:
        return [o for at in range(0, len(jobs), PARALLEL_CHUNK)
                for o in _parse_chunk(jobs[at:at + PARALLEL_CHUNK])]

    def measure(title: str, run) -> object:
        return timed(title, run, len(jobs)) if args.cpu else profiled(title, run, args.top)

    outcomes = measure(f"parsing {len(jobs)} files (one worker)", parse)
    articles = [a for o in outcomes for a in o.articles or ()]
    db = OUT / "loadprofile.sqlite3"
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)
    kb = KnowledgeBase(db)

    def write() -> None:
        with kb.writing() as writer:
            for article in articles:
                writer.upsert(article)

    facts = sum(len(a.facts) for a in articles)
    measure(f"writing {len(articles)} articles, {facts} facts (one transaction)", write)


if __name__ == "__main__":
    main()
