"""One load at a time per knowledge base, across processes: later loads queue, none fails.

A load holds the write lock while its files are parsed (bot/store/loading.py), so a second
writer waiting on SQLite's busy timeout would fail with "database is locked" after 10 s. Loads
take this lock first instead: an flock on a small file next to the knowledge base, which
waits as long as the running load takes, and which the kernel releases when its holder dies
(a killed load never blocks the next). The file keeps the holder's process id and start
time, so a waiting load can say whom it waits for.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def load_lock_path_for(database_path: str | Path) -> Path:
    """data/bot.sqlite3 -> data/bot.load.lock, next to the knowledge base."""
    path = Path(database_path)
    return path.with_name(f"{path.stem}.load.lock")


@contextmanager
def load_lock(database_path: str | Path,
              waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the knowledge base's load lock for the block; when another load holds it, tell
    `waiting` ("waiting for another load since 15:20:01 UTC (process 4242)") and wait."""
    fd = _open(load_lock_path_for(database_path))
    if fd is None:  # a read-only folder: the load's own write will say why it cannot run
        yield
        return
    try:
        if not _try_lock(fd):
            if waiting is not None:
                waiting(f"waiting for another load since {_holder(fd)}")
            fcntl.flock(fd, fcntl.LOCK_EX)  # as long as it takes: the kernel ends a dead one
        _note_holder(fd)
        yield
    finally:
        os.close(fd)  # closing the one descriptor releases the lock


def _open(path: Path) -> int | None:
    """The lock file, made when missing; read-only when it cannot be written (flock needs no
    write access); None when it neither exists nor can be made."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        pass
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None


def _try_lock(fd: int) -> bool:
    """Take the lock if nobody holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _note_holder(fd: int) -> None:
    """Write this process's id and the time into the lock file, for whoever waits next."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    with suppress(OSError):  # opened read-only: the lock holds all the same
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{stamp} UTC (process {os.getpid()})\n".encode(), 0)


def _holder(fd: int) -> str:
    """Who holds the lock, as its holder wrote it ("a moment ago" while it is still writing)."""
    text = ""
    with suppress(OSError):
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    return text or "a moment ago"
