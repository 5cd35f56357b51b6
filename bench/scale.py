"""Scale benchmark: load, answer latency, accuracy, memory and start-up at N articles.

Run: `.venv/bin/python -m bench.scale --sizes 100,1000,10000,100000` (default: all four).
For each N: builds the corpus if missing (bench.corpus), loads it into a fresh
data/bench/scale-N.sqlite3 with `python -m bot load` in a child process (its progress bar,
time and peak RSS: bench.loadmem), reloads 100 changed files, then asks the
real questions (XQuAD clean, the same with typos, off-topic) in a fresh process that
measures start-up to the first answer, warm latency and peak RSS. The baselines run on the
same knowledge base and questions (the slow ones on a fixed sample at large N).
Prints Markdown tables and keeps every number in data/bench/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.busy import burning, machine_state
from bench.corpus import REAL_ARTICLES, SIZES, build_corpus, corpus_path
from bench.datasets import ROOT, Case, add_typos, offtopic_cases, xquad_cases
from bench.loadmem import measure_load
from bench.quality import bm25_baseline, fuzz_baseline, hit
from bot.store.knowledge import INDEX_MIN_FACTS, KnowledgeBase
from bot.store.loading import load_directory

OUT = ROOT / "data" / "bench"
SAVED = OUT / "scale.json"
CHANGED_FILES = 100
# Questions (clean; their typo twins are asked too) per slow method, by corpus size: a
# rapidfuzz scan of 2.4M facts takes seconds per question. Missing sizes: every question.
SAMPLES = {
    "rapidfuzz token_set_ratio scan": {1_000: 200, 10_000: 40, 100_000: 15},
    "FTS5 bm25 OR query alone": {10_000: 200, 100_000: 60},
    "bm25s in memory": {100_000: 300},
    "ours, FTS5 candidates": {10_000: 300, 100_000: 150},
}
Ranker = Callable[[str], list[tuple[str, float]]]
FIRST_QUESTION = "Which NFL team represented the AFC at Super Bowl 50?"
BASELINES = ("FTS5 bm25 OR query alone", "rapidfuzz token_set_ratio scan", "bm25s in memory")


def questions(limit: int | None = None, seed: int = 0) -> tuple[list[Case], list[Case]]:
    """XQuAD questions (all, or a fixed sample) and their typo twins."""
    clean = xquad_cases()
    if limit is not None and limit < len(clean):
        clean = random.Random(seed).sample(clean, limit)
    typo = [Case(add_typos(c.question), c.expect, "typo", c.group) for c in clean]
    return clean, typo


def percentiles(ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(ms)
    if not ordered:
        return 0.0, 0.0, 0.0
    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
    return at(0.50), at(0.95), at(0.99)


def measure(rank: Ranker, clean: list[Case], typo: list[Case]) -> dict:
    """hit@1 and latency of a ranker on clean and typo questions."""
    out: dict = {"questions": len(clean)}
    for label, cases in (("clean", clean), ("typo", typo)):
        ms, hits = [], 0
        for case in cases:
            start = time.perf_counter()
            top = rank(case.question)
            ms.append((time.perf_counter() - start) * 1000)
            hits += bool(top) and hit(top[0][0], case.expect)
        out[f"hit1_{label}"] = hits / len(cases)
        out[f"ms_{label}"] = percentiles(ms)
    return out


# -- serving: a fresh process, as the bot starts -------------------------------------------

def serve(db: Path, method: str, limit: int | None, semantic: bool = True) -> dict:
    """Start-up to the first answer, then warm latency, hit@1 and peak RSS (in this process)."""
    import psutil

    import bot.store.knowledge
    from bot.answer.answers import AnswerEngine

    process = psutil.Process()
    if method in ("index", "fts"):
        bot.store.knowledge.INDEX_MIN_FACTS = 0 if method == "index" else 1 << 62
    kb = KnowledgeBase(db)
    engine = AnswerEngine(kb, semantic=semantic)
    engine.ask(FIRST_QUESTION)  # before the question sets are read: they are not start-up
    startup = time.time() - process.create_time()
    clean, typo = questions(limit)
    offtopic = offtopic_cases()
    for case in offtopic:  # warm-up; every timed question below is asked once
        engine.ask(case.question)
    peak = process.memory_info().rss
    result: dict = {"startup_s": startup, "questions": len(clean)}
    for label, cases in (("clean", clean), ("typo", typo), ("offtopic", offtopic)):
        ms, hits, declined = [], 0, 0
        for case in cases:
            start = time.perf_counter()
            answer = engine.ask(case.question)
            ms.append((time.perf_counter() - start) * 1000)
            peak = max(peak, process.memory_info().rss)
            declined += not answer.answered
            if case.expect:
                top = engine.ranked(case.question, 1)
                hits += bool(top) and hit(top[0][0], case.expect)
        result[f"ms_{label}"] = percentiles(ms)
        result[f"hit1_{label}"] = hits / len(cases)
        result[f"declined_{label}"] = declined / len(cases)
    result["rss_mb"] = peak / 2**20
    result["facts"] = kb.fact_count()
    return result


def serve_in_child(db: Path, method: str, limit: int | None) -> dict:
    command = [sys.executable, "-m", "bench.scale", "--serve", str(db), "--method", method]
    if limit is not None:
        command += ["--limit", str(limit)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.splitlines()[-1])


# -- baselines ---------------------------------------------------------------------------

def bm25s_baseline(kb: KnowledgeBase) -> tuple[Ranker, float]:
    """bm25s over every fact (English stopwords, Snowball stemmer); returns (ranker, build s)."""
    import bm25s
    import Stemmer

    start = time.perf_counter()
    facts = [row[0] for row in kb.db.execute("SELECT text FROM facts ORDER BY id")]
    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(facts, stopwords="en", stemmer=stemmer, show_progress=False),
                    show_progress=False)
    built = time.perf_counter() - start
    vocab = retriever.vocab_dict

    def rank(question: str) -> list[tuple[str, float]]:
        tokens = bm25s.tokenize(question, stopwords="en", stemmer=stemmer, return_ids=False,
                                show_progress=False)[0]
        ids = [vocab[t] for t in tokens if t in vocab]
        if not ids:
            return []
        found, scores = retriever.retrieve([ids], k=3, show_progress=False, n_threads=1)
        return [(facts[i], float(s)) for i, s in zip(found[0], scores[0], strict=True)]
    return rank, built


# -- one corpus size ---------------------------------------------------------------------

def save(results: dict[str, dict]) -> None:
    """Merge into data/bench/scale.json (read again: runs of other sizes may have saved)."""
    OUT.mkdir(parents=True, exist_ok=True)
    kept = json.loads(SAVED.read_text()) if SAVED.exists() else {}
    SAVED.write_text(json.dumps(kept | results, indent=1))


def fresh_db(size: int) -> Path:
    db = OUT / f"scale-{size}.sqlite3"
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)
    return db


def db_bytes(db: Path) -> int:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db.stat().st_size


def reload_changed(kb: KnowledgeBase, corpus: Path) -> dict:
    """Change CHANGED_FILES synthetic articles, reload, then put them back and reload."""
    files = sorted((corpus / "gen").rglob("*.json"))
    chosen = files[:: max(len(files) // CHANGED_FILES, 1)][:CHANGED_FILES]
    originals = {path: path.read_bytes() for path in chosen}
    for number, path in enumerate(chosen):
        record = json.loads(originals[path])
        record["body"] += f"\n\nThis report was corrected on {number + 1} March with new figures."
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    try:
        start = time.perf_counter()
        report = load_directory(kb, corpus)
        seconds = time.perf_counter() - start
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    start = time.perf_counter()
    back = load_directory(kb, corpus)
    return {"changed": len(chosen), "updated": len(report.updated), "reload_s": seconds,
            "back_updated": len(back.updated), "back_s": time.perf_counter() - start}


def load_size(size: int) -> dict:
    """Build the corpus if missing, load it into a fresh database, reload 100 changed files."""
    corpus = corpus_path(size)
    if not corpus.exists():
        build_corpus(size, corpus, quiet=False)
    db = fresh_db(size)
    result: dict = {"size": size, **measure_load(corpus, db)}  # `python -m bot load`
    kb = KnowledgeBase(db)
    result |= {"facts": kb.fact_count(), "vocabulary": len(kb.vocabulary())}
    result |= reload_changed(kb, corpus)
    kb.close()
    result["db_mb"] = db_bytes(db) / 2**20
    print(f"loaded {size:,}: {json.dumps(result)}", file=sys.stderr)
    return result


def run_size(size: int, loaded: dict | None, keep_baselines: bool = False,
             busy: int = 0) -> dict:
    """Every measurement at one size; `loaded` (an earlier run's load numbers) skips the load,
    and with `keep_baselines` its baselines are kept (they do not change with our code)."""
    reused = loaded is not None
    if loaded is None:
        loaded = load_size(size)
        save({str(size): {**loaded, "methods": {}}})  # a later --reuse can skip the load
    result = {k: v for k, v in loaded.items() if k != "methods"}
    db = OUT / f"scale-{size}.sqlite3"
    if reused:  # the reload is measured again with this code; a first pass records file stats
        kb = KnowledgeBase(db)
        load_directory(kb, corpus_path(size))
        result |= reload_changed(kb, corpus_path(size))
        kb.close()
    methods: dict[str, dict] = {}
    with burning(busy):
        methods["ours"] = serve_in_child(db, "auto", None)
    if result["facts"] >= INDEX_MIN_FACTS:
        fts_limit = SAMPLES["ours, FTS5 candidates"].get(size)
        methods["ours, FTS5 candidates"] = serve_in_child(db, "fts", fts_limit)
    else:
        methods["ours, fact index"] = serve_in_child(db, "index", None)
    print(f"served {size:,}", file=sys.stderr)
    earlier = loaded.get("methods", {})
    if keep_baselines and all(name in earlier for name in BASELINES):
        result["methods"] = methods | {name: earlier[name] for name in BASELINES}
        return result
    kb = KnowledgeBase(db)
    for name, make in (("FTS5 bm25 OR query alone", bm25_baseline),
                       ("rapidfuzz token_set_ratio scan", fuzz_baseline)):
        clean, typo = questions(SAMPLES[name].get(size))
        methods[name] = measure(make(kb), clean, typo)
        print(f"{name} {size:,} done", file=sys.stderr)
    rank, built = bm25s_baseline(kb)
    clean, typo = questions(SAMPLES["bm25s in memory"].get(size))
    methods["bm25s in memory"] = measure(rank, clean, typo) | {"build_s": built}
    kb.close()
    result["methods"] = methods
    return result


# -- report ------------------------------------------------------------------------------

def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def lat(values: list[float]) -> str:
    return " / ".join(f"{v:.1f}" if v >= 10 else f"{v:.2f}" for v in values)


def report(results: dict[str, dict]) -> str:
    sizes = sorted(results.values(), key=lambda r: r["size"])
    out = ["### Load, size, start-up, memory", "",
           "| articles | facts | vocabulary | load s | articles/s | peak RSS MB (load) | DB MB "
           "| reload 100 changed s | start-up s | peak RSS MB (serving) |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in sizes:
        ours = r["methods"]["ours"]
        out.append(f"| {r['articles']:,} | {r['facts']:,} | {r['vocabulary']:,} | "
                   f"{r['load_s']:.1f} | {r['articles_per_s']:,.0f} | "
                   f"{r.get('load_rss_mb', float('nan')):,.0f} | {r['db_mb']:,.0f} | "
                   f"{r['reload_s']:.2f} | {ours['startup_s']:.2f} | {ours['rss_mb']:.0f} |")
    for r in sizes:
        out += ["", f"### {r['size']:,} articles ({r['facts']:,} facts)", "",
                "| method | questions | hit@1 clean | hit@1 typo | ms clean p50 / p95 / p99 "
                "| ms typo p50 / p95 / p99 | off-topic declined |",
                "|---|---|---|---|---|---|---|"]
        for name, m in r["methods"].items():
            declined = pct(m["declined_offtopic"]) if "declined_offtopic" in m else "-"
            out.append(f"| {name} | {m['questions']} | {pct(m['hit1_clean'])} | "
                       f"{pct(m['hit1_typo'])} | {lat(m['ms_clean'])} | {lat(m['ms_typo'])} | "
                       f"{declined} |")
        if "build_s" in r["methods"].get("bm25s in memory", {}):
            out.append(f"\nbm25s index build: {r['methods']['bm25s in memory']['build_s']:.1f} s;"
                       f" reload back of the {r['changed']} files: {r['back_s']:.2f} s; "
                       f"{r['failed']} synthetic files refused by the loader.")
    return "\n".join(out)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
                if line.startswith("Model name")), platform.processor())
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"Machine: {os.cpu_count()} cores ({cpu}), {ram:.0f} GiB RAM, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--reuse", action="store_true",
                        help="keep an earlier run's loaded database and load numbers")
    parser.add_argument("--keep-baselines", action="store_true",
                        help="with --reuse: keep the earlier run's baseline numbers")
    parser.add_argument("--busy", type=int, default=0, metavar="N",
                        help="measure our engine beside N CPU-burning processes")
    parser.add_argument("--static", action="store_true",
                        help="with --serve: without the MiniLM re-rank (SEMANTIC=0)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--method", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve(args.serve, args.method, args.limit, not args.static)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    if min(sizes) < REAL_ARTICLES:
        parser.error(f"every corpus holds the {REAL_ARTICLES} real articles")
    earlier = json.loads(SAVED.read_text()) if SAVED.exists() else {}
    results: dict[str, dict] = {}
    for size in sizes:
        reusable = args.reuse and (OUT / f"scale-{size}.sqlite3").exists()
        results[str(size)] = run_size(size, earlier.get(str(size)) if reusable else None,
                                      args.keep_baselines, args.busy)
        save(results)
    print(machine() + f"; our engine measured {machine_state(args.busy)}\n")
    print(report({k: v for k, v in results.items() if int(k) in sizes}))


if __name__ == "__main__":
    main()
