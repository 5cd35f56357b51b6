"""Answer-quality benchmark: ours beside the naive baselines, on data no one here wrote.

Run: `.venv/bin/python -m bench.quality` (add `--small` for the quick version the tests use).
Prints a Markdown report (paste into docs/BENCHMARKS.md) and writes data/bench/quality.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from bench.datasets import (
    ROOT,
    Case,
    copy_seeds,
    offtopic_cases,
    seed_cases,
    topic_named_pairs,
    typo_twins,
    wikinews_meta,
    write_xquad_folder,
    xquad_articles,
    xquad_cases,
)
from bench.rouge import rouge_n
from bot.answer.answers import AnswerEngine
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory
from bot.text.words import words

Ranker = Callable[[str], list[tuple[str, float]]]


@dataclass
class Score:
    """hit@1 / hit@3 over answerable cases, declines over all cases."""

    name: str
    n: int = 0
    hit1: int = 0
    hit3: int = 0
    declined: int = 0
    seconds: list[float] = field(default_factory=list)

    def row(self) -> str:
        p50 = statistics.median(self.seconds) * 1000 if self.seconds else 0.0
        return (f"| {self.name} | {self.n} | {pct(self.hit1, self.n)} | {pct(self.hit3, self.n)}"
                f" | {pct(self.declined, self.n)} | {p50:.2f} |")


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def hit(text: str, expect: tuple[str, ...]) -> bool:
    return any(e in text for e in expect)


def evaluate(name: str, rank: Ranker, cases: list[Case],
             answered: Callable[[float], bool] = lambda c: True) -> Score:
    score = Score(name)
    for case in cases:
        start = time.perf_counter()
        top = rank(case.question)
        score.seconds.append(time.perf_counter() - start)
        score.n += 1
        if not top or not answered(top[0][1]):
            score.declined += 1
        if top and hit(top[0][0], case.expect):
            score.hit1 += 1
        if any(hit(text, case.expect) for text, _ in top[:3]):
            score.hit3 += 1
    return score


def fuzz_baseline(kb: KnowledgeBase) -> Ranker:
    """rapidfuzz full scan over every fact with token_set_ratio (the naive fuzzy way)."""
    facts = [row[0] for row in kb.db.execute("SELECT text FROM facts")]
    def rank(question: str) -> list[tuple[str, float]]:
        found = process.extract(question, facts, scorer=fuzz.token_set_ratio, limit=3,
                                processor=str.lower)
        return [(text, sc / 100) for text, sc, _ in found]
    return rank


def bm25_baseline(kb: KnowledgeBase) -> Ranker:
    """FTS5 bm25() alone (never the fact index): every word of the question, OR-ed."""
    def rank(question: str) -> list[tuple[str, float]]:
        terms = list(dict.fromkeys(words(question)))
        if not terms:
            return []
        return [(row.text, 1.0) for row in kb.search(terms, 3, method="fts")]
    return rank


def build(folder: Path, db: Path, read: bool = False) -> tuple[KnowledgeBase, AnswerEngine]:
    kb = KnowledgeBase(db)
    report = load_directory(kb, folder)
    if report.failed:
        raise SystemExit(f"benchmark articles failed to load: {report.failed}")
    return kb, AnswerEngine(kb, read=read)


def confident(engine: AnswerEngine) -> Callable[[float], bool]:
    """Whether a confidence is high enough for `engine` to answer (its model's threshold)."""
    return lambda confidence: confidence >= engine.confidence_model.threshold


def calibration(engine: AnswerEngine, cases: list[Case], offtopic: list[Case]) -> list[str]:
    """Reliability table: in each confidence band, how often the top fact is right."""
    bands: dict[int, list[bool]] = {}
    for case in cases + offtopic:
        top = engine.ranked(case.question, 1)
        if not top:
            continue
        band = min(int(top[0][1] * 10), 9)
        bands.setdefault(band, []).append(bool(case.expect) and hit(top[0][0], case.expect))
    lines = ["| confidence | questions | top fact right |", "|---|---|---|"]
    for band in sorted(bands):
        right = bands[band]
        lines.append(f"| {band / 10:.1f}-{(band + 1) / 10:.1f} | {len(right)} | "
                     f"{pct(sum(right), len(right))} |")
    return lines


def facts_shown(engine: AnswerEngine, cases: list[Case]) -> str:
    """What the close runners-up shown beside the best fact are worth: how often the answer
    is in the best fact, in any fact shown, and how many shown facts do not hold it."""
    answered = first = anywhere = shown = 0
    for case in cases:
        answer = engine.ask(case.question)
        if not answer.answered:
            continue
        found = [hit(f.text, case.expect) for f in answer.facts]
        answered += 1
        shown += len(found)
        first += found[0]
        anywhere += any(found)
    return (f"{answered} answers, {shown / answered:.2f} facts each: the answer in the first "
            f"fact {pct(first, answered)}, in a fact shown {pct(anywhere, answered)}; "
            f"{shown - answered - (anywhere - first)} of the {shown - answered} runners-up "
            f"shown add no answer")


def summaries(kb: KnowledgeBase, metas: list[dict] | None = None) -> list[str]:
    """ROUGE-1/2 F1 of our summaries and of lead-2 against human summaries (`metas`: items
    with `file` and `human_summary`; the Wikinews ones by default)."""
    ours1, ours2, lead1, lead2 = [], [], [], []
    for meta in wikinews_meta() if metas is None else metas:
        row = kb.db.execute("SELECT id, summary FROM articles WHERE source_file = ?",
                            [meta["file"]]).fetchone()
        if row is None or not meta.get("human_summary"):
            continue
        facts = kb.facts_of(row[0])
        lead = " ".join(facts[:2])
        reference = meta["human_summary"]
        ours1.append(rouge_n(row[1], reference, 1))
        ours2.append(rouge_n(row[1], reference, 2))
        lead1.append(rouge_n(lead, reference, 1))
        lead2.append(rouge_n(lead, reference, 2))
    mean = statistics.mean
    return [
        "| summary | articles | ROUGE-1 F1 | ROUGE-2 F1 |", "|---|---|---|---|",
        f"| ours | {len(ours1)} | {100 * mean(ours1):.1f} | {100 * mean(ours2):.1f} |",
        f"| lead-2 facts | {len(lead1)} | {100 * mean(lead1):.1f} | {100 * mean(lead2):.1f} |",
    ]


HEADER = ["| method | questions | hit@1 | hit@3 | declined | p50 ms |",
          "|---|---|---|---|---|---|"]


def run(small: bool = False, read: bool = False, guard: bool = False) -> dict:
    """Build the knowledge bases, run every measurement, return the numbers and the report.
    `guard`: only what the regression guard checks (tests/answer/test_answer_quality.py),
    leaving out the variants and tables it does not, which are most of its time."""
    articles = xquad_articles()
    if small:
        articles = articles[::6]
    xcases = xquad_cases(articles)
    out: list[str] = [f"Machine: {platform.machine()}, Python {platform.python_version()}, "
                      f"{platform.platform()}", ""]
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        seed_kb, seed_engine = build(copy_seeds(tmpdir / "seeds"), tmpdir / "seed.sqlite3",
                                     read)
        xq_kb, xq_engine = build(write_xquad_folder(tmpdir / "xquad", articles),
                                 tmpdir / "xquad.sqlite3", read)
        all_dir = copy_seeds(tmpdir / "all")
        write_xquad_folder(all_dir, articles)
        all_kb, all_engine = build(all_dir, tmpdir / "all.sqlite3", read)

        seeds = seed_cases()
        answerable = [c for c in seeds if c.expect]
        out += ["### Seed dev questions (seed + Wikinews loaded)", "", *HEADER]
        for name, ranker in (("ours", seed_engine.ranked), ("FTS5 bm25 alone",
                             bm25_baseline(seed_kb)), ("rapidfuzz token_set_ratio scan",
                             fuzz_baseline(seed_kb))):
            out.append(evaluate(name, ranker, answerable).row())
        seed_score = evaluate("ours", seed_engine.ranked, answerable, confident(seed_engine))
        unanswerable = [c for c in seeds if not c.expect]
        declined = sum(not seed_engine.ask(c.question).answered for c in unanswerable)
        results |= {"seed_hit1": seed_score.hit1 / seed_score.n,
                    "seed_answered_right": _answered_right(seed_engine, answerable),
                    "seed_unanswerable_declined": declined / len(unanswerable)}
        out += ["", f"Answered and right at hit@1: "
                f"{pct(round(results['seed_answered_right'] * len(answerable)), len(answerable))}"
                f"; unanswerable declined: {declined}/{len(unanswerable)}", ""]

        typo_cases = typo_twins(xcases)
        out += [f"### XQuAD ({len(articles)} Wikipedia articles in one knowledge base)", "",
                *HEADER]
        ours = evaluate("ours", xq_engine.ranked, xcases, confident(xq_engine))
        ours_typo = evaluate("ours, typo questions", xq_engine.ranked, typo_cases,
                             confident(xq_engine))
        xq_lexical = AnswerEngine(xq_kb, semantic=False)
        lexical = evaluate("ours without MiniLM (static vectors)", xq_lexical.ranked, xcases,
                           confident(xq_lexical))
        bm25 = evaluate("FTS5 bm25 alone", bm25_baseline(xq_kb), xcases)
        fuzzy = evaluate("rapidfuzz token_set_ratio scan", fuzz_baseline(xq_kb), xcases)
        results |= {"xquad_hit1": ours.hit1 / ours.n, "xquad_hit3": ours.hit3 / ours.n,
                    "xquad_typo_hit1": ours_typo.hit1 / ours_typo.n,
                    "xquad_typo_declined": ours_typo.declined / ours_typo.n,
                    "bm25_hit1": bm25.hit1 / bm25.n, "fuzz_hit1": fuzzy.hit1 / fuzzy.n,
                    "lexical_hit1": lexical.hit1 / lexical.n}
        off_declined, wrongly = _refusals(all_engine, offtopic_cases(), xcases)
        results |= {"offtopic_declined": off_declined / len(offtopic_cases()),
                    "answerable_declined": wrongly / len(xcases)}
        if guard:
            for kb in (seed_kb, xq_kb, all_kb):
                kb.close()
            return {"results": results, "report": ""}
        bm25_typo = evaluate("FTS5 bm25 alone, typo questions", bm25_baseline(xq_kb), typo_cases)
        fuzzy_typo = evaluate("rapidfuzz scan, typo questions", fuzz_baseline(xq_kb), typo_cases)
        # The questions that do not name their article's subject, as written and with it
        # named (bench.datasets.topic_named): naming the topic should cost nothing.
        pairs = topic_named_pairs(xcases)
        short, named = [p[0] for p in pairs], [p[1] for p in pairs]
        ours_short = evaluate("ours, questions not naming their topic", xq_engine.ranked, short,
                              confident(xq_engine))
        ours_named = evaluate("ours, the same naming their topic", xq_engine.ranked, named,
                              confident(xq_engine))
        out += [s.row() for s in (ours, ours_typo, ours_short, ours_named, lexical, bm25,
                                  bm25_typo, fuzzy, fuzzy_typo)]
        results |= {"xquad_short_hit1": ours_short.hit1 / ours_short.n,
                    "xquad_topic_named_hit1": ours_named.hit1 / ours_named.n}

        offtopic = offtopic_cases()
        out += ["", "### Refusals (seed + Wikinews + XQuAD loaded together)", ""]
        for name, engine in (("ours", all_engine),
                             ("ours without MiniLM (static vectors)",
                              AnswerEngine(all_kb, semantic=False))):
            off_declined, wrongly = _refusals(engine, offtopic, xcases)
            out += [f"- {name}: off-topic questions declined or greeted "
                    f"{off_declined}/{len(offtopic)} ({pct(off_declined, len(offtopic))}); "
                    f"answerable XQuAD questions wrongly declined {wrongly}/{len(xcases)} "
                    f"({pct(wrongly, len(xcases))})"]
        out += ["",
                "### Calibration (XQuAD + off-topic, knowledge base of everything)", "",
                *calibration(all_engine, xcases, offtopic), "",
                "### Facts shown (XQuAD, answered questions)", "", facts_shown(xq_engine, xcases),
                "",
                "### Summaries (Wikinews human summaries)", "", *summaries(seed_kb)]
        for kb in (seed_kb, xq_kb, all_kb):
            kb.close()
    return {"results": results, "report": "\n".join(out)}


def _refusals(engine: AnswerEngine, offtopic: list[Case], answerable: list[Case]
              ) -> tuple[int, int]:
    """(off-topic questions declined, answerable ones wrongly declined)."""
    return (sum(not engine.ask(c.question).answered for c in offtopic),
            sum(not engine.ask(c.question).answered for c in answerable))


def _answered_right(engine: AnswerEngine, cases: list[Case]) -> float:
    good = 0
    for case in cases:
        answer = engine.ask(case.question)
        good += bool(answer.answered and hit(answer.facts[0].text, case.expect))
    return good / len(cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="every 6th XQuAD article only")
    parser.add_argument("--reader", action="store_true", help="with the reader (READER=1)")
    args = parser.parse_args()
    outcome = run(small=args.small, read=args.reader)
    print(outcome["report"])
    target = ROOT / "data" / "bench"
    target.mkdir(parents=True, exist_ok=True)
    (target / "quality.json").write_text(json.dumps(outcome["results"], indent=1))
    print("\n" + json.dumps(outcome["results"], indent=1))


if __name__ == "__main__":
    main()
