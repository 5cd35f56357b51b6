"""Loads queue behind each other instead of failing: real `python -m bot load` processes on
one knowledge base, a load already running, and a load killed while others wait for it."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from faults_support import load_running
from test_cli import SEEDS, TIMEOUT, bot_env

from bot.store.load_lock import load_lock, load_lock_path_for

WAITING = "waiting for another load since"


def few_seeds(folder: Path, count: int = 4) -> Path:
    """A folder with the first few seed articles: a real load, over in a second or two."""
    folder.mkdir()
    for path in sorted(SEEDS.glob("GUM_news_*.txt"))[:count]:
        shutil.copyfile(path, folder / path.name)
    return folder


def start_load(db: Path, articles: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "load", "--json"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8", env=bot_env(db, articles),
        cwd=db.parent)


def waits(process: subprocess.Popen[str]) -> str:
    """The load's first line on stderr: what it says while it waits."""
    assert process.stderr is not None
    return process.stderr.readline()


def finished(process: subprocess.Popen[str]) -> tuple[dict, str]:
    """The load's JSON report and the rest of its stderr, once it ends with exit code 0."""
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    return json.loads(out), err


def rows(db: Path) -> list[tuple]:
    """What a load leaves: every article and fact, and the vocabulary."""
    with sqlite3.connect(db) as conn:
        found = conn.execute(
            "SELECT a.id, a.source_file, a.title, a.content_hash, f.id, f.text "
            "FROM articles a JOIN facts f ON f.article_id = a.id ORDER BY f.id").fetchall()
        found += conn.execute("SELECT word, df FROM vocabulary ORDER BY word").fetchall()
    conn.close()
    return found


def test_two_loads_started_together_queue_and_leave_the_base_of_one_load(
        tmp_path: Path) -> None:
    articles = few_seeds(tmp_path / "articles")
    db = tmp_path / "kb.sqlite3"
    with load_lock(db):  # a load already running when both start
        loads = [start_load(db, articles) for _ in range(2)]
        said = [waits(load) for load in loads]
    reports = [finished(load) for load in loads]
    assert all(line.startswith(WAITING) and "UTC (process " in line for line in said), said
    assert not any("locked" in err for _, err in reports)
    added = sorted(len(report["added"]) for report, _ in reports)
    assert added == [0, 4]  # the second found the first one's work done
    assert all(report["total_articles"] == 4 for report, _ in reports)
    alone = tmp_path / "alone.sqlite3"
    subprocess.run([sys.executable, "-m", "bot", "load"], env=bot_env(alone, articles),
                   cwd=tmp_path, check=True, capture_output=True, timeout=TIMEOUT)
    assert rows(db) == rows(alone)


def test_a_killed_load_never_blocks_the_next(tmp_path: Path) -> None:
    articles = few_seeds(tmp_path / "articles", 2)
    db = tmp_path / "kb.sqlite3"
    with load_running(db) as holder:  # killed at the end of the block, while the load waits
        load = start_load(db, articles)
        assert f"(process {holder.pid})" in waits(load)
    report, _ = finished(load)
    assert len(report["added"]) == 2
    assert load_lock_path_for(db).exists()  # left in place: the kernel, not the file, locks
