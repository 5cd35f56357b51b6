"""Reload under load: hundreds of questions in flight on many threads while two versions of
every article are swapped in and out; no question fails and no answer mixes the versions.
"""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

from faults_support import town_name, write_corpus

from bot.answer.answers import Answer
from bot.service import NewsService

COUNT = 100
ASKERS = 8
MIN_QUESTIONS = 300
RELOADS = 4
TOWNS = range(0, COUNT, 5)
QUESTIONS = [q for i in TOWNS for q in (f"What did the mayor of {town_name(i)} say?",
                                         f"How did the council of {town_name(i)} vote?")]


def test_questions_during_repeated_reloads_all_succeed_and_never_mix_versions(
        tmp_path: Path) -> None:
    folders = {"a": tmp_path / "a", "b": tmp_path / "b"}
    write_corpus(folders["a"], COUNT, version=0)
    write_corpus(folders["b"], COUNT, version=1)
    db = tmp_path / "kb.sqlite3"
    services = {v: NewsService(db, folder) for v, folder in folders.items()}

    # What each version answers, asked while it alone is loaded.
    expected: dict[str, dict[str, str]] = {}
    facts: dict[str, set[str]] = {}
    summaries: dict[str, set[str]] = {}
    for version in ("b", "a"):  # "a" stays loaded for the start
        service = services[version]
        service.reload()
        facts[version] = {t for (t,) in service.kb.db.execute("SELECT text FROM facts")}
        summaries[version] = {s for (s,) in service.kb.db.execute("SELECT summary FROM articles")}
        answers = {q: service.ask(q) for q in QUESTIONS}
        assert all(a.answered for a in answers.values()), "every question has an answer"
        expected[version] = {q: a.facts[0].text for q, a in answers.items()}
    assert not facts["a"] & facts["b"], "the two versions share no sentence"

    asker = NewsService(db, folders["a"])  # the bot's side: one service, many threads
    results: list[tuple[str, Answer]] = []
    errors: list[BaseException] = []
    start, stop = threading.Barrier(ASKERS + 1), threading.Event()
    questions = itertools.cycle(QUESTIONS)
    lock = threading.Lock()

    def ask_many() -> None:
        start.wait()
        while not stop.is_set() or len(results) < MIN_QUESTIONS:
            with lock:
                question = next(questions)
            try:
                results.append((question, asker.ask(question)))
            except Exception as exc:  # any failure is what this test looks for
                errors.append(exc)
            time.sleep(0.005)  # people pause between questions; the reloads get a turn

    threads = [threading.Thread(target=ask_many) for _ in range(ASKERS)]
    for thread in threads:
        thread.start()
    start.wait()
    reports = []
    for n in range(RELOADS):
        reports.append(services["b" if n % 2 == 0 else "a"].reload())
        # Let questions run against this version before the next reload replaces it.
        answered = len(results)
        deadline = time.monotonic() + 30
        while len(results) < answered + 2 * ASKERS and time.monotonic() < deadline:
            time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join(120)

    assert errors == []
    assert all(r.failed == [] and r.updated for r in reports)
    assert len(results) >= MIN_QUESTIONS
    seen_versions = set()
    for question, answer in results:
        assert answer.answered, question
        texts = [f.text for f in answer.facts]
        from_a = all(t in facts["a"] for t in texts)
        from_b = all(t in facts["b"] for t in texts)
        assert from_a != from_b, f"{question}: facts from both versions or neither: {texts}"
        version = "a" if from_a else "b"
        seen_versions.add(version)
        assert texts[0] == expected[version][question]
        assert answer.summary is None or answer.summary in summaries[version]
    assert seen_versions == {"a", "b"}, "the reloads really happened while questions ran"
