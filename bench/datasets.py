"""The evaluation data of ../shared/eval, turned into article folders and question lists.

Shared by the quality and scale benchmarks and the regression test. Nothing here is tuned
to the data: it only reads it.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSBOT_SHARED", ROOT.parent / "shared"))
EVAL = SHARED / "eval"
XQUAD = EVAL / "xquad.en.json"  # the fit's data: bot/answer/weights.json records its checksum
WIKINEWS = SHARED / "corpus" / "wikinews"
GUM_DEV = SHARED / "corpus" / "gum-dev"  # GUM's interviews and biographies
SEEDS = ROOT / "seeds"


@dataclass(frozen=True)
class Case:
    """A question and the strings any of which must appear in the top fact ([] = decline)."""

    question: str
    expect: tuple[str, ...]
    kind: str = "clean"
    group: str = ""


def seed_cases() -> list[Case]:
    lines = (EVAL / "seed_dev_questions.jsonl").read_text().splitlines()
    return [Case(d["q"], tuple(d["expect"]), d["kind"])
            for d in map(json.loads, filter(None, lines))]


def offtopic_cases() -> list[Case]:
    lines = (EVAL / "offtopic_questions.txt").read_text().splitlines()
    return [Case(line.strip(), (), "offtopic") for line in lines if line.strip()]


def xquad_articles() -> list[dict]:
    return json.loads(XQUAD.read_text())["data"]


def xquad_cases(articles: list[dict] | None = None) -> list[Case]:
    cases = []
    for article in articles or xquad_articles():
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answers = tuple(dict.fromkeys(a["text"] for a in qa["answers"]))
                cases.append(Case(qa["question"], answers, "clean", article["title"]))
    return cases


def write_xquad_folder(folder: Path, articles: list[dict] | None = None) -> Path:
    """Each XQuAD Wikipedia article as one .json article file (title + paragraphs)."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, article in enumerate(articles or xquad_articles()):
        body = "\n\n".join(p["context"] for p in article["paragraphs"])
        record = {"title": article["title"].replace("_", " "), "body": body,
                  "source": "XQuAD (Wikipedia, CC BY-SA 4.0)"}
        (folder / f"xquad_{number:02d}.json").write_text(json.dumps(record, ensure_ascii=False))
    return folder


def copy_seeds(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in SEEDS.iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    return folder


WORD_RE = re.compile(r"[A-Za-z]{4,}")
STOP = {"what", "which", "when", "where", "whom", "whose", "does", "that", "this", "with",
        "from", "have", "were", "many", "much", "there", "their", "they", "been", "into"}


def add_typos(question: str, seed: int = 0) -> str:
    """A deterministic 1-2 character edit in one or two content words of the question."""
    rng = random.Random(f"{seed}:{question}")
    spans = [m for m in WORD_RE.finditer(question) if m.group().lower() not in STOP]
    if not spans:
        return question
    chosen = rng.sample(spans, k=min(len(spans), rng.choice((1, 2))))
    out = question
    for match in sorted(chosen, key=lambda m: -m.start()):
        word = _edit(match.group(), rng)
        out = out[:match.start()] + word + out[match.end():]
    return out


def typo_twins(cases: list[Case]) -> list[Case]:
    """The same questions, each with its deterministic typos (`add_typos`)."""
    return [Case(add_typos(c.question), c.expect, "typo", c.group) for c in cases]


def topic_named(cases: list[Case]) -> list[Case]:
    """The questions that do not name their article's subject, with it named at the end
    ("Which NFL team represented the AFC? " -> "... the AFC in Super Bowl 50?"), as a news
    reader's first question names its topic ("the Hajj stampede near Mecca")."""
    return [named for _, named in topic_named_pairs(cases)]


def topic_named_pairs(cases: list[Case]) -> list[tuple[Case, Case]]:
    """(question as written, the same naming its subject), for those that name none."""
    pairs = []
    for case in cases:
        title = case.group.replace("_", " ")
        subject = {w.lower() for w in WORD_RE.findall(title)} - STOP
        if subject and not subject & {w.lower() for w in WORD_RE.findall(case.question)}:
            pairs.append((case, Case(f"{case.question.rstrip(' ?')} in {title}?", case.expect,
                                     "topic named", case.group)))
    return pairs


def _edit(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("delete", "swap", "replace", "insert"))
    letters = "abcdefghijklmnopqrstuvwxyz"
    if kind == "delete":
        return word[:i] + word[i + 1:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "replace":
        return word[:i] + rng.choice(letters.replace(word[i].lower(), "")) + word[i + 1:]
    return word[:i] + rng.choice(letters) + word[i:]


def wikinews_meta() -> list[dict]:
    return json.loads((WIKINEWS / "meta.json").read_text())
