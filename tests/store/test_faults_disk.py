"""A full disk or a read-only database folder during a load: a clear error, nothing changed.

Real mechanisms only: the file-size limit of the loading process (RLIMIT_FSIZE, so SQLite's
writes really fail in the kernel), SQLite's own page limit, and file permissions, which a
test running as root checks by starting the loader as an unprivileged user.
"""

from __future__ import annotations

import gc
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from faults_support import integrity_problems, town_name, visible_state, write_corpus

from bot.answer.answers import AnswerEngine
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import LoadError, _parse_all, load_directory

resource = pytest.importorskip("resource")

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
QUESTION = "Who is Zhang Xiangbin?"
NEW_QUESTION = f"How many votes did the council of {town_name(7)} get?"


def answers(db_path: Path) -> list[dict]:
    kb = KnowledgeBase(db_path)
    try:
        engine = AnswerEngine(kb)
        return [engine.ask(q).to_dict() for q in (QUESTION, NEW_QUESTION)]
    finally:
        kb.close()


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    """A folder of the test's own; permissions are restored before it is removed."""
    folder = tmp_path / "work"
    folder.mkdir()
    yield folder
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755)


def seeded(workspace: Path) -> tuple[Path, Path]:
    """Seeds loaded into workspace/db/kb.sqlite3, then 200 new articles waiting in the folder."""
    articles, db_dir = workspace / "articles", workspace / "db"
    shutil.copytree(SEEDS, articles)
    db_dir.mkdir()
    kb = KnowledgeBase(db_dir / "kb.sqlite3")
    load_directory(kb, articles)
    kb.close()
    write_corpus(articles, 200, version=0)
    return articles, db_dir / "kb.sqlite3"


def load_cli(db_path: Path, articles: Path, **popen: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "load", "--db", str(db_path), "--articles", str(articles)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        **popen)  # type: ignore[call-overload]


READ_ONLY_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def read_only_prefix(folder: Path) -> list[str]:
    """A command prefix under which `folder` cannot be written.

    Permissions do that for ordinary users; root ignores them, so as root the folder is
    bind-mounted read-only in a mount namespace of the child's own (the kernel then refuses
    every write with EROFS, as on a file system remounted read-only).
    """
    if os.geteuid() != 0:
        for path in folder.iterdir():
            path.chmod(0o444)
        folder.chmod(0o555)
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("running as root without unshare: cannot make a folder read-only")
    prefix = [unshare, "--mount", "--propagation", "private", "sh", "-c", READ_ONLY_MOUNT,
              str(folder)]
    probe = subprocess.run([*prefix, "sh", "-c", f"touch '{folder}/probe'"],
                           capture_output=True, check=False)
    if probe.returncode == 0 or "Read-only" not in probe.stderr.decode():
        pytest.skip(f"cannot make a read-only mount here: {probe.stderr.decode()[:200]}")
    return prefix


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE")
def test_disk_full_during_a_load_changes_nothing_and_the_next_load_completes(
        workspace: Path) -> None:
    articles, db_path = seeded(workspace)
    before, answers_before = visible_state(db_path), answers(db_path)
    limit = db_path.stat().st_size + 64 * 1024  # room to open, none for 200 articles

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failing write, not a dead process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    full = load_cli(db_path, articles, preexec_fn=small_disk)
    assert full.returncode == 1
    assert "load failed: the knowledge base could not be updated" in full.stderr
    assert "Traceback" not in full.stderr
    assert visible_state(db_path) == before
    assert answers(db_path) == answers_before
    assert integrity_problems(db_path) == []

    done = load_cli(db_path, articles)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 200, updated 0, removed 0, unchanged 25, failed 0")
    assert answers(db_path)[1]["answered"]


class FullKnowledgeBase(KnowledgeBase):
    """SQLite refuses to grow the file past its current size: 'database or disk is full'."""

    def connect(self) -> sqlite_utils.Database:
        db = super().connect()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {int(pages)}")
        return db


def test_database_full_during_a_load_is_reported_and_rolled_back(workspace: Path) -> None:
    articles, db_path = seeded(workspace)
    before, answers_before = visible_state(db_path), answers(db_path)
    with pytest.raises(LoadError, match="database or disk is full") as failed:
        load_directory(FullKnowledgeBase(db_path), articles)
    # The failed load ended its parsing (and its worker pool) itself, in this thread, while
    # its error (`failed`, whose traceback holds the load's frames) is still held: left to
    # the garbage collector, the pool was once shut down from its own manager thread, which
    # cannot join itself (RuntimeError in the bot's log).
    assert str(failed.value).startswith("the knowledge base could not be updated")
    assert not [g for g in gc.get_objects() if isinstance(g, types.GeneratorType)
                and g.gi_code is _parse_all.__code__ and g.gi_frame is not None]
    assert visible_state(db_path) == before
    assert answers(db_path) == answers_before
    assert integrity_problems(db_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_read_only_database_folder_refuses_the_load_and_keeps_answering(
        workspace: Path) -> None:
    articles, db_path = seeded(workspace)
    before, answers_before = visible_state(db_path), answers(db_path)
    prefix = read_only_prefix(db_path.parent)
    refused = subprocess.run(
        [*prefix, sys.executable, "-m", "bot", "load", "--db", str(db_path), "--articles",
         str(articles)], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 1
    assert "readonly database" in refused.stderr or "unable to open" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["kb.load.lock", "kb.sqlite3"]
    for path in [db_path.parent, db_path]:
        path.chmod(0o755)
    assert visible_state(db_path) == before
    assert answers(db_path) == answers_before
    done = load_cli(db_path, articles)
    assert done.returncode == 0, done.stderr
    assert "added 200" in done.stdout


def test_the_page_limit_really_limits(workspace: Path) -> None:
    """The full-disk stand-in above is a real limit: a plain write fails the same way."""
    _, db_path = seeded(workspace)
    db = FullKnowledgeBase(db_path).connect()
    with pytest.raises(sqlite3.OperationalError, match="full"):
        db.execute("CREATE TABLE filler AS SELECT zeroblob(100000) AS x FROM facts")
    db.close()
