"""Peak memory and speed of one full load, as `python -m bot load` runs it.

Run: `.venv/bin/python -m bench.loadmem --size 20000` (the corpus of bench.corpus, built when
missing, loaded into a fresh data/bench/loadmem-N.sqlite3). The load runs in a child process
so that its peak RSS (wait4's resource use of the child: the loader and, through the fork
server, its parsing workers, the largest of them) is the load's alone. On a terminal the
load draws its progress bar. `--busy 2`: beside two CPU-burning processes (bench.busy).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.busy import burning, machine_state
from bench.corpus import build_corpus, corpus_path
from bench.datasets import ROOT

OUT = ROOT / "data" / "bench"


def measure_load(corpus: Path, db: Path) -> dict:
    """Load `corpus` into the fresh database `db` in a child process: seconds, peak RSS."""
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1"}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "load", "--db", str(db), "--articles", str(corpus),
         "--json"], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert process.stdout is not None
    output = process.stdout.read()
    # This child's own resource use (with its helpers'), not any earlier child's.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"the load failed with exit code {process.returncode}")
    peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
    report = json.loads(output)
    articles = report["total_articles"]
    # CPU seconds of the loading process (the writer) alone: its parsing workers are children
    # of the fork server, whose time is not counted here. On a busy machine the wall time
    # depends on what else runs; this shows whether the one writing process is the limit.
    cpu = usage.ru_utime + usage.ru_stime
    return {"articles": articles, "failed": len(report["failed"]), "load_s": seconds,
            "articles_per_s": articles / seconds, "loader_cpu_s": cpu,
            "load_rss_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="articles in the corpus")
    parser.add_argument("--busy", type=int, default=0, help="CPU-burning processes beside")
    args = parser.parse_args()
    corpus = corpus_path(args.size)
    if not corpus.exists():
        build_corpus(args.size, corpus, quiet=False)
    OUT.mkdir(parents=True, exist_ok=True)
    with burning(args.busy):
        result = measure_load(corpus, OUT / f"loadmem-{args.size}.sqlite3")
    print(json.dumps({"size": args.size, "machine": machine_state(args.busy), **result}))


if __name__ == "__main__":
    main()
