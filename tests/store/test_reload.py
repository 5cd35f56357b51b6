"""Reloads are idempotent and atomic: unchanged files stay put, a failure changes nothing."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from faults_support import write_corpus

from bot.answer.answers import AnswerEngine
from bot.service import NewsService
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import PARALLEL_MIN_FILES, LoadError, load_directory
from bot.text.words import content_words

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Who is Zhang Xiangbin?"
NEW_ARTICLE = (
    "Lighthouse keeper retires after forty years\n\n"
    "Margaret Quill, the last lighthouse keeper on Gannet Rock, retired on Sunday after "
    "forty years of service.\n\n"
    "The lighthouse will be run automatically from next month, the harbour board said.\n"
)
POISON_ARTICLE = (
    "Poisoned well closes village school\n\n"
    "The village school was closed after the POISON was found in the old well on Tuesday.\n\n"
    "Parents were told the school would reopen after the well had been sealed.\n"
)
FAIL_MIDWAY = (
    "CREATE TRIGGER fail_midway BEFORE INSERT ON facts WHEN NEW.text LIKE '%POISON%' "
    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
)


def snapshot(db_path: Path) -> dict:
    """Everything a reader could see, read on a fresh connection of its own."""
    conn = sqlite3.connect(db_path)
    try:
        return {
            "articles": conn.execute("SELECT * FROM articles ORDER BY id").fetchall(),
            "facts": conn.execute("SELECT * FROM facts ORDER BY id").fetchall(),
            "vocabulary": conn.execute("SELECT * FROM vocabulary ORDER BY word").fetchall(),
            "vectors": conn.execute("SELECT * FROM fact_vectors ORDER BY fact_id").fetchall(),
            "fts": conn.execute(
                "SELECT rowid FROM facts_fts WHERE facts_fts MATCH 'china OR the' ORDER BY rowid"
            ).fetchall(),
        }
    finally:
        conn.close()


def reload_while(
    kb: KnowledgeBase, folders: tuple[Path, ...],
    background: Callable[[threading.Event, threading.Event], None], cycles: int,
) -> None:
    """Load the folders in turn, `cycles` times, while `background(ready, stop)` runs."""
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=background, args=(ready, stop))
    thread.start()
    ready.wait(10)
    try:
        for _ in range(cycles):
            for folder in folders:
                load_directory(kb, folder)
    finally:
        stop.set()
        thread.join(30)


def vocabulary_from_facts(kb: KnowledgeBase) -> dict[str, int]:
    """The vocabulary table as it should be: each content word with its fact count."""
    counts: Counter[str] = Counter()
    for (text,) in kb.db.execute("SELECT text FROM facts"):
        counts.update(content_words(text))
    return dict(counts)


def ids_by_file(kb: KnowledgeBase) -> dict[str, int]:
    return {a.source_file: a.id for a in kb.articles()}


def edit(path: Path) -> None:
    text = path.read_text("utf-8")
    path.write_text(text + "\nThe harbour board confirmed the report on Friday evening.\n",
                    "utf-8")


def test_second_load_changes_nothing_and_rewrites_nothing(
    kb: KnowledgeBase, articles_dir: Path
) -> None:
    first = load_directory(kb, articles_dir)
    assert len(first.added) == 25
    before, generation = snapshot(kb.path), kb.generation()
    second = load_directory(kb, articles_dir)
    assert (second.added, second.updated, second.removed, second.failed) == ([], [], [], [])
    assert sorted(second.unchanged) == sorted(first.added)
    assert second.total_articles == 25
    assert snapshot(kb.path) == before
    assert kb.generation() == generation


def test_touching_a_file_without_changing_it_leaves_it_unchanged(
    loaded_kb: KnowledgeBase, articles_dir: Path
) -> None:
    before = snapshot(loaded_kb.path)
    path = articles_dir / "GUM_news_flag.txt"
    path.write_bytes(path.read_bytes())
    report = load_directory(loaded_kb, articles_dir)
    assert not report.changed
    assert snapshot(loaded_kb.path) == before


def test_edited_file_is_updated_and_only_it(
    loaded_kb: KnowledgeBase, articles_dir: Path
) -> None:
    before = ids_by_file(loaded_kb)
    edit(articles_dir / "GUM_news_flag.txt")
    report = load_directory(loaded_kb, articles_dir)
    assert report.updated == ["GUM_news_flag.txt"]
    assert (report.added, report.removed) == ([], [])
    assert len(report.unchanged) == 24
    after = ids_by_file(loaded_kb)
    assert {k: v for k, v in after.items() if k != "GUM_news_flag.txt"} == {
        k: v for k, v in before.items() if k != "GUM_news_flag.txt"
    }
    facts = loaded_kb.facts_of(after["GUM_news_flag.txt"])
    assert facts[-1] == "The harbour board confirmed the report on Friday evening."


def test_deleted_file_is_removed_with_its_facts(
    loaded_kb: KnowledgeBase, articles_dir: Path
) -> None:
    old_id = ids_by_file(loaded_kb)["000_a398690ca2ed8d76.txt"]
    (articles_dir / "000_a398690ca2ed8d76.txt").unlink()
    report = load_directory(loaded_kb, articles_dir)
    assert report.removed == ["000_a398690ca2ed8d76.txt"]
    assert report.total_articles == 24
    assert loaded_kb.facts_of(old_id) == []
    assert loaded_kb.search(["xiangbin"], 10) == []
    assert not AnswerEngine(loaded_kb).ask(QUESTION).answered


def test_new_file_is_added_and_answers(loaded_kb: KnowledgeBase, articles_dir: Path) -> None:
    (articles_dir / "lighthouse.txt").write_text(NEW_ARTICLE, "utf-8")
    report = load_directory(loaded_kb, articles_dir)
    assert report.added == ["lighthouse.txt"]
    assert report.total_articles == 26
    answer = AnswerEngine(loaded_kb).ask("Who is Margaret Quill?")
    assert answer.answered
    assert "lighthouse keeper" in answer.facts[0].text


def test_failure_half_way_leaves_the_old_knowledge_base_answering(
    loaded_kb: KnowledgeBase, articles_dir: Path
) -> None:
    engine = AnswerEngine(loaded_kb)
    answer_before = engine.ask(QUESTION).to_dict()
    before = snapshot(loaded_kb.path)
    with sqlite3.connect(loaded_kb.path) as conn:
        conn.execute(FAIL_MIDWAY)
    # Changes that come before the poisoned article in load order: an edit, a removal, an add.
    edit(articles_dir / "GUM_news_flag.txt")
    (articles_dir / "GUM_news_worship.txt").unlink()
    (articles_dir / "lighthouse.txt").write_text(NEW_ARTICLE, "utf-8")
    (articles_dir / "zz_poison.txt").write_text(POISON_ARTICLE, "utf-8")
    with pytest.raises(LoadError, match="injected failure"):
        load_directory(loaded_kb, articles_dir)
    assert snapshot(loaded_kb.path) == before
    assert loaded_kb.article_count() == 25
    assert "lighthouse.txt" not in ids_by_file(loaded_kb)
    assert engine.ask(QUESTION).to_dict() == answer_before
    assert AnswerEngine(loaded_kb).ask(QUESTION).to_dict() == answer_before


def test_load_after_a_failure_applies_every_change(
    loaded_kb: KnowledgeBase, articles_dir: Path
) -> None:
    with sqlite3.connect(loaded_kb.path) as conn:
        conn.execute(FAIL_MIDWAY)
    edit(articles_dir / "GUM_news_flag.txt")
    (articles_dir / "lighthouse.txt").write_text(NEW_ARTICLE, "utf-8")
    (articles_dir / "zz_poison.txt").write_text(POISON_ARTICLE, "utf-8")
    with pytest.raises(LoadError):
        load_directory(loaded_kb, articles_dir)
    (articles_dir / "zz_poison.txt").unlink()
    report = load_directory(loaded_kb, articles_dir)
    assert report.updated == ["GUM_news_flag.txt"]
    assert report.added == ["lighthouse.txt"]
    assert report.total_articles == 26


CRASHING_LOAD = """
import os, sys
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory

class CrashingKnowledgeBase(KnowledgeBase):
    def connect(self):
        db = super().connect()
        db.conn.create_function("crash", 0, lambda: os._exit(3))
        return db

load_directory(CrashingKnowledgeBase(sys.argv[1]), sys.argv[2])
"""


def test_process_killed_half_way_through_a_load_leaves_the_old_knowledge_base(
    loaded_kb: KnowledgeBase, articles_dir: Path
) -> None:
    answer_before = AnswerEngine(loaded_kb).ask(QUESTION).to_dict()
    before = snapshot(loaded_kb.path)
    with sqlite3.connect(loaded_kb.path) as conn:
        conn.execute(
            "CREATE TRIGGER crash_midway BEFORE INSERT ON facts WHEN NEW.text LIKE '%POISON%' "
            "BEGIN SELECT crash(); END"
        )
    edit(articles_dir / "GUM_news_flag.txt")
    (articles_dir / "zz_poison.txt").write_text(POISON_ARTICLE, "utf-8")
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_LOAD, str(loaded_kb.path), str(articles_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 3, result.stderr
    loaded_kb.close()
    assert snapshot(loaded_kb.path) == before
    assert AnswerEngine(KnowledgeBase(loaded_kb.path)).ask(QUESTION).to_dict() == answer_before


def test_readers_see_the_old_or_the_new_knowledge_base_never_a_mix(
    kb: KnowledgeBase, articles_dir: Path, tmp_path: Path
) -> None:
    # Two folder states that differ in every way: edits, removals and additions.
    other = tmp_path / "other"
    shutil.copytree(articles_dir, other)
    for name in ("GUM_news_flag.txt", "GUM_news_nasa.txt", "000_a398690ca2ed8d76.txt"):
        edit(other / name)
    for name in ("GUM_news_worship.txt", "GUM_news_korea.txt", "GUM_news_warhol.txt"):
        (other / name).unlink()
    (other / "lighthouse.txt").write_text(NEW_ARTICLE, "utf-8")
    states = set()
    consistent_view = (
        "SELECT (SELECT count(*) FROM articles), (SELECT sum(fact_count) FROM articles), "
        "(SELECT count(*) FROM facts), (SELECT group_concat(file_hash) FROM "
        "(SELECT file_hash FROM articles ORDER BY source_file))"
    )
    for folder in (other, articles_dir):
        load_directory(kb, folder)
        states.add(kb.db.execute(consistent_view).fetchone())
    assert len(states) == 2

    seen, errors = set(), []

    def read_continuously(ready: threading.Event, stop: threading.Event) -> None:
        reader = KnowledgeBase(kb.path).db  # opened before any reload below
        ready.set()
        try:
            while not stop.is_set():
                reader.execute("BEGIN")
                view = reader.execute(consistent_view).fetchone()
                facts = reader.execute("SELECT count(*) FROM facts").fetchone()[0]
                reader.execute("COMMIT")
                seen.add(view)
                if view not in states or facts != view[2]:
                    errors.append(view)
        except Exception as exc:  # a reader error is a failure, reported below
            errors.append(exc)
        finally:
            reader.close()

    reload_while(kb, (other, articles_dir), read_continuously, cycles=6)
    assert errors == []
    assert seen <= states
    assert seen


def test_questions_asked_during_reloads_are_always_answered(
    loaded_kb: KnowledgeBase, articles_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(articles_dir, other)
    edit(other / "000_a398690ca2ed8d76.txt")
    (other / "GUM_news_korea.txt").unlink()
    engine = AnswerEngine(loaded_kb)
    answers, errors = [], []

    def ask_continuously(ready: threading.Event, stop: threading.Event) -> None:
        ready.set()
        while not stop.is_set():
            try:
                answers.append(engine.ask(QUESTION))
            except Exception as exc:  # an error while reloading is the failure tested here
                errors.append(exc)

    reload_while(loaded_kb, (other, articles_dir), ask_continuously, cycles=5)
    assert errors == []
    assert answers
    assert all(answer.answered for answer in answers)
    assert {answer.facts[0].text for answer in answers} == {engine.ask(QUESTION).facts[0].text}


def test_a_file_taking_over_old_text_loads_in_one_pass(
    loaded_kb: KnowledgeBase, articles_dir: Path
) -> None:
    # flag.txt gets new text; copy.txt gets flag.txt's old text: not a duplicate any more.
    flag = articles_dir / "GUM_news_flag.txt"
    (articles_dir / "copy.txt").write_bytes(flag.read_bytes())
    edit(flag)
    first = load_directory(loaded_kb, articles_dir)
    assert first.failed == []
    assert first.updated == ["GUM_news_flag.txt"]
    assert first.added == ["copy.txt"]
    second = load_directory(loaded_kb, articles_dir)
    assert not second.changed
    assert second.failed == []


def test_an_updated_article_keeps_its_id(loaded_kb: KnowledgeBase, articles_dir: Path) -> None:
    before = ids_by_file(loaded_kb)
    edit(articles_dir / "GUM_news_flag.txt")
    load_directory(loaded_kb, articles_dir)
    assert ids_by_file(loaded_kb) == before


def test_vocabulary_matches_the_facts_after_many_reloads(
    loaded_kb: KnowledgeBase, articles_dir: Path
) -> None:
    edit(articles_dir / "GUM_news_flag.txt")
    (articles_dir / "GUM_news_korea.txt").unlink()
    (articles_dir / "lighthouse.txt").write_text(NEW_ARTICLE, "utf-8")
    load_directory(loaded_kb, articles_dir)
    edit(articles_dir / "lighthouse.txt")
    (articles_dir / "GUM_news_nasa.txt").unlink()
    load_directory(loaded_kb, articles_dir)
    assert loaded_kb.vocabulary() == vocabulary_from_facts(loaded_kb)
    fts_rows = loaded_kb.db.execute(
        "SELECT count(*) FROM facts_fts WHERE facts_fts MATCH '\"lighthouse\"'"
    ).fetchone()[0]
    like_rows = loaded_kb.db.execute(
        "SELECT count(*) FROM facts WHERE text LIKE '%lighthouse%'"
    ).fetchone()[0]
    assert fts_rows == like_rows > 0


def test_two_loads_at_once_both_succeed_and_leave_one_consistent_base(
    kb: KnowledgeBase, articles_dir: Path, tmp_path: Path
) -> None:
    # The bot reloading while someone runs `python -m bot load`: two writers, one file.
    other = tmp_path / "other"
    shutil.copytree(articles_dir, other)
    for path in sorted(other.glob("GUM_news_*.txt"))[:10]:
        edit(path)
    errors: list[Exception] = []

    def load_repeatedly(folder: Path) -> None:
        own = KnowledgeBase(kb.path)
        try:
            for _ in range(4):
                load_directory(own, folder)
        except Exception as exc:  # a failed load is the failure tested here
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=load_repeatedly, args=(folder,))
               for folder in (articles_dir, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    report = load_directory(kb, articles_dir)
    assert report.failed == []
    assert kb.article_count() == 25
    assert kb.vocabulary() == vocabulary_from_facts(kb)


def test_a_new_article_never_takes_the_id_of_a_removed_one(
    loaded_kb: KnowledgeBase, articles_dir: Path
) -> None:
    ids = ids_by_file(loaded_kb)
    newest = max(ids, key=ids.__getitem__)
    (articles_dir / newest).unlink()
    load_directory(loaded_kb, articles_dir)
    (articles_dir / "lighthouse.txt").write_text(NEW_ARTICLE, "utf-8")
    load_directory(loaded_kb, articles_dir)
    assert ids_by_file(loaded_kb)["lighthouse.txt"] > max(ids.values())


def age(folder: Path, seconds: float = 3600) -> None:
    """Date every file in the folder back, as files that were not just written are."""
    past = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (past, past))


# folder -> names of the article files this process opened in it, while the folder is watched
_WATCHED: dict[str, list[str]] = {}


def _record_open(event: str, args: tuple) -> None:
    """An audit hook: every real open of a file in this process, whoever opens it."""
    if event != "open" or not _WATCHED or isinstance(args[0], int):
        return
    folder, name = os.path.split(os.fsdecode(args[0]))
    if folder in _WATCHED and not name.startswith("_"):
        _WATCHED[folder].append(name)


sys.addaudithook(_record_open)  # once: audit hooks cannot be removed


@contextmanager
def files_opened_in(folder: Path) -> Iterator[list[str]]:
    """Names of the article files in `folder` that this process opens meanwhile, once per
    open (the sidecar aside)."""
    opened = _WATCHED[str(folder)] = []
    try:
        yield opened
    finally:
        del _WATCHED[str(folder)]


def test_a_reload_of_an_unchanged_folder_reads_no_article_file(
    kb: KnowledgeBase, articles_dir: Path
) -> None:
    age(articles_dir)
    load_directory(kb, articles_dir)
    with files_opened_in(articles_dir) as opened:
        report = load_directory(kb, articles_dir)
    assert len(report.unchanged) == 25
    assert opened == []


def test_a_changed_file_is_read_once(kb: KnowledgeBase, articles_dir: Path) -> None:
    """Once to hash it and parse it: not again to hash it, then again to parse it."""
    age(articles_dir)
    load_directory(kb, articles_dir)
    edit(articles_dir / "GUM_news_flag.txt")
    with files_opened_in(articles_dir) as opened:
        report = load_directory(kb, articles_dir)
    assert report.updated == ["GUM_news_flag.txt"]
    assert opened == ["GUM_news_flag.txt"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no worker processes")
async def test_a_reload_from_the_running_bot_parses_in_worker_processes(tmp_path: Path) -> None:
    """/reload runs NewsService.reload in a thread of the bot's event loop: the files are
    still parsed in worker processes, so none is opened in the bot's own process."""
    folder = tmp_path / "articles"
    write_corpus(folder, PARALLEL_MIN_FILES, version=0)
    service = NewsService(tmp_path / "kb.sqlite3", folder, semantic=False)
    with files_opened_in(folder) as opened:
        report = await asyncio.to_thread(service.reload)  # as handlers.admin's /reload
    assert len(report.added) == PARALLEL_MIN_FILES
    assert report.failed == []
    assert opened == []
    assert service.kb.article_count() == PARALLEL_MIN_FILES


def test_an_edit_that_keeps_the_size_is_noticed(kb: KnowledgeBase, articles_dir: Path) -> None:
    path = articles_dir / "GUM_news_flag.txt"
    age(articles_dir)
    load_directory(kb, articles_dir)
    text = path.read_text("utf-8")
    assert "referendum" in text
    path.write_text(text.replace("referendum", "plebiscite", 1), "utf-8")
    age(articles_dir, 1800)
    report = load_directory(kb, articles_dir)
    assert report.updated == ["GUM_news_flag.txt"]
    assert "plebiscite" in " ".join(kb.facts_of(ids_by_file(kb)["GUM_news_flag.txt"]))


def test_a_changed_sidecar_entry_reloads_its_untouched_article(
    kb: KnowledgeBase, articles_dir: Path
) -> None:
    age(articles_dir)
    load_directory(kb, articles_dir)
    sidecar = articles_dir / "_sources.json"
    data = json.loads(sidecar.read_text("utf-8"))
    data["GUM_news_flag.txt"]["url"] = "https://example.org/flag-story"
    sidecar.write_text(json.dumps(data), "utf-8")
    report = load_directory(kb, articles_dir)
    assert report.updated == ["GUM_news_flag.txt"]
    assert kb.article(ids_by_file(kb)["GUM_news_flag.txt"]).url == "https://example.org/flag-story"


def test_a_file_written_just_before_a_load_is_read_again_next_time(
    kb: KnowledgeBase, articles_dir: Path
) -> None:
    """Within one clock tick an edit can keep size and time: such files are not trusted."""
    path = articles_dir / "GUM_news_flag.txt"
    age(articles_dir)
    path.write_bytes(path.read_bytes())  # written now
    tick = path.stat().st_mtime_ns
    load_directory(kb, articles_dir)
    text = path.read_text("utf-8")
    path.write_text(text.replace("referendum", "plebiscite", 1), "utf-8")
    os.utime(path, ns=(tick, tick))  # the same size and the same time as when loaded
    report = load_directory(kb, articles_dir)
    assert report.updated == ["GUM_news_flag.txt"]


def test_a_new_parser_version_reads_every_file_again(
    kb: KnowledgeBase, articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Untouched files are parsed anew when the parser changes: its output may differ."""
    import bot.ingest.articles

    age(articles_dir)
    load_directory(kb, articles_dir)
    assert not load_directory(kb, articles_dir).changed
    monkeypatch.setattr(bot.ingest.articles, "PARSER_VERSION",
                        bot.ingest.articles.PARSER_VERSION + "-next")
    report = load_directory(kb, articles_dir)
    assert len(report.updated) == 25
