"""SQuAD dev through the engine: the right sentence first within its article, and refusals.

Two lines of the reader issue's "done means", measured on data never trained or fitted on:
- SQuAD v1.1 dev (48 articles loaded as one base): of a seeded sample of questions, how
  often the engine's first fact *of the question's article* holds the answer (and, for
  reference, its first fact over the whole base).
- SQuAD v2.0 dev (its 35 articles): the best answer's confidence for answerable and for
  impossible questions (written to look answerable); the curve of both shares declined as
  the threshold moves, and the share of impossible ones declined where at most 5% of the
  answerable ones are.

    python -m bench.squad [--reader] [--questions 600] [--plot docs/squad_v2_refusals.png]
Writes data/bench/squad.json; `--replot` draws the plot from it (needs matplotlib, which the
`train` extra brings).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import tempfile
from pathlib import Path

from bench.datasets import EVAL, ROOT, write_xquad_folder
from bench.quality import build, hit, pct

SQUAD = EVAL / "squad"
V1_DEV = SQUAD / "squad-v1.1-dev.json.gz"
V2_DEV = SQUAD / "squad-v2.0-dev.json.gz"
OUT = ROOT / "data" / "bench" / "squad.json"
SEED = 41
QUESTIONS = 600
MAX_ANSWERABLE_DECLINED = 0.05


def _articles(path: Path) -> list[dict]:
    with gzip.open(path) as raw:
        return json.load(raw)["data"]


def _sample(articles: list[dict], count: int, impossible: bool | None = None) -> list[dict]:
    """Seeded questions with their article's title and answers (`impossible`: only those,
    or only the answerable ones, or both when None)."""
    items = [{"q": qa["question"], "title": a["title"].replace("_", " "),
              "answers": tuple(x["text"] for x in qa["answers"]),
              "impossible": bool(qa.get("is_impossible"))}
             for a in articles for p in a["paragraphs"] for qa in p["qas"]
             if impossible is None or bool(qa.get("is_impossible")) == impossible]
    return random.Random(SEED).sample(items, min(count, len(items)))


def first_in_article(read: bool, count: int) -> dict:
    """SQuAD v1.1 dev: the first fact of the question's own article holds the answer."""
    articles = _articles(V1_DEV)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_xquad_folder(Path(tmp) / "articles", articles)
        kb, engine = build(folder, Path(tmp) / "kb.sqlite3", read=read)
        titles = dict(kb.titles())
        within = pooled = 0
        asked = _sample(articles, count)
        for item in asked:
            ranked = engine.explain(item["q"])
            pooled += bool(ranked) and hit(ranked[0].row.text, item["answers"])
            own = [s for s in ranked if titles.get(s.row.article_id) == item["title"]]
            within += bool(own) and hit(own[0].row.text, item["answers"])
        kb.close()
    return {"questions": len(asked), "first_in_article": within / len(asked),
            "first_pooled": pooled / len(asked)}


def refusal_curve(read: bool, count: int) -> dict:
    """SQuAD v2.0 dev: the answer confidence of answerable and impossible questions."""
    articles = _articles(V2_DEV)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_xquad_folder(Path(tmp) / "articles", articles)
        kb, engine = build(folder, Path(tmp) / "kb.sqlite3", read=read)
        threshold = engine.confidence_model.threshold

        def confidence(question: str) -> float:
            """The best fact's confidence; 0 when a rule other than the threshold declines
            (so the curve is the threshold's, and the shipped point is what users see)."""
            ranked = engine.explain(question)
            best = ranked[0].confidence if ranked else 0.0
            if best >= threshold and not engine.ask(question).answered:
                return 0.0
            return best

        answerable = [confidence(i["q"]) for i in _sample(articles, count, impossible=False)]
        impossible = [confidence(i["q"]) for i in _sample(articles, count, impossible=True)]
        kb.close()
    curve = []
    for step in range(0, 101):
        t = step / 100
        curve.append({"threshold": t,
                      "answerable_declined": sum(c < t for c in answerable) / len(answerable),
                      "impossible_declined": sum(c < t for c in impossible) / len(impossible)})
    allowed = [p for p in curve if p["answerable_declined"] <= MAX_ANSWERABLE_DECLINED]
    at_target = max(allowed, key=lambda p: p["threshold"]) if allowed else curve[0]
    shipped = max((p for p in curve if p["threshold"] <= threshold + 1e-9),
                  key=lambda p: p["threshold"])
    return {"questions": {"answerable": len(answerable), "impossible": len(impossible)},
            "shipped_threshold": threshold, "at_shipped": shipped,
            "at_5pct_answerable_declined": at_target, "curve": curve}


def plot(results: dict, out: Path) -> None:
    """The refusal curve as a PNG (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = results["v2"]["curve"]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot([100 * p["answerable_declined"] for p in curve],
            [100 * p["impossible_declined"] for p in curve], "-", label="engine")
    ship = results["v2"]["at_shipped"]
    ax.plot([100 * ship["answerable_declined"]], [100 * ship["impossible_declined"]], "o",
            label=f"shipped threshold {results['v2']['shipped_threshold']:.2f}")
    ax.axvline(5, color="grey", lw=0.8, ls="--")
    ax.axhline(60, color="grey", lw=0.8, ls="--", label="target: >= 60% at <= 5%")
    ax.set_xlabel("answerable questions declined, %")
    ax.set_ylabel("impossible questions declined, %")
    ax.set_title(f"SQuAD v2.0 dev refusals ({'reader' if results['reader'] else 'no reader'})")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=100)


def report(results: dict) -> list[str]:
    v1, v2 = results["v1"], results["v2"]
    at, ship = v2["at_5pct_answerable_declined"], v2["at_shipped"]
    return [
        f"SQuAD v1.1 dev, {v1['questions']} questions: right sentence first within its "
        f"article {pct(round(v1['first_in_article'] * 1000), 1000)}, over all 48 articles "
        f"{pct(round(v1['first_pooled'] * 1000), 1000)}",
        f"SQuAD v2.0 dev, {v2['questions']['answerable']} answerable + "
        f"{v2['questions']['impossible']} impossible: at the shipped threshold "
        f"({v2['shipped_threshold']:.2f}) {ship['answerable_declined']:.1%} of answerable and "
        f"{ship['impossible_declined']:.1%} of impossible declined; at <= 5% answerable "
        f"declined (threshold {at['threshold']:.2f}) {at['impossible_declined']:.1%} of "
        "impossible declined",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reader", action="store_true", help="with the reader (READER=1)")
    parser.add_argument("--questions", type=int, default=QUESTIONS)
    parser.add_argument("--plot", type=Path, nargs="?", const=ROOT / "docs" /
                        "squad_v2_refusals.png")
    parser.add_argument("--replot", action="store_true",
                        help="only draw --plot from the last run's data/bench/squad.json")
    args = parser.parse_args()
    if args.replot:
        plot(json.loads(OUT.read_text()), args.plot or ROOT / "docs" / "squad_v2_refusals.png")
        return
    results = {"reader": args.reader, "v1": first_in_article(args.reader, args.questions),
               "v2": refusal_curve(args.reader, args.questions)}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1))
    print("\n".join(report(results)))
    if args.plot:
        plot(results, args.plot)


if __name__ == "__main__":
    main()
