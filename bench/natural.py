"""Natural-question benchmark: questions written the way readers ask, over articles no one
here wrote (../shared/eval/natural_*.jsonl over ../shared/corpus/gum-dev/).

The knowledge base holds the 39 gum-dev articles and the shipped seeds, loaded as the bot
loads a folder. A question is right when it is answered and its first fact holds one of its
`expect` strings; an unanswerable one (no `expect`) is right when it is declined. Dialogues
are asked turn by turn in one conversation, as a chat would ask them.

The articles are split in two by name (sorted, alternate): `fit` may be used to fit
thresholds, `held-out` never is; the tables give both halves and the whole.
Run: `.venv/bin/python -m bench.natural` (writes data/bench/natural.json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from bench.datasets import EVAL, GUM_DEV, ROOT, copy_seeds, wikinews_meta
from bench.quality import build, hit, pct, summaries
from bot.service import NewsService
from bot.store.conversation import ConversationStore
from bot.store.knowledge import KnowledgeBase

KINDS = ("clean", "typo", "paraphrase", "unanswerable")
TURN_KINDS = ("opening", "followup", "switch", "unanswerable")


def natural_folder(folder: Path) -> Path:
    """The articles the natural set is asked of: the gum-dev articles and the shipped seeds,
    as one folder the bot loads."""
    copy_seeds(folder)
    for path in GUM_DEV.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    return folder


def splits() -> dict[str, str]:
    """Each gum-dev article's half: `fit` or `held-out` (alternate, by sorted name)."""
    names = sorted(p.name for p in GUM_DEV.glob("*.txt"))
    return {name: ("fit" if i % 2 == 0 else "held-out") for i, name in enumerate(names)}


def questions() -> list[dict]:
    return [json.loads(line) for line in (EVAL / "natural_questions.jsonl").read_text()
            .splitlines() if line.strip()]


def dialogues() -> list[dict]:
    return [json.loads(line) for line in (EVAL / "natural_dialogues.jsonl").read_text()
            .splitlines() if line.strip()]


def right(answer, expect: list[str]) -> bool:
    """Answered with the expected sentence first, or declined when nothing should answer."""
    if not expect:
        return not answer.answered
    return answer.answered and bool(answer.facts) and hit(answer.facts[0].text, tuple(expect))


def tally(results: list[tuple[str, str, bool]], kinds: tuple[str, ...]) -> dict:
    """{half: {kind: [right, asked]}} with half in all / fit / held-out."""
    table: dict[str, dict[str, list[int]]] = {}
    for half, kind, ok in results:
        for key in ("all", half):
            row = table.setdefault(key, {k: [0, 0] for k in kinds})[kind]
            row[0] += ok
            row[1] += 1
    return table


def run(service: NewsService) -> dict:
    """Every natural question alone, then every dialogue in its own conversation."""
    half = splits()
    single, misses = [], Counter()
    for item in questions():
        answer = service.ask(item["q"])
        ok = right(answer, item["expect"])
        single.append((half[item["article"]], item["kind"], ok))
        if not ok:
            misses["declined" if item["expect"] and not answer.answered else "wrong"] += 1
    turns = []
    for dialogue in dialogues():
        for turn in dialogue["turns"]:
            answer = service.ask(turn["q"], conversation=f"natural-{dialogue['id']}")
            turns.append((half[turn["article"]], turn["kind"], right(answer, turn["expect"])))
    return {"questions": tally(single, KINDS), "dialogues": tally(turns, TURN_KINDS),
            "misses": dict(misses)}


def report(results: dict) -> list[str]:
    lines = []
    for name, kinds in (("questions", KINDS), ("dialogues", TURN_KINDS)):
        lines += [f"natural {name}: right (declined, for unanswerable)", "",
                  "| half | " + " | ".join(kinds) + " |", "|---" * (len(kinds) + 1) + "|"]
        for half in ("all", "fit", "held-out"):
            row = results[name][half]
            lines.append(f"| {half} | " + " | ".join(
                f"{pct(*row[k])} ({row[k][0]}/{row[k][1]})" for k in kinds) + " |")
        lines.append("")
    lines.append(f"answerable questions missed: {results['misses']}")
    lines += ["", "summaries against the human ones (Wikinews and gum-dev meta.json)", "",
              *results.get("summaries", [])]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexical", action="store_true",
                        help="without the MiniLM re-rank (SEMANTIC=0)")
    parser.add_argument("--reader", action="store_true", help="with the reader (READER=1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = natural_folder(Path(tmp) / "articles")
        build(folder, Path(tmp) / "kb.sqlite3")
        service = NewsService(Path(tmp) / "kb.sqlite3", folder, semantic=not args.lexical,
                              conversations=ConversationStore(":memory:"), reader=args.reader)
        results = run(service)
        kb = KnowledgeBase(Path(tmp) / "kb.sqlite3")
        metas = wikinews_meta() + json.loads((GUM_DEV / "meta.json").read_text())
        results["summaries"] = summaries(kb, metas)
        kb.close()
    print("\n".join(report(results)))
    out = ROOT / "data" / "bench" / "natural.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
