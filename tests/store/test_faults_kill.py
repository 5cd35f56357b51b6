"""`python -m bot load` killed with SIGKILL at random points: nothing is lost or left behind.

Two folders of 1,000 generated articles (b rewrites every other one of a's articles) are
loaded in turn by a real `python -m bot load` process, which is killed at seeded
random moments: some at a random time after it starts, some just after it has taken
SQLite's write lock (so inside the write transaction). After every kill the knowledge base
is exactly the one before the load (or, when the kill came after the commit, the new one)
and answers as it did; the next load completes; only the database and its -wal/-shm remain.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faults_support import (
    integrity_problems,
    town_name,
    visible_state,
    write_corpus,
    writer_active,
)

from bot.answer.answers import AnswerEngine
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory

ROOT = Path(__file__).resolve().parents[2]
COUNT = 1000
KILLS = 6
SEED = 20261128
# Towns 30 and 100 are rewritten in b, 31 and 101 are not.
QUESTIONS = [
    f"How many votes did the council of {town_name(30)} get?",
    f"When will the new {town_name(100)} building open, says the mayor?",
    f"What did the mayor of {town_name(31)} say about the budget?",
    f"Where did the residents of {town_name(101)} gather?",
    f"What did the council of {town_name(10)} decide?",
]
ALLOWED_FILES = {"kb.sqlite3", "kb.sqlite3-wal", "kb.sqlite3-shm", "kb.load.lock"}

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def answers(db_path: Path) -> list[dict]:
    """Answers from a fresh process-like view: a new connection and a new engine."""
    kb = KnowledgeBase(db_path)
    try:
        engine = AnswerEngine(kb)
        return [engine.ask(question).to_dict() for question in QUESTIONS]
    finally:
        kb.close()


def full_snapshot(db_path: Path) -> dict:
    """Every row of every table, ids included, read on a connection of its own."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("meta", "articles", "facts", "fact_vectors", "vocabulary")}
    finally:
        conn.close()


def expected(db_path: Path, folder: Path) -> tuple[dict, list[dict]]:
    """Load `folder` in this process and record what a reader sees and how it answers."""
    kb = KnowledgeBase(db_path)
    report = load_directory(kb, folder)
    kb.close()
    assert report.failed == []
    return visible_state(db_path), answers(db_path)


def start_load(db_path: Path, folder: Path) -> subprocess.Popen:
    """The load in a process group of its own, so that its helper processes can be found."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "load", "--db", str(db_path), "--articles", str(folder)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def leftover_groups(pgids: list[int], grace_s: float = 30.0) -> list[int]:
    """Process groups of killed loads that still have processes after a grace period.

    Those are killed here: they are this test's own children, and must not leak.
    """
    deadline = time.monotonic() + grace_s
    while any(group_alive(g) for g in pgids) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [g for g in pgids if group_alive(g)]
    for pgid in alive:
        os.killpg(pgid, signal.SIGKILL)
    return alive


def kill_at(process: subprocess.Popen, db_path: Path, rng: random.Random,
            in_transaction: bool) -> bool:
    """SIGKILL the load at a random moment; True when it was inside the write transaction."""
    if not in_transaction:
        time.sleep(rng.uniform(0.05, 1.0))
        locked = writer_active(db_path)
    else:
        deadline = time.monotonic() + 20
        while not (locked := writer_active(db_path)) and process.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.08))
    alive = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    return locked and alive and process.returncode == -signal.SIGKILL


def test_load_killed_at_random_points_loses_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    folder_a, folder_b = tmp_path / "a", tmp_path / "b"
    write_corpus(folder_a, COUNT, version=0)
    write_corpus(folder_b, COUNT, version=0, only=range(1, COUNT, 2))
    write_corpus(folder_b, COUNT, version=1, only=range(0, COUNT, 2))
    db_dir = tmp_path / "db"
    db_dir.mkdir()
    db_path = db_dir / "kb.sqlite3"

    # The two states a reader may ever see, recorded by loads in this process.
    scratch = tmp_path / "scratch.sqlite3"
    state_b, answers_b = expected(scratch, folder_b)
    state_a, answers_a = expected(db_path, folder_a)
    assert state_a != state_b
    assert answers_a != answers_b  # the questions can tell the two apart
    states = {"a": (state_a, answers_a), "b": (state_b, answers_b)}
    folders = {"a": folder_a, "b": folder_b}

    rng = random.Random(SEED)
    current, interrupted, in_transaction_kills = "a", 0, 0
    killed_groups: list[int] = []
    for kill in range(KILLS):
        target = "b" if current == "a" else "a"
        before, answers_before = full_snapshot(db_path), answers(db_path)
        process = start_load(db_path, folders[target])
        inside = kill_at(process, db_path, rng, in_transaction=kill % 2 == 1)
        killed_groups.append(process.pid)
        if visible_state(db_path) == states[target][0]:
            current = target  # the kill came after the commit: the new base, whole
        else:
            interrupted += 1
            in_transaction_kills += inside
            # Exactly as before, row ids and all, and answering as before.
            assert full_snapshot(db_path) == before, f"kill {kill}: the old base changed"
            assert answers(db_path) == answers_before, f"kill {kill}: answers changed"
        assert visible_state(db_path) == states[current][0], f"kill {kill}: a mix"
        assert integrity_problems(db_path) == []
        assert {p.name for p in db_dir.iterdir()} <= ALLOWED_FILES

    assert leftover_groups(killed_groups) == [], "processes of a killed load outlived it"
    assert interrupted >= KILLS // 2
    assert in_transaction_kills >= 1, "no kill landed inside the write transaction"

    # The next load completes, and ends exactly as an undisturbed load from the same base.
    target = "b" if current == "a" else "a"
    control = tmp_path / "control.sqlite3"
    with sqlite3.connect(db_path) as source, sqlite3.connect(control) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    control_state, control_answers = expected(control, folders[target])
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "load", "--db", str(db_path), "--articles",
         str(folders[target]), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["total_articles"] == COUNT
    assert visible_state(db_path) == states[target][0] == control_state
    assert full_snapshot(db_path) == full_snapshot(control)
    assert answers(db_path) == control_answers
    assert integrity_problems(db_path) == []
    assert {p.name for p in db_dir.iterdir()} <= ALLOWED_FILES
    assert sorted(p.name for p in folder_a.iterdir()) == [
        f"town_{i:04d}.txt" for i in range(COUNT)]  # the loader wrote nothing there
