"""Sentence boundaries against GUM's: how many of GUM's sentences the loader's split keeps whole.

The 63 texts are GUM documents (../shared/corpus/gum-dev: 19 interviews, 20 biographies;
../shared/corpus/wikinews: 24 news articles), and GUM's annotators marked their sentences
(the `# text =` lines of its dep/*.conllu). bench/data/gum_sentences.json.gz holds those
sentence texts, written by `--extract` from a snapshot of https://github.com/amir-zeldes/gum
(bench/data/README.md: its commit and licences).

Each file is read as the loader reads it (parse_file_text, clean_paragraphs, split_sentences:
bench.splitters.file_paragraphs) and its sentences are laid beside GUM's, token by token
(words and single punctuation marks; whitespace and citation marks such as "[17]" ignored,
dashes folded into "-"; the corpus
files differ from GUM's text in spacing only, plus the speaker's name before an interview
turn and Wikipedia citation marks). A GUM sentence agrees when the loader has one sentence
spanning exactly it: both of its boundaries and no cut inside. Text the loader puts between
two GUM sentences (a speaker's name) may hold the loader's boundary. GUM sentences the loader
does not keep (the title and date lines, headings, captions and other lines the cleaning
drops: fewer than half of their tokens are in the loader's text) are not scored, and counted.

Run: `.venv/bin/python -m bench.sentences [--show N]` (writes data/bench/sentences.json);
`.venv/bin/python -m bench.sentences --extract <gum git dir>` rewrites the data file (the
fetch tool's snapshot is a bare git dir: its HEAD is read).
"""

from __future__ import annotations

import argparse
import bisect
import difflib
import gzip
import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.datasets import GUM_DEV, ROOT, WIKINEWS
from bench.splitters import file_paragraphs, kept_paragraphs
from bot.ingest.sentences import SPLITTER, SPLITTERS, split_sentences
from bot.text.words import normalize

DATA = ROOT / "bench" / "data" / "gum_sentences.json.gz"
OUT = ROOT / "data" / "bench" / "sentences.json"
SOURCES = {"gum-dev": GUM_DEV, "wikinews": WIKINEWS}
GUM_URL = "https://github.com/amir-zeldes/gum"
LICENCE = ("GUM annotations CC BY 4.0; texts: Wikinews CC BY 2.5, Wikipedia CC BY-SA 3.0 "
           "(Wikinews and Wikipedia contributors)")
TEXT_PREFIX = "# text = "
TOKEN_RE = re.compile(r"\w+|[^\w\s]")
CITATION_RE = re.compile(r"\[\s*\d{1,3}\s*\]")  # "[17]": the cleaning drops them, GUM keeps them
DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "―": "-", "−": "-"})
MIN_KEPT_SHARE = 0.5  # a GUM sentence with fewer of its tokens in the loader's text is not scored


def tokens(text: str) -> list[str]:
    """Words and single punctuation marks: spacing, which the loader repairs, does not count."""
    return TOKEN_RE.findall(CITATION_RE.sub(" ", normalize(text)).translate(DASHES))


# --- the data file ---------------------------------------------------------------------------


def corpus_names() -> list[str]:
    """The 63 GUM documents of the two corpus folders, by file stem."""
    return sorted(path.stem for folder in SOURCES.values() for path in folder.glob("GUM_*.txt"))


def git(gitdir: Path, *args: str) -> str:
    """The output of a git command run on the (bare) snapshot."""
    return subprocess.run(["git", f"--git-dir={gitdir}", *args], check=True,
                          capture_output=True, text=True).stdout


def conllu_sentences(conllu: str) -> list[str]:
    """The sentence texts of one document, in order (its `# text =` lines)."""
    return [line[len(TEXT_PREFIX):] for line in conllu.splitlines()
            if line.startswith(TEXT_PREFIX)]


def extract(gitdir: Path) -> dict:
    """GUM's sentences of every corpus document, with the snapshot's commit and the licences."""
    commit = git(gitdir, "rev-parse", "HEAD").strip()
    documents = {name: conllu_sentences(git(gitdir, "show", f"{commit}:dep/{name}.conllu"))
                 for name in corpus_names()}
    return {"source": GUM_URL, "commit": commit, "path": "dep/<document>.conllu, # text =",
            "licence": LICENCE, "documents": documents}


def write_data(data: dict, path: Path = DATA) -> None:
    """Write the data file reproducibly (no time stamp in the gzip header)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, indent=0).encode()
    path.write_bytes(gzip.compress(raw, mtime=0))


def read_data(path: Path = DATA) -> dict:
    """The data file: {"source", "commit", "licence", "documents": {stem: [sentence, ...]}}."""
    return json.loads(gzip.decompress(path.read_bytes()))


# --- the comparison --------------------------------------------------------------------------


@dataclass
class Spans:
    """Sentences laid end to end as tokens: `starts[i]` is sentence i's first token."""

    sentences: list[str]
    tokens: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for sentence in self.sentences:
            self.starts.append(len(self.tokens))
            self.tokens.extend(tokens(sentence))

    def span(self, i: int) -> tuple[int, int]:
        """Sentence i's tokens: start (included) and end (excluded)."""
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.tokens)
        return self.starts[i], end

    def boundaries(self) -> list[int]:
        """Token positions where a sentence starts or the text ends, sorted."""
        return sorted({*self.starts, len(self.tokens)})

    def covering(self, start: int, end: int) -> list[str]:
        """The sentences that hold any of the tokens start..end-1."""
        first = max(bisect.bisect_right(self.starts, start) - 1, 0)
        last = bisect.bisect_left(self.starts, end)
        return self.sentences[first:max(last, first + 1)]


@dataclass
class Verdict:
    """One GUM sentence: scored or not, and how the loader's split differs from it."""

    text: str
    scored: bool
    joined: bool = False  # a boundary of GUM's is missing: the loader joins it to a neighbour
    cut: bool = False  # the loader cuts inside it
    loader: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return self.scored and not (self.joined or self.cut)


class Alignment:
    """GUM's tokens of a document mapped onto the loader's, where the two are the same."""

    def __init__(self, gum: Spans, loader: Spans) -> None:
        self.gum, self.loader = gum, loader
        self.mapped: list[int | None] = [None] * len(gum.tokens)
        matcher = difflib.SequenceMatcher(None, gum.tokens, loader.tokens, autojunk=False)
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                self.mapped[block.a + k] = block.b + k
        self.scored = [self.kept(i) for i in range(len(gum.sentences))]
        for i, scored in enumerate(self.scored):
            if not scored:  # a dropped title's words matched by chance elsewhere must not
                start, end = gum.span(i)  # narrow a kept sentence's window
                self.mapped[start:end] = [None] * (end - start)
        self.cuts = loader.boundaries()

    def kept(self, i: int) -> bool:
        """True when the loader's text holds enough of GUM's sentence i to score it."""
        start, end = self.gum.span(i)
        mapped = sum(m is not None for m in self.mapped[start:end])
        return end > start and mapped >= MIN_KEPT_SHARE * (end - start)

    def window(self, position: int) -> tuple[int, int]:
        """The loader's positions a GUM boundary before token `position` may fall on: from just
        after the last kept token before it to the first kept token from it on (text only the
        loader has, such as a speaker's name, lies between the two)."""
        before = next((m for m in reversed(self.mapped[:position]) if m is not None), None)
        after = next((m for m in self.mapped[position:] if m is not None), None)
        return (0 if before is None else before + 1,
                len(self.loader.tokens) if after is None else after)

    def cuts_between(self, low: int, high: int) -> int:
        """How many loader boundaries lie in low..high (both included)."""
        return bisect.bisect_right(self.cuts, high) - bisect.bisect_left(self.cuts, low)

    def verdict(self, i: int) -> Verdict:
        """GUM's sentence i against the loader's: a boundary is kept when a loader boundary
        lies in its window; a loader boundary between the two windows is a cut inside."""
        start, end = self.gum.span(i)
        text = self.gum.sentences[i]
        if not self.scored[i]:
            return Verdict(text, scored=False)
        (start_low, start_high), (end_low, end_high) = self.window(start), self.window(end)
        joined = not (self.cuts_between(start_low, start_high)
                      and self.cuts_between(end_low, end_high))
        cut = self.cuts_between(start_high + 1, end_low - 1) > 0
        return Verdict(text, True, joined, cut, self.loader.covering(start_high, end_low))


Paragraphs = Callable[[Path], list[str]]


def loader_sentences(path: Path, splitter: str = SPLITTER,
                     paragraphs: Paragraphs = file_paragraphs) -> list[str]:
    """The file's sentences as the loader splits them."""
    return [s for paragraph in paragraphs(path) for s in split_sentences(paragraph, splitter)]


def judge(gum_sentences: list[str], path: Path, splitter: str = SPLITTER,
          paragraphs: Paragraphs = file_paragraphs) -> list[Verdict]:
    """A verdict for each of GUM's sentences of the document in the file."""
    alignment = Alignment(Spans(gum_sentences),
                          Spans(loader_sentences(path, splitter, paragraphs)))
    return [alignment.verdict(i) for i in range(len(gum_sentences))]


def tally(verdicts: list[Verdict]) -> dict:
    """Counts of a set of verdicts and the share of scored sentences that agree."""
    scored = [v for v in verdicts if v.scored]
    agree = sum(v.agrees for v in scored)
    return {"sentences": len(verdicts), "scored": len(scored),
            "excluded": len(verdicts) - len(scored), "agree": agree,
            "share": round(agree / len(scored), 4) if scored else None,
            "joined": sum(v.joined for v in scored), "cut": sum(v.cut for v in scored)}


def measure(documents: dict[str, list[str]], splitter: str = SPLITTER,
            paragraphs: Paragraphs = file_paragraphs) -> tuple[dict, dict[str, list[Verdict]]]:
    """Per-text, per-folder and pooled tallies, and every document's verdicts."""
    verdicts: dict[str, list[Verdict]] = {}
    folders: dict[str, list[Verdict]] = {}
    for folder, root in SOURCES.items():
        for path in sorted(root.glob("GUM_*.txt")):
            verdicts[path.stem] = judge(documents[path.stem], path, splitter, paragraphs)
            folders.setdefault(folder, []).extend(verdicts[path.stem])
    report = {"splitter": splitter, "pooled": tally([v for vs in verdicts.values() for v in vs]),
              **{folder: tally(vs) for folder, vs in folders.items()},
              "texts": {name: tally(vs) for name, vs in verdicts.items()}}
    return report, verdicts


def show(verdicts: dict[str, list[Verdict]], limit: int) -> None:
    """Print the first `limit` disagreements: GUM's sentence and the loader's pieces."""
    shown = 0
    for name, found in verdicts.items():
        for verdict in found:
            if verdict.scored and not verdict.agrees and shown < limit:
                shown += 1
                kind = "+".join(k for k in ("joined", "cut") if getattr(verdict, k))
                print(f"--- {name} ({kind})\nGUM:    {verdict.text}")
                for piece in verdict.loader:
                    print(f"loader: {piece}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", type=Path, metavar="GITDIR",
                        help="write the data file from this snapshot of GUM and stop")
    parser.add_argument("--show", type=int, default=0, help="disagreements printed")
    parser.add_argument("--worst", type=int, default=8, help="worst texts printed")
    parser.add_argument("--splitter", choices=sorted(SPLITTERS), default=SPLITTER,
                        help=f"the raw split under the repairs (the loader's: {SPLITTER})")
    parser.add_argument("--kept", action="store_true",
                        help="split the paragraphs the loader makes facts of (also speech "
                             "turns, infobox rows, list items), not the prose alone")
    args = parser.parse_args()
    if args.extract:
        write_data(extract(args.extract))
        print(f"wrote {DATA}")
        return
    report, verdicts = measure(read_data()["documents"], args.splitter,
                               kept_paragraphs if args.kept else file_paragraphs)
    show(verdicts, args.show)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1))
    worst = sorted(report["texts"].items(), key=lambda item: item[1]["share"] or 1.0)
    print(json.dumps({k: v for k, v in report.items() if k != "texts"}))
    for name, row in worst[:args.worst]:
        print(f"{name}: {row['agree']}/{row['scored']} ({row['share']:.1%}), "
              f"joined {row['joined']}, cut {row['cut']}, excluded {row['excluded']}")


if __name__ == "__main__":
    main()
