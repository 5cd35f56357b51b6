"""Deterministic N-article corpora for the scale benchmark, from real sentences.

Run: `.venv/bin/python -m bench.corpus --size 100000` (writes data/bench/corpus-100000).

Every corpus holds the real articles (the seeds folder and the 48 XQuAD articles, whose
questions measure accuracy) plus N - 73 synthetic articles. A synthetic article is a few
runs of consecutive real sentences from different real articles. In each sentence every
name and number and about a third of the other content words are redrawn from Pitman-Yor
word processes, one for names and one for the rest (discount HEAPS_EXPONENT): mostly a
word already in use, chosen in proportion to its use so far, and sometimes a new word
minted from syllables of the real rare words. That gives a Zipf-shaped, long-tailed
vocabulary that keeps growing with the corpus like real text (Heaps' law, V ~ tokens^0.6)
instead of the same few thousand words repeated.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.datasets import ROOT, SEEDS, copy_seeds, write_xquad_folder, xquad_articles
from bot.ingest.articles import read_articles
from bot.ingest.sentences import split_sentences
from bot.text.words import STOPWORDS

SIZES = (100, 1_000, 10_000, 100_000)
SENTENCES_PER_ARTICLE = (10, 40)  # uniform: 25 on average, ~2.5M facts at N = 100,000
RUN_LENGTH = (3, 12)  # consecutive sentences taken from one real article
REDRAW_SHARE = 0.33  # share of content words redrawn from the word process
HEAPS_EXPONENT = 0.6  # Pitman-Yor discount = the Heaps exponent of the new words
STRENGTH = 2_000.0  # Pitman-Yor concentration: how readily early draws mint words
FILES_PER_FOLDER = 1_000
TOKEN_RE = re.compile(r"([A-Za-z]+)")
NUMBER_RE = re.compile(r"\d+")
SYLLABLE_RE = re.compile(r"[^aeiouy]*[aeiouy]+")  # onset + vowels
ENDING_RE = re.compile(r"[^aeiouy]*[aeiouy]+[^aeiouy]{0,2}$")


@dataclass(frozen=True)
class Source:
    """A real article's sentences, split the way the loader splits them."""

    title: str
    sentences: list[str]


def real_sources() -> list[Source]:
    """The seed and Wikinews articles and the XQuAD paragraphs, as sentence lists."""
    sources = []
    for path in sorted(SEEDS.iterdir()):
        if path.is_file() and not path.name.startswith(("_", ".")):
            for article in read_articles(path, SEEDS):
                sources.append(Source(article.title, [f.text for f in article.facts]))
    for article in xquad_articles():
        # syntok, whatever is installed: a corpus is the same on every machine.
        sentences = [s for p in article["paragraphs"]
                     for s in split_sentences(p["context"], "syntok")]
        sources.append(Source(article["title"].replace("_", " "), sentences))
    return sources


def is_content(token: str) -> bool:
    return len(token) >= 4 and token.lower() not in STOPWORDS


def is_name(token: str) -> bool:
    """Capitalised words that are not stopwords ("The", "In") are names for our purpose."""
    return len(token) >= 2 and token[0].isupper() and token.lower() not in STOPWORDS


class WordProcess:
    """Pitman-Yor draws over words: reuse in proportion to use, or mint a new word."""

    def __init__(self, rng: random.Random, real_words: list[str]) -> None:
        self.rng = rng
        self.history = list(real_words)  # one entry per use: picking one is picking by use
        self.known = set(real_words)
        counts = Counter(real_words)
        rare = [w for w, n in counts.items() if n == 1 and len(w) >= 6]
        self.syllables = sorted({s for w in rare for s in SYLLABLE_RE.findall(w)[:-1]})
        self.endings = sorted({m.group() for w in rare if (m := ENDING_RE.search(w))})
        self.minted = 0

    def draw(self) -> str:
        n, k = len(self.history), len(self.known)
        if self.rng.random() < (STRENGTH + HEAPS_EXPONENT * k) / (STRENGTH + n):
            word = self._mint()
        else:
            word = self.history[self.rng.randrange(n)]
        self.history.append(word)
        return word

    def _mint(self) -> str:
        while True:
            head = (self.rng.choice(self.syllables) for _ in range(self.rng.choice((1, 1, 2, 3))))
            word = "".join(head) + self.rng.choice(self.endings)
            if len(word) >= 4 and word not in self.known:
                self.known.add(word)
                self.minted += 1
                return word


class CorpusBuilder:
    """Writes synthetic articles one by one; the same seed gives the same files."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.sources = real_sources()
        tokens = [t for s in self.sources for sentence in s.sentences
                  for t in TOKEN_RE.findall(sentence)]
        self.words = WordProcess(self.rng, [t for t in tokens if is_content(t) and t.islower()])
        self.names = WordProcess(random.Random(seed + 1),
                                 [t.lower() for t in tokens if is_name(t)])

    def redraw(self, sentence: str) -> str:
        """Every name and number anew, and REDRAW_SHARE of the other content words.

        A copied sentence is then another event told the same way ("X beat Y 24-10 in Z"),
        never a second copy of a real fact with one detail changed: with ~1,500 uses of
        each real sentence at N = 100,000, such copies would outnumber the real fact and
        turn accuracy at scale into a coin toss between near-identical sentences.
        """
        sentence = NUMBER_RE.sub(lambda m: str(self.rng.randrange(10 ** len(m.group())))
                                 .zfill(len(m.group())), sentence)
        parts = TOKEN_RE.split(sentence)
        for i in range(1, len(parts), 2):
            token = parts[i]
            if is_name(token):
                name = self.names.draw()
                parts[i] = name.upper() if token.isupper() else name.capitalize()
            elif is_content(token) and self.rng.random() < REDRAW_SHARE:
                parts[i] = self.words.draw()
        return "".join(parts)

    def article(self) -> dict[str, str]:
        rng = self.rng
        target = rng.randint(*SENTENCES_PER_ARTICLE)
        paragraphs: list[list[str]] = []
        while sum(len(p) for p in paragraphs) < target:
            source = rng.choice(self.sources)
            run = min(rng.randint(*RUN_LENGTH), target - sum(len(p) for p in paragraphs))
            start = rng.randrange(max(len(source.sentences) - run, 0) + 1)
            paragraphs.append([self.redraw(s) for s in source.sentences[start:start + run]])
        title_words = paragraphs[0][0].split()[: rng.randint(4, 9)]
        day = rng.randrange(1, 29)
        return {"title": " ".join(title_words).rstrip(",.;:"),
                "date": f"20{rng.randrange(10, 27)}-{rng.randrange(1, 13):02d}-{day:02d}",
                "body": "\n\n".join(" ".join(p) for p in paragraphs),
                "source": "synthetic (bench.corpus)"}


REAL_ARTICLES = 25 + 48  # the seeds folder (seed + 24 Wikinews) and XQuAD


def build_corpus(size: int, out: Path, seed: int = 1, quiet: bool = True) -> Path:
    """Write a `size`-article folder (real articles + synthetic ones) and return it."""
    if size < REAL_ARTICLES:
        raise ValueError(f"a corpus holds the {REAL_ARTICLES} real articles; size {size} is less")
    out.mkdir(parents=True, exist_ok=True)
    copy_seeds(out)
    write_xquad_folder(out / "xquad")
    builder = CorpusBuilder(seed)
    synthetic = size - REAL_ARTICLES
    start = time.perf_counter()
    for number in range(synthetic):
        folder = out / "gen" / f"{number // FILES_PER_FOLDER:03d}"
        if number % FILES_PER_FOLDER == 0:
            folder.mkdir(parents=True, exist_ok=True)
            if not quiet:
                print(f"\r{number:,}/{synthetic:,} synthetic articles", end="", flush=True)
        text = json.dumps(builder.article(), ensure_ascii=False)
        (folder / f"a{number:06d}.json").write_text(text, encoding="utf-8")
    if not quiet:
        print(f"\r{synthetic:,} synthetic articles in {time.perf_counter() - start:.1f} s, "
              f"{builder.words.minted + builder.names.minted:,} words minted")
    return out


def corpus_path(size: int) -> Path:
    return ROOT / "data" / "bench" / f"corpus-{size}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, action="append",
                        help=f"articles (repeatable; default {', '.join(map(str, SIZES))})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="folder (default data/bench/corpus-N)")
    args = parser.parse_args()
    for size in args.size or SIZES:
        out = args.out or corpus_path(size)
        build_corpus(size, out, args.seed, quiet=False)
        print(out)


if __name__ == "__main__":
    main()
