"""Conversation benchmark: follow-ups, topic switches and unanswerable follow-ups, built by
written rules from XQuAD questions (no question here is written by us).

Rules (docs/BENCHMARKS.md, "Conversations"):
- The knowledge base holds the shipped articles and the even-numbered XQuAD articles; the
  odd-numbered ones are not loaded: their questions are the ones no article answers.
- An article's subject is its title, and also the title without a bracketed part or a
  ", place" tail ("Sky (United Kingdom)" -> "Sky"), and a person's surname ("Nikola Tesla"
  -> "Tesla"; a title of two capitalised words).
- Follow-up: a question that names its article's subject, with the subject replaced by a
  pronoun ("it", "they" for a plural title, "he" for a person; "its" / "their" / "his" for
  the possessive), asked after an opening question: the first question of the same article
  (another one). Kept only when, asked alone, it is not answered from its article (it has
  become ambiguous in the pooled base); the same question with the subject named, asked
  alone, is the ceiling.
- Switch: after an opening, a question naming the subject of another loaded article.
- Unanswerable follow-up: after an opening, a question of a not-loaded article with its
  subject replaced by a pronoun; kept only when none of its answers is in the topic article.
Run: `.venv/bin/python -m bench.conversation` (writes data/bench/conversation.json).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.datasets import ROOT, copy_seeds, write_xquad_folder, xquad_articles
from bench.quality import build, hit, pct
from bot.service import NewsService
from bot.store.conversation import ConversationStore

PERSON_RE = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+$")
AUXILIARIES = frozenset({"is", "was", "has", "does", "as", "its", "his", "this", "thus"})
PREPOSITIONS = frozenset({"for", "of", "to", "by", "with", "about", "from", "at", "in", "on",
                          "against", "into", "than", "after", "before", "like"})


@dataclass(frozen=True)
class Dialogue:
    """An opening question, then the turn measured, and what the turn expects."""

    opening: str
    turn: str
    expect: tuple[str, ...]  # () = the turn should be declined
    ceiling: str = ""  # the turn with its subject named, asked alone
    article: str = ""  # the article the turn is about (switches)


def subjects(title: str) -> list[str]:
    """The ways a question names an article's subject, longest first."""
    title = title.replace("_", " ")
    names = [title, re.sub(r"\s*\(.*\)$", "", title), title.split(",")[0]]
    if PERSON_RE.match(title):
        names.append(title.split()[1])
    return sorted(set(names), key=len, reverse=True)


def pronouns(title: str) -> tuple[str, str, str]:
    """(subject, object, possessive) pronouns for a title: a person, a plural, or a thing."""
    title = title.replace("_", " ")
    if PERSON_RE.match(title):
        return "he", "him", "his"
    if title.endswith("s") and " " not in title:
        return "they", "them", "their"
    return "it", "it", "its"


def replace_subject(question: str, title: str) -> str | None:
    """The question with its subject replaced by a pronoun, or None if it names none or names
    it as a modifier, where no pronoun fits ("Huguenot settlers", "an Indian private school",
    "Huguenot-descended")."""
    subject, object_, possessive = pronouns(title)
    for name in subjects(title):
        pattern = re.compile(rf"\b(?:the\s+)?{re.escape(name)}('s|’s)?\b", re.IGNORECASE)
        match = pattern.search(question)
        if not match:
            continue
        before = question[:match.start()].split()
        after = question[match.end():]
        following = re.match(r"\s*([\w-]+)", after)
        if after.startswith("-") or (following and not match.group(1)
                                     and following.group(1).endswith("s")
                                     and following.group(1).lower() not in AUXILIARIES):
            return None
        if before and (before[-1].lower() in ("a", "an") or (before[-1][:1].isupper()
                       and len(before) > 1)):
            return None
        word = (possessive if match.group(1) else
                object_ if before and before[-1].lower() in PREPOSITIONS else subject)
        if not before:
            word = word.capitalize()
        return question[:match.start()] + word + after
    return None


def questions(article: dict) -> list[tuple[str, tuple[str, ...]]]:
    return [(qa["question"], tuple(dict.fromkeys(a["text"] for a in qa["answers"])))
            for paragraph in article["paragraphs"] for qa in paragraph["qas"]]


def dialogues(loaded: list[dict], unloaded: list[dict],
              service: NewsService) -> dict[str, list[Dialogue]]:
    """The three sets of dialogues, by the rules of the module docstring."""
    sets: dict[str, list[Dialogue]] = {"follow-up": [], "ambiguous follow-up": [],
                                       "switch": [], "unanswerable": []}
    openings = {a["title"]: questions(a)[0][0] for a in loaded}
    for number, article in enumerate(loaded):
        opening = openings[article["title"]]
        title = article["title"].replace("_", " ")
        for question, expect in questions(article)[1:]:
            turn = replace_subject(question, article["title"])
            if turn:
                sets["follow-up"].append(Dialogue(opening, turn, expect, question))
                if _article_of(service.ask(turn)) != title:
                    sets["ambiguous follow-up"].append(sets["follow-up"][-1])
        other = loaded[(number + 1) % len(loaded)]
        for question, expect in questions(other)[1:]:
            if replace_subject(question, other["title"]):
                sets["switch"].append(Dialogue(opening, question, expect,
                                               article=other["title"].replace("_", " ")))
        topic_text = " ".join(p["context"] for p in article["paragraphs"])
        absent = unloaded[number % len(unloaded)]
        for question, expect in questions(absent):
            turn = replace_subject(question, absent["title"])
            if turn and not any(e in topic_text for e in expect):
                sets["unanswerable"].append(Dialogue(opening, turn, ()))
    return sets


def _article_of(answer) -> str | None:
    return answer.facts[0].article_title if answer.answered and answer.facts else None


def _top(answer) -> str:
    return answer.facts[0].text if answer.answered and answer.facts else ""


@dataclass
class Tally:
    right: int = 0
    declined: int = 0
    n: int = 0
    resolved: int = 0  # right in the conversation, of those right at the ceiling
    ceiling_right: int = 0
    switched: int = 0  # answered from the article the turn is about

    def add(self, answer, expect: tuple[str, ...]) -> None:
        self.n += 1
        self.declined += not answer.answered
        self.right += bool(expect) and hit(_top(answer), expect)


def measure(service: NewsService, talk_service: NewsService,
            sets: dict[str, list[Dialogue]]) -> dict[str, dict]:
    """Each set asked alone and after its opening (by another service, so neither timing
    gains from vectors the other cached); the ceiling for follow-ups."""
    results: dict[str, dict] = {}
    seconds: dict[str, list[float]] = {"alone": [], "conversation": []}
    for name, items in sets.items():
        alone, talk, ceiling = Tally(), Tally(), Tally()
        for number, item in enumerate(items):
            key = f"{name}-{number}"
            start = time.perf_counter()
            alone.add(service.ask(item.turn), item.expect)
            seconds["alone"].append(time.perf_counter() - start)
            talk_service.ask(item.opening, conversation=key)
            start = time.perf_counter()
            answer = talk_service.ask(item.turn, conversation=key)
            seconds["conversation"].append(time.perf_counter() - start)
            talk.add(answer, item.expect)
            talk.switched += bool(item.article) and _article_of(answer) == item.article
            if item.ceiling:
                named = service.ask(item.ceiling)
                ceiling.add(named, item.expect)
                if hit(_top(named), item.expect):
                    talk.ceiling_right += 1
                    talk.resolved += hit(_top(answer), item.expect)
        results[name] = {"n": len(items), "alone": vars(alone), "conversation": vars(talk),
                         "ceiling": vars(ceiling)}
    results["p50_ms"] = {k: 1000 * statistics.median(v) for k, v in seconds.items() if v}
    return results


def report(results: dict[str, dict]) -> list[str]:
    lines = ["| turn | dialogues | measure | alone | in the conversation | ceiling |"
             " resolved |", "|---|---|---|---|---|---|---|"]
    for name, measure_name in (("follow-up", "hit@1"), ("ambiguous follow-up", "hit@1"),
                               ("switch", "hit@1"), ("unanswerable", "declined")):
        r = results[name]
        field = "declined" if measure_name == "declined" else "right"
        ceiling = (pct(r["ceiling"][field], r["ceiling"]["n"]) if r["ceiling"]["n"]
                   else "-")
        lines.append(f"| {name} | {r['n']} | {measure_name} | "
                     f"{pct(r['alone'][field], r['n'])} | "
                     f"{pct(r['conversation'][field], r['n'])} | {ceiling} | "
                     f"{pct(r['conversation']['resolved'], r['conversation']['ceiling_right'])} |")
    switch = results["switch"]
    lines += ["", f"Switches answered from the article asked about: "
              f"{pct(switch['conversation']['switched'], switch['n'])}"]
    p50 = results["p50_ms"]
    lines += ["", f"p50 ms a turn: alone {p50['alone']:.1f}, "
              f"in a conversation {p50['conversation']:.1f}"]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexical", action="store_true",
                        help="without the MiniLM re-rank (SEMANTIC=0)")
    args = parser.parse_args()
    articles = xquad_articles()
    loaded, unloaded = articles[0::2], articles[1::2]
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_seeds(Path(tmp) / "articles")
        write_xquad_folder(folder, loaded)
        build(folder, Path(tmp) / "kb.sqlite3")
        # Three services: the one that builds the sets has seen every turn alone, and the
        # two measured must start with nothing cached.
        builder, service, talk_service = (
            NewsService(Path(tmp) / "kb.sqlite3", folder, semantic=not args.lexical,
                        conversations=ConversationStore(":memory:")) for _ in range(3))
        sets = dialogues(loaded, unloaded, builder)
        results = measure(service, talk_service, sets)
    print("\n".join(report(results)))
    out = ROOT / "data" / "bench" / "conversation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
