"""What GUM says each non-statement of the 63 GUM texts is: captions, headings, questions.

GUM (amir-zeldes/gum) marks every sentence's place (`# newpar_block`: head, figure/caption,
table rows, speech turns) and type (`# s_type`: q and wh are questions). Those marks, by
people and not by this project's rules, are the check of tests/ingest/test_facts_gum.py:
no caption or heading is a fact an answer can show, and every question is one the answer
engine keeps for context only.

Run once (the file is committed): `python -m bench.gum_roles --extract GITDIR`, GITDIR the
bare repository the fetch tool brings (github:amir-zeldes/gum). Writes tests/data/gum_roles.json.
Licence of the marks: GUM's (CC BY 4.0 annotations; texts CC BY 2.5 Wikinews, CC BY-SA
Wikipedia), attributed in the file.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

from bench.datasets import SHARED

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "gum_roles.json"
FOLDERS = (SHARED / "corpus" / "gum-dev", SHARED / "corpus" / "wikinews")


def roles(conllu: str) -> dict[str, list[str]]:
    """The caption, heading and question sentences of one GUM document (the first heading,
    its title, left out: the title is not a fact). A caption with a finite verb, by GUM's
    tags, says something ("Poisson reviewed Galois' paper"): listed apart, as a statement."""
    found: dict[str, list[str]] = {"caption": [], "caption_statement": [], "head": [],
                                   "question": []}
    parts: list[tuple[str, int]] = []  # the block's elements, each with its sentence count
    s_type = ""
    seen = heads = 0
    sentences = conllu.split("\n\n")
    finite = {}
    for sentence in sentences:  # GUM's own tags: a caption with a finite verb is a statement
        lines = sentence.splitlines()
        text = next((x[len("# text = "):] for x in lines if x.startswith("# text = ")), None)
        if text is not None:
            finite[text] = any("VerbForm=Fin" in x.split("\t")[5] for x in lines
                               if x[:1].isdigit() and len(x.split("\t")) > 5)
    for line in conllu.splitlines():
        if line.startswith("# newpar_block"):
            parts = [(m.group(1), int(m.group(2))) for m in
                     re.finditer(r"(\w+)[^|]*?\((\d+) s\)", line.split("=", 1)[1])]
            seen = 0
        elif line.startswith("# s_type"):
            s_type = line.split("=", 1)[1].strip()
        elif line.startswith("# text = "):
            text = line[len("# text = "):]
            # "figure (1 s) | caption (1 s)": only the block's first sentence is the caption.
            names = {name for name, count in parts if seen < count}
            seen += 1
            if "caption" in names:
                found["caption" if not finite.get(text) else "caption_statement"].append(text)
            elif "head" in names:
                heads += 1
                if heads > 1:
                    found["head"].append(text)
            if s_type in ("q", "wh"):
                found["question"].append(text)
    return found


def extract(gitdir: Path) -> dict:
    commit = subprocess.run(["git", "--git-dir", str(gitdir), "rev-parse", "HEAD"],
                            capture_output=True, text=True, check=True).stdout.strip()
    docs = {}
    for folder in FOLDERS:
        for path in sorted(folder.glob("GUM_*.txt")):
            conllu = subprocess.run(
                ["git", "--git-dir", str(gitdir), "show", f"HEAD:dep/{path.stem}.conllu"],
                capture_output=True, text=True, check=True).stdout
            docs[path.name] = roles(conllu)
    return {"source": f"amir-zeldes/gum {commit}, dep/*.conllu (# newpar_block, # s_type)",
            "licence": "GUM annotations CC BY 4.0; texts CC BY 2.5 (Wikinews), "
                       "CC BY-SA (Wikipedia)",
            "documents": docs}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", type=Path, required=True, help="GUM's git directory")
    args = parser.parse_args(argv)
    data = extract(args.extract)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    counts = {k: sum(len(d[k]) for d in data["documents"].values())
              for k in ("caption", "caption_statement", "head", "question")}
    print(f"{len(data['documents'])} documents: {counts} -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
