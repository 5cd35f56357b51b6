"""The facts of the 64 real articles, checked against what people marked in them.

The 39 gum-dev and 24 Wikinews texts (and the seed article) loaded into a real knowledge
base: every sentence a natural question expects is a fact; every title is the one in
meta.json; no sentence GUM marks as a caption or heading is a fact an answer can show, and
every sentence GUM marks as a question is one the answer engine keeps as context only.
GUM's marks: tests/data/gum_roles.json (`python -m bench.gum_roles --extract`).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from bot.ingest.blocks import SPEAKER_RE, is_question
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CORPUS = (SHARED / "corpus" / "gum-dev", SHARED / "corpus" / "wikinews")
EVAL = SHARED / "eval"
ROLES = json.loads((ROOT / "tests" / "data" / "gum_roles.json").read_text("utf-8"))["documents"]

MIN_PIECE_CHARS = 12  # shorter pieces ("2012") are inside many sentences by chance
pytestmark = pytest.mark.skipif(not CORPUS[0].is_dir(),
                                reason="../shared/corpus is not beside the repo")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The 63 GUM texts and the seed article, loaded as the bot loads a folder."""
    folder = tmp_path_factory.mktemp("articles")
    for corpus in CORPUS:
        for path in corpus.glob("GUM_*.txt"):
            shutil.copy(path, folder / path.name)
    shutil.copy(ROOT / "seeds" / "000_a398690ca2ed8d76.txt", folder)
    kb = KnowledgeBase(tmp_path_factory.mktemp("db") / "kb.sqlite3")
    report = load_directory(kb, folder)
    assert len(report.added) == 64
    assert not report.failed
    yield kb
    kb.close()


def facts_by_file(kb: KnowledgeBase) -> dict[str, list[str]]:
    return {a.source_file: kb.facts_of(a.id) for a in kb.articles()}


def squeezed(text: str) -> str:
    """Text compared without its spacing, case, speaker or closing mark (GUM spaces tokens
    apart; a question may have lost its "?")."""
    if speaker := SPEAKER_RE.match(text):
        text = text[speaker.end():]
    return re.sub(r"\s+", "", text).casefold().rstrip("?.!")


def shown_non_statements(facts: dict[str, list[str]],
                         roles: dict[str, dict[str, list[str]]]) -> list[tuple[str, str]]:
    """(file, fact) for each fact an answer can show (not a question) that GUM marks as a
    caption, heading or question."""
    found = []
    for name, texts in facts.items():
        marked = roles.get(name, {})
        bad = {squeezed(t) for kind in ("caption", "head", "question")
               for t in marked.get(kind, [])}
        found += [(name, f) for f in texts if not is_question(f) and _marked(squeezed(f), bad)]
    return found


def _marked(fact: str, marked: set[str]) -> bool:
    """The fact is a marked sentence, or a piece of one (a caption cut at its ";")."""
    return fact in marked or (len(fact) >= MIN_PIECE_CHARS and any(fact in m for m in marked))


def expectations() -> Iterable[tuple[str, list[str], str]]:
    for line in (EVAL / "natural_questions.jsonl").read_text("utf-8").splitlines():
        item = json.loads(line)
        yield item["article"], item["expect"], item["q"]
    for line in (EVAL / "natural_dialogues.jsonl").read_text("utf-8").splitlines():
        for turn in json.loads(line)["turns"]:
            yield turn["article"], turn["expect"], turn["q"]


def test_every_answer_the_natural_questions_expect_is_one_fact(base: KnowledgeBase) -> None:
    facts = facts_by_file(base)
    missing = [(name, q) for name, expect, q in expectations()
               if expect and not any(e in f for f in facts[name] for e in expect)]
    assert missing == []


def test_titles_are_the_ones_the_files_were_published_with(base: KnowledgeBase) -> None:
    titles = {a.source_file: a.title for a in base.articles()}
    for corpus in CORPUS:
        for item in json.loads((corpus / "meta.json").read_text("utf-8")):
            assert titles[item["file"]] == item["title"]


def test_no_caption_heading_or_question_is_a_fact_an_answer_can_show(
        base: KnowledgeBase) -> None:
    facts = facts_by_file(base)
    assert shown_non_statements(facts, ROLES) == []
    # GUM's questions that are facts are all kept for context: there are such facts.
    questions = {squeezed(q) for r in ROLES.values() for q in r["question"]}
    assert sum(squeezed(f) in questions for fs in facts.values() for f in fs) > 50


def test_the_check_finds_a_caption_a_heading_and_a_question_planted_among_facts() -> None:
    name = "GUM_interview_dungeon.txt"
    planted = {name: ["Bill: We hire educated, nice people.", "Clothing supply closet.",
                      "Operating the business", "David Shankbone: In the back of the paper."]}
    assert [f for _, f in shown_non_statements(planted, ROLES)] == planted[name][1:]


def test_a_list_keeps_the_sentence_introducing_it(base: KnowledgeBase) -> None:
    facts = facts_by_file(base)["GUM_interview_mcguire.txt"]
    items = [f for f in facts if f.startswith("Hugh McGuire: Other random good ones:")]
    assert items[:2] == ["Hugh McGuire: Other random good ones: Austen, Jane. Pride and Prejudice",
                         "Hugh McGuire: Other random good ones: Christie, Agatha. The Mysterious "
                         "Affair at Styles"]


def test_an_infobox_row_keeps_its_label(base: KnowledgeBase) -> None:
    facts = facts_by_file(base)["GUM_bio_holt.txt"]
    assert "Bats: Left" in facts
    assert "MLB debut: September 1, 2012, for the Pittsburgh Pirates" in facts
    assert "Holt with the Boston Red Sox" not in facts  # the picture's caption


def test_every_sentence_of_a_speech_turn_says_who_said_it(base: KnowledgeBase) -> None:
    facts = facts_by_file(base)["GUM_interview_dungeon.txt"]
    assert "Bill: We hire educated, nice people." in facts  # the third sentence of a turn


def test_a_statement_closing_on_a_bracketed_question_is_a_fact(base: KnowledgeBase) -> None:
    """Mario Lucero's answer ends "(how do I best explain this?)": the aside asks, the
    sentence states where they went to college, and an answer can show it."""
    gaming = facts_by_file(base)["GUM_interview_gaming.txt"]
    college = [f for f in gaming if "Collins College" in f]
    assert college
    assert not any(is_question(f) for f in college)
    assert is_question("Wikinews: What did you study (and why?)")


def test_a_paragraph_ending_in_a_colon_takes_the_next_paragraphs_first_sentence(
        base: KnowledgeBase) -> None:
    """'His last words ... were:' alone answers nothing: the words are the next paragraph."""
    facts = facts_by_file(base)["GUM_bio_galois.txt"]
    ending = [f for f in facts if f.endswith("were:")]
    assert not ending
    assert any(f.startswith("His last words") and "Ne pleure pas, Alfred!" in f for f in facts)
