"""Load an articles folder into the knowledge base and report what changed.

Files are parsed first, outside any transaction; then every change is written in one
transaction. A file that fails is reported with its reason and the rest still load.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from bot import articles as article_parsing
from bot.articles import Article, file_hash, parse_articles
from bot.knowledge import FileStat, FileStatChanges, KnowledgeBase
from bot.reading import ArticleError, check_path, read_bytes

SIDECAR_NAME = "_sources.json"
# Below this many files, starting worker processes (the fork server's start, ~0.3 s, the
# first time) costs more than it saves.
PARALLEL_MIN_FILES = 64
PARALLEL_CHUNK = 64
# A file changed this close before the load began may change again within the same clock
# tick, unseen by its size and time: it is not remembered, so the next load reads it again.
RACY_NS = 2_000_000_000


class LoadError(RuntimeError):
    """The load could not run at all (no folder, database trouble); nothing was changed."""


@dataclass
class LoadReport:
    """What a load did, file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    total_articles: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def lines(self) -> list[str]:
        """The report as short lines for a console or a chat message."""
        out = [
            f"added {len(self.added)}, updated {len(self.updated)}, removed "
            f"{len(self.removed)}, unchanged {len(self.unchanged)}, failed {len(self.failed)}"
            f" - {self.total_articles} articles loaded"
        ]
        for label, names in (("added", self.added), ("updated", self.updated),
                             ("removed", self.removed)):
            out.extend(f"  {label}: {name}" for name in names)
        out.extend(f"  failed: {name}: {reason}" for name, reason in self.failed)
        return out

    def to_dict(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "removed": self.removed,
            "unchanged": self.unchanged,
            "failed": [{"file": name, "reason": reason} for name, reason in self.failed],
            "total_articles": self.total_articles,
        }


def is_article_candidate(path: Path) -> bool:
    """Files named with a leading `_` or `.` are notes and metadata, not articles."""
    return not path.name.startswith(("_", "."))


def scan(root: Path) -> list[Path]:
    """Every candidate file under the folder, in a stable order, without following links."""
    return [Path(path) for _, path in _scan_named(root)]


def _scan_named(root: Path) -> list[tuple[str, str]]:
    """(name relative to the folder, path) of every candidate file, in path order.

    os.scandir rather than Path.rglob: 100,000 files took 0.6 s instead of 3.1 s, which
    matters to a reload of a few changed files; paths stay strings (100,000 Path objects
    cost another second) until a file has to be read. Folders named with `_` or `.` are skipped,
    links are listed but never followed.
    """
    if not root.is_dir():
        raise LoadError(f"articles folder not found: {root}")
    found: list[tuple[tuple[str, ...], str]] = []
    folders: list[tuple[str, tuple[str, ...]]] = [(str(root), ())]
    while folders:
        folder, parts = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if not entry.name.startswith(("_", ".")):
                        folders.append((entry.path, (*parts, entry.name)))
                elif ((entry.is_symlink() or entry.is_file())
                      and not entry.name.startswith(("_", "."))):
                    found.append(((*parts, entry.name), entry.path))
    found.sort(key=lambda item: item[0])
    return [("/".join(parts), path) for parts, path in found]


def read_sidecar(root: Path) -> tuple[dict[str, dict[str, str]], str | None]:
    """Metadata for plain-text articles from `_sources.json`; a broken one is reported."""
    path = root / SIDECAR_NAME
    if not path.exists():
        return {}, None
    try:
        check_path(path, root)
        data = json.loads(read_bytes(path).decode("utf-8-sig"))
        if not isinstance(data, dict):
            raise ValueError("expected an object of file name -> metadata")
        return {str(k): {f: str(v) for f, v in m.items() if v is not None}
                for k, m in data.items() if isinstance(m, dict)}, None
    except (ArticleError, ValueError) as exc:
        return {}, f"{exc}"


def load_directory(
    kb: KnowledgeBase,
    root: str | Path,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Bring the knowledge base in line with the folder: add, update, remove, report."""
    root = Path(root)
    report = LoadReport()
    named = _scan_named(root)
    sidecar, sidecar_error = read_sidecar(root)
    if sidecar_error:
        report.failed.append((SIDECAR_NAME, sidecar_error))
    stored_files = kb.stored_files()
    stored_keys = kb.stored_keys()
    keys_of: dict[str, list[str]] = defaultdict(list)
    for key, (file, _) in stored_keys.items():
        keys_of[file].append(key)
    present = {name for name, _ in named}
    jobs = [Job(path, root, name,
                sidecar.get(name) or sidecar.get(os.path.basename(path)) if sidecar else None,
                stored_files.get(name)) for name, path in named]
    started_ns = time.time_ns()
    stored_stats = kb.file_stats()
    seen = [_stat(job) for job in jobs]
    outcomes = _outcomes(jobs, seen, stored_stats, progress)
    stat_changes = _stat_changes(jobs, seen, outcomes, stored_stats, started_ns)
    parsed: list[tuple[str, list[Article]]] = []
    for job, outcome in zip(jobs, outcomes, strict=True):
        if outcome.error is not None:
            report.failed.append((_printable(job.name), outcome.error))
        elif outcome.articles is None:
            report.unchanged.extend(keys_of.get(job.name, ()))
        else:
            parsed.append((job.name, outcome.articles))
    reparsed = {name for name, _ in parsed}
    # Duplicates are judged against what will be loaded after this load, not before it:
    # the stored text of files kept as they are, then the new text in file order.
    seen_hashes = {chash: key for key, (file, chash) in stored_keys.items()
                   if file in present and file not in reparsed}
    upserts: list[Article] = []
    for _, articles in parsed:
        for article in articles:
            if duplicate := seen_hashes.get(article.content_hash):
                report.failed.append((article.key, f"same text as {duplicate} (duplicate)"))
                continue
            seen_hashes[article.content_hash] = article.key
            (report.updated if article.key in stored_keys else report.added).append(article.key)
            upserts.append(article)
    new_keys = {a.key for a in upserts}
    # A file that fails now keeps its earlier version serving: nothing is lost to a bad edit.
    report.removed = sorted(
        key for key, (file, _) in stored_keys.items()
        if file not in present or (file in reparsed and key not in new_keys)
    )
    try:
        if report.changed:
            kb.apply(upserts, report.removed, stat_changes)
        elif stat_changes:
            kb.save_file_stats(stat_changes)
    except Exception as exc:
        raise LoadError(f"the knowledge base could not be updated: {exc}") from exc
    report.total_articles = kb.article_count()
    return report


def _is_utf8(name: str) -> bool:
    """False for names with undecodable bytes (surrogate escapes), which SQLite cannot store."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(name: str) -> str:
    """A file name that any console can print, undecodable bytes shown as U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class Job(NamedTuple):
    """One article file to load, as a worker process needs it."""

    path: str
    root: Path
    name: str  # relative to the folder, "/"-separated, as the knowledge base knows it
    meta: dict[str, str] | None  # its sidecar entry
    stored_hash: str | None  # file_hash of the version loaded, None when new


class Outcome(NamedTuple):
    """What a load makes of one file: its articles, or why it cannot be used; neither when
    it is the file already loaded."""

    articles: list[Article] | None = None
    error: str | None = None


UNCHANGED = Outcome()


class Seen(NamedTuple):
    """A file's stat as this load found it, before reading it."""

    size: int
    mtime_ns: int
    meta: str  # _digest of the parser version and sidecar entry

    def with_hash(self, fhash: str) -> FileStat:
        return FileStat(self.size, self.mtime_ns, self.meta, fhash)


def _outcomes(jobs: list[Job], seen: list[Seen | None], stored_stats: dict[str, FileStat],
              progress: Callable[[int, int], None] | None) -> list[Outcome]:
    """Each file's outcome, in order.

    Files with the size and time they were loaded with are known unchanged here, without
    reading them; only the rest are read (once each, hashed and parsed from those bytes),
    in worker processes when there are many: a reload of 100 changed files in 100,000 does
    not read or ship 100,000 files.
    """
    outcomes: list[Outcome] = []
    pending: list[int] = []
    done = 0
    for index, (job, stat) in enumerate(zip(jobs, seen, strict=True)):
        known = _known_outcome(job, stored_stats.get(job.name), stat)
        outcomes.append(known or UNCHANGED)  # a file still to read is replaced below
        if known is None:
            pending.append(index)
            continue
        done += 1
        if progress:
            progress(done, len(jobs))
    for index, outcome in zip(pending, _parse_all([jobs[i] for i in pending]), strict=True):
        outcomes[index] = outcome
        done += 1
        if progress:
            progress(done, len(jobs))
    return outcomes


def _parse_all(jobs: list[Job]) -> Iterator[Outcome]:
    """Each file's outcome in order; many files are parsed by one worker process per core.

    Parsing (sentence splitting above all) is ~80% of a load's time, and in Python only
    processes run it in parallel. Workers are forked from a fork server (spawned where there
    is none), never from the loading process: forking a process that runs threads, as the
    bot does, can deadlock the child.
    """
    workers = os.cpu_count() or 1
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2:
        yield from map(_parse_one, jobs)
        return
    with ProcessPoolExecutor(workers, mp_context=_worker_context(),
                             initializer=_exit_with_parent) as pool:
        # Chunks small enough that every worker gets a share of a few hundred files.
        chunk = max(1, min(PARALLEL_CHUNK, len(jobs) // (workers * 4)))
        try:
            yield from pool.map(_parse_one, jobs, chunksize=chunk)
        except BrokenProcessPool as exc:  # a worker was killed (out of memory, say)
            raise LoadError(f"a worker process reading the articles died: {exc}") from exc


def _worker_context() -> multiprocessing.context.BaseContext:
    """The fork server's context, its server importing this module once for every worker."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _exit_with_parent() -> None:
    """In each worker: exit once the loading process is gone.

    A load killed with SIGKILL cannot stop its pool, and idle workers wait on a queue whose
    write end they hold themselves, so without this they would live on for ever (and the
    fork server with them: it waits for its last worker). The loading process, not the
    worker's parent (the fork server), is watched: multiprocessing's parent sentinel, a pipe
    that only the loading process holds open.
    """
    loader = multiprocessing.parent_process()
    assert loader is not None  # called in a worker only

    def watch() -> None:
        loader.join()
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _stat(job: Job) -> Seen | None:
    """The file's stat, taken before it is read; None if it cannot be."""
    try:
        info = os.stat(job.path)
    except OSError:
        return None
    return Seen(info.st_size, info.st_mtime_ns, _digest(job.meta))


def _digest(meta: dict[str, str] | None) -> str:
    """A short fingerprint of the parser version and the file's sidecar entry: a new one of
    either means a new article, though the file itself is untouched."""
    if meta is None:
        return f"v{article_parsing.PARSER_VERSION}"
    text = json.dumps(meta, sort_keys=True)
    return f"v{article_parsing.PARSER_VERSION}:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _known_outcome(job: Job, stored: FileStat | None, seen: Seen | None) -> Outcome | None:
    """The outcome known without reading the file, or None: it has to be read."""
    if not _is_utf8(job.name):
        return Outcome(error="file name is not valid UTF-8; rename it")
    if (job.stored_hash is not None and seen is not None
            and stored == seen.with_hash(job.stored_hash)):
        return UNCHANGED  # same size, time and sidecar entry as when it was loaded
    return None


def _stat_changes(jobs: list[Job], seen: list[Seen | None], outcomes: list[Outcome],
                  stored: dict[str, FileStat], started_ns: int) -> FileStatChanges:
    """What to remember of each file loaded now: its stat (taken before reading) and hash."""
    rows: dict[str, FileStat] = {}
    for job, stat, outcome in zip(jobs, seen, outcomes, strict=True):
        if stat is None or stat.mtime_ns > started_ns - RACY_NS:
            continue
        if outcome == UNCHANGED and job.stored_hash is not None:
            row = stat.with_hash(job.stored_hash)
        elif outcome.articles:
            row = stat.with_hash(outcome.articles[0].file_hash)
        else:
            continue
        if stored.get(job.name) != row:
            rows[job.name] = row
    remembered = {job.name for job, outcome in zip(jobs, outcomes, strict=True)
                  if outcome.error is None}
    return FileStatChanges(rows, [name for name in stored if name not in remembered])


def _parse_one(job: Job) -> Outcome:
    """Parsed articles, UNCHANGED, or the reason the file cannot be used."""
    try:
        articles = _read_if_changed(Path(job.path), job.root, job.meta, job.stored_hash)
    except ArticleError as exc:
        return Outcome(error=str(exc))
    except Exception as exc:  # a parser bug must not abort the load
        return Outcome(error=f"could not be read: {type(exc).__name__}: {exc}")
    return UNCHANGED if articles is None else Outcome(articles)


def _read_if_changed(path: Path, root: Path, sidecar: dict[str, str] | None,
                     stored_hash: str | None) -> list[Article] | None:
    """None when the file is byte-for-byte what is loaded; else its parsed articles, from
    the bytes read once here."""
    check_path(path, root)
    data = read_bytes(path)
    fhash = file_hash(data, sidecar)
    if fhash == stored_hash:
        return None
    return parse_articles(data, path, root, sidecar, fhash)
