"""Noise benchmark: random strings are not questions and must never be answered with a fact.

1,500 seeded strings of 1 to 3,000 characters, each mixing what hostile or careless input
holds: markup, SQL and FTS5 syntax, punctuation alone, right-to-left script, emoji, CJK,
control and blank characters, and random code points. Asked of the knowledge base
bench.natural builds (the gum-dev articles and the shipped seeds); a string answered with a
fact is a failure.
Run: `.venv/bin/python -m bench.noise` (writes data/bench/noise.json).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

from bench.datasets import ROOT
from bench.natural import natural_folder
from bench.quality import build
from bot.service import NewsService

SEED = 7
COUNT = 1500
PIECES = {
    "markup": ["<b>", "</i>", "<a href='x'>", "&amp;", "**", "__", "`", "[link](http://x)",
               "<script>alert(1)</script>", "&#x202e;"],
    "sql": ["' OR 1=1 --", "\"; DROP TABLE facts; --", "NEAR(", "AND", "OR NOT", "*", "^",
            "\"", "'", "(", ")", "{col}:", "MATCH", "SELECT * FROM", "%", "\\"],
    "punctuation": [*"!?.,;:-_=+~@#$/|", "...", "?!", "--", "—"],
    "rtl": ["א", "שלום", "מה קרה", "ب", "مرحبا", "ماذا حدث", "\u200f", "\u202b"],
    "emoji": ["😀", "🔥", "👍🏽", "🇳🇿", "❤️", "🤔", "\u200d", "🧑‍🚀"],
    "blank": [" ", "\n", "\t", "\u00a0", "\u200b", "\r\n", "\x00", "\x07"],
    "cjk": ["中文", "新闻", "ニュース", "뉴스"],
}


def noise(rng: random.Random) -> str:
    """One string: a length from 1 to 3,000 (short ones common), filled from a few kinds."""
    length = min(3000, max(1, int(rng.paretovariate(0.6))))
    kinds = rng.sample(sorted(PIECES), rng.randint(1, 3))
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        if rng.random() < 0.2:
            parts.append(chr(rng.randint(0x21, 0x2FFF)))
        else:
            parts.append(rng.choice(PIECES[rng.choice(kinds)]))
    return "".join(parts)[:length]


def strings(count: int = COUNT, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    return [noise(rng) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=COUNT)
    parser.add_argument("--reader", action="store_true", help="with the reader (READER=1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = natural_folder(Path(tmp) / "articles")
        build(folder, Path(tmp) / "kb.sqlite3")
        service = NewsService(Path(tmp) / "kb.sqlite3", folder, reader=args.reader)
        answered = []
        for text in strings(args.count):
            answer = service.ask(text)
            if answer.answered and answer.facts:
                answered.append({"text": text[:80], "confidence": round(answer.confidence, 3),
                                 "fact": answer.facts[0].text[:80]})
    print(f"noise strings answered with a fact: {len(answered)} of {args.count}")
    for item in answered[:15]:
        print(f"  {item['text']!r} -> {item['fact']!r} ({item['confidence']:.0%})")
    out = ROOT / "data" / "bench" / "noise.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"count": args.count, "answered": answered}, indent=1))


if __name__ == "__main__":
    main()
