"""blingfire against syntok: speed, and the paragraphs the two split differently.

Run: `.venv/bin/python -m bench.splitters [--show N]` (needs blingfire installed). The
paragraphs are those the loader splits (cleaned as it cleans them) of the seeds, the 48
XQuAD articles and the Wikinews corpus; each is split by `split_sentences` with either raw
splitter, the repairs on top. Prints the counts, the times and the first N differences.
"""

from __future__ import annotations

import argparse
import difflib
import json
import tempfile
import time
from pathlib import Path

from bench.datasets import SEEDS, WIKINEWS, write_xquad_folder
from bot.ingest.blocks import body_facts
from bot.ingest.cleaning import clean_paragraphs
from bot.ingest.formats import RawArticle, parse_file_text
from bot.ingest.reading import ArticleError, decode
from bot.ingest.sentences import SPLITTERS, split_sentences
from bot.store.loading import scan
from bot.text.words import normalize


def paragraphs(folder: Path) -> list[str]:
    """The cleaned paragraphs of every article file in the folder, as the loader has them."""
    return [paragraph for path in scan(folder) for paragraph in file_paragraphs(path)]


def file_articles(path: Path) -> list[RawArticle]:
    """The file's articles as the loader parses them; none when the file is not an article
    (the corpus's meta.json)."""
    try:
        return parse_file_text(path, decode(path.read_bytes()))
    except ArticleError:
        return []


def file_paragraphs(path: Path) -> list[str]:
    """The cleaned paragraphs of one file's articles, as the loader has them."""
    return [paragraph for raw in file_articles(path)
            for paragraph in clean_paragraphs([normalize(line) for line in raw.lines])]


def kept_paragraphs(path: Path) -> list[str]:
    """The paragraphs the loader makes facts of (bot/ingest/blocks.py): the prose, and also
    speech turns however short, infobox rows and list items."""
    return [paragraph for raw in file_articles(path) for paragraph in body_facts(
        [normalize(line) for line in raw.lines], normalize(raw.meta.get("title", ""))).paragraphs]


def timed(splitter: str, texts: list[str], rounds: int = 3) -> float:
    """Best seconds of `rounds` passes splitting every text."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            split_sentences(text, splitter)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=20, help="differences printed")
    args = parser.parse_args()
    if "blingfire" not in SPLITTERS:
        raise SystemExit("blingfire is not installed here")
    with tempfile.TemporaryDirectory() as tmp:
        sources = {"seeds": paragraphs(SEEDS), "wikinews": paragraphs(WIKINEWS),
                   "xquad": paragraphs(write_xquad_folder(Path(tmp) / "xquad"))}
    shown = 0
    summary = {}
    for name, texts in sources.items():
        differ = 0
        for text in texts:
            ours, theirs = split_sentences(text, "syntok"), split_sentences(text, "blingfire")
            if ours == theirs:
                continue
            differ += 1
            if shown < args.show:
                shown += 1
                print(f"--- {name}")
                print("\n".join(difflib.unified_diff(ours, theirs, "syntok", "blingfire",
                                                     lineterm="", n=0)))
        sentences = sum(len(split_sentences(t, "syntok")) for t in texts)
        summary[name] = {"paragraphs": len(texts), "differ": differ, "sentences": sentences,
                         **{f"{s}_s": round(timed(s, texts), 3) for s in SPLITTERS}}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
