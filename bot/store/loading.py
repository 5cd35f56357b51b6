"""Load an articles folder into the knowledge base and report what changed.

Files are parsed by worker processes and each change is written as it arrives, all in one
transaction (memory stays bounded however big the folder). A file that fails is reported
with its reason and the rest still load.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from bot.ingest import articles as article_parsing
from bot.ingest.articles import Article, file_hash, parse_articles
from bot.ingest.reading import ArticleError, check_path, decoding_note, read_bytes
from bot.store import fact_vectors
from bot.store.knowledge import FileStat, FileStatChanges, KnowledgeBase, Writer
from bot.store.load_lock import load_lock
from bot.store.postings import packed_terms

SIDECAR_NAME = "_sources.json"
# Below this many files, starting worker processes (the fork server's start, ~0.3 s, the
# first time) costs more than it saves.
PARALLEL_MIN_FILES = 64
PARALLEL_CHUNK = 64
# Chunks a worker may have parsed or queued ahead of the writer (results wait in memory).
CHUNKS_AHEAD = 4
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
    # Not articles (a README, a licence, a metadata file) or the same text as another file.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # Loaded, with something the editor should know (a file that is not UTF-8).
    notes: list[tuple[str, str]] = field(default_factory=list)
    total_articles: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def lines(self) -> list[str]:
        """The report as short lines for a console or a chat message."""
        out = [
            f"added {len(self.added)}, updated {len(self.updated)}, removed "
            f"{len(self.removed)}, unchanged {len(self.unchanged)}, failed {len(self.failed)}"
            + (f", skipped {len(self.skipped)}" if self.skipped else "")
            + f" - {self.total_articles} articles loaded"
        ]
        for label, names in (("added", self.added), ("updated", self.updated),
                             ("removed", self.removed)):
            out.extend(f"  {label}: {name}" for name in names)
        out.extend(f"  failed: {name}: {reason}" for name, reason in self.failed)
        out.extend(f"  skipped: {name}: {reason}" for name, reason in self.skipped)
        out.extend(f"  note: {name}: {note}" for name, note in self.notes)
        return out

    def to_dict(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "removed": self.removed,
            "unchanged": self.unchanged,
            "failed": [{"file": name, "reason": reason} for name, reason in self.failed],
            "skipped": [{"file": name, "reason": reason} for name, reason in self.skipped],
            "notes": [{"file": name, "note": note} for name, note in self.notes],
            "total_articles": self.total_articles,
        }


# A folder of articles often holds the files that describe it: skipped by name, reported.
FOLDER_FILES = frozenset({"readme", "license", "licence", "copying", "notice", "authors",
                          "changelog", "contributing"})
METADATA_FILES = frozenset({"meta.json", "metadata.json", "manifest.json", "index.json"})


def not_an_article(name: str) -> str | None:
    """Why a file of the articles folder is not an article, judged by its name alone."""
    base = name.rsplit("/", 1)[-1]
    if base.lower() in METADATA_FILES:
        return "a metadata file, not an article"
    if base.split(".", 1)[0].lower() in FOLDER_FILES:
        return "describes the folder (README, licence...), not an article"
    return None


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
    waiting: Callable[[str], None] | None = None,
) -> LoadReport:
    """Bring the knowledge base in line with the folder: add, update, remove, report.

    Articles are written as the parsing workers deliver them, into one write transaction
    opened at the first change and committed at the end: a load holds a few hundred parsed
    files at a time, not the whole folder, and readers still see all old or all new. A load
    started while another runs (in any process) waits for it, telling `waiting` so.
    """
    with load_lock(kb.path, waiting):
        return _load(kb, Path(root), progress)


def _load(kb: KnowledgeBase, root: Path,
          progress: Callable[[int, int], None] | None) -> LoadReport:
    """load_directory, with the load lock held."""
    report = LoadReport()
    named = []
    for name, path in _scan_named(root):
        if reason := not_an_article(name):
            report.skipped.append((_printable(name), reason))
        else:
            named.append((name, path))
    sidecar, sidecar_error = read_sidecar(root)
    if sidecar_error:
        report.failed.append((SIDECAR_NAME, sidecar_error))
    stored_files = kb.stored_files()
    jobs = [Job(path, root, name,
                sidecar.get(name) or sidecar.get(os.path.basename(path)) if sidecar else None,
                stored_files.get(name)) for name, path in named]
    del stored_files, named  # per-file lists the rest of a big load does not need
    started_ns = time.time_ns()
    stored_stats = kb.file_stats()
    seen = [_stat(job) for job in jobs]
    source = _outcomes(jobs, seen, stored_stats, progress)
    outcomes = _Ahead(source)
    changes = _Changes(report, kb.stored_keys(), jobs, outcomes)
    stats = _StatRecorder(stored_stats, started_ns)
    try:
        with closing(source), ExitStack() as transaction:
            writer: Writer | None = None
            for job, stat, outcome in zip(jobs, seen, outcomes, strict=True):
                stats.record(job, stat, outcome)
                for article in changes.judge(job, outcome):
                    writer = writer or transaction.enter_context(kb.writing())
                    writer.upsert(article)
            changes.finish()
            if report.changed:
                writer = writer or transaction.enter_context(kb.writing())
                for key in report.removed:
                    writer.remove(key)
                stats.changes().write(writer.db)
            elif stat_changes := stats.changes():
                kb.save_file_stats(stat_changes)
    except LoadError:
        raise
    except Exception as exc:
        raise LoadError(f"the knowledge base could not be updated: {exc}") from exc
    report.total_articles = kb.article_count()
    return report


class _Ahead:
    """The files' outcomes in order, able to look further on when a judgement needs it.

    Whether a stored article is kept (its file unchanged or failed) or replaced is known only
    once its file is read: `reparsed` reads on to it, keeping the files in between.
    """

    def __init__(self, outcomes: Iterator[Outcome]) -> None:
        self._source = outcomes
        self._ahead: deque[Outcome] = deque()
        self._reparsed: list[bool] = []

    def __iter__(self) -> Iterator[Outcome]:
        while True:
            if self._ahead:
                yield self._ahead.popleft()
                continue
            outcome = next(self._source, None)
            if outcome is None:
                return
            yield self._note(outcome)

    def reparsed(self, index: int) -> bool:
        """True when the file at `index` was read anew (its stored articles are replaced)."""
        while len(self._reparsed) <= index:
            self._ahead.append(self._note(next(self._source)))
        return self._reparsed[index]

    def _note(self, outcome: Outcome) -> Outcome:
        self._reparsed.append(outcome.error is None and outcome.articles is not None)
        return outcome


class _Changes:
    """Which parsed articles a load writes, judged file by file in file order, and the report.

    Duplicates are judged against what will be loaded after this load, not before it: the
    stored text of files kept as they are, then the new text in file order.
    """

    def __init__(self, report: LoadReport, stored_keys: dict[str, tuple[str, str]],
                 jobs: list[Job], outcomes: _Ahead) -> None:
        self.report = report
        self.stored_keys = stored_keys
        self.outcomes = outcomes
        self.index_of = {job.name: index for index, job in enumerate(jobs)}
        self.keys_of: dict[str, list[str]] = defaultdict(list)
        for key, (file, _) in stored_keys.items():
            self.keys_of[file].append(key)
        self.stored_by_hash = {chash: (key, file) for key, (file, chash) in stored_keys.items()
                               if file in self.index_of}
        self.new_hashes: dict[str, str] = {}
        self.reparsed: set[str] = set()
        self.duplicates: list[tuple[str, str]] = []

    def judge(self, job: Job, outcome: Outcome) -> Iterator[Article]:
        """The file's articles to write, its place in the report noted."""
        if outcome.error is not None:
            self.report.failed.append((_printable(job.name), outcome.error))
            return
        if outcome.articles is None:
            self.report.unchanged.extend(self.keys_of.get(job.name, ()))
            return
        self.reparsed.add(job.name)
        if outcome.note:
            self.report.notes.append((_printable(job.name), outcome.note))
        for article in outcome.articles:
            if duplicate := self._duplicate_of(article.content_hash, job.name):
                self.duplicates.append((article.key, f"duplicate of {duplicate} (same text)"))
                continue
            self.new_hashes[article.content_hash] = article.key
            stored = article.key in self.stored_keys
            (self.report.updated if stored else self.report.added).append(article.key)
            yield article

    def _duplicate_of(self, chash: str, file: str) -> str | None:
        if key := self.new_hashes.get(chash):
            return key
        stored = self.stored_by_hash.get(chash)
        if stored is None or stored[1] == file:
            return None
        return None if self.outcomes.reparsed(self.index_of[stored[1]]) else stored[0]

    def finish(self) -> None:
        """Duplicates among the skipped files, then what goes: a file that fails now keeps
        its earlier version serving, nothing is lost to a bad edit."""
        self.report.skipped.extend(self.duplicates)
        new_keys = set(self.new_hashes.values())
        self.report.removed = sorted(
            key for key, (file, _) in self.stored_keys.items()
            if file not in self.index_of or (file in self.reparsed and key not in new_keys)
        )


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
    note: str | None = None


UNCHANGED = Outcome()


class Seen(NamedTuple):
    """A file's stat as this load found it, before reading it."""

    size: int
    mtime_ns: int
    meta: str  # _digest of the parser version and sidecar entry

    def with_hash(self, fhash: str) -> FileStat:
        return FileStat(self.size, self.mtime_ns, self.meta, fhash)


def _outcomes(jobs: list[Job], seen: list[Seen | None], stored_stats: dict[str, FileStat],
              progress: Callable[[int, int], None] | None) -> Iterator[Outcome]:
    """Each file's outcome, in order, as soon as it is known.

    Files with the size and time they were loaded with are known unchanged here, without
    reading them; only the rest are read (once each, hashed and parsed from those bytes),
    in worker processes when there are many: a reload of 100 changed files in 100,000 does
    not read or ship 100,000 files.
    """
    known = [_known_outcome(job, stored_stats.get(job.name), stat)
             for job, stat in zip(jobs, seen, strict=True)]
    parsed = _parse_all([job for job, outcome in zip(jobs, known, strict=True)
                         if outcome is None])
    try:
        for done, outcome in enumerate(known, 1):
            yield outcome or next(parsed)
            if progress:
                progress(done, len(jobs))
    finally:
        # A load that stops early (a failed write) ends its workers here, in its own thread:
        # left to the garbage collector, the pool's shutdown ran in whatever thread collected
        # it, once its own manager thread, which cannot join itself.
        parsed.close()


def _parse_all(jobs: list[Job]) -> Iterator[Outcome]:
    """Each file's outcome in order; many files are parsed by one worker process per core.

    Parsing, vectors and index terms are ~3/4 of a load's CPU time (docs/BENCHMARKS.md,
    "Loading speed"), and in Python only processes run them in parallel. Workers are
    forked from a fork server (spawned where there is none), never from the loading
    process: forking a process that runs threads, as the bot does, can deadlock the child.
    At most CHUNKS_AHEAD chunks per worker are parsed
    ahead of the writer, so parsed files never pile up in memory.
    """
    workers = os.cpu_count() or 1
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2:
        for job in jobs:
            yield from _parse_chunk([job])
        return
    # Chunks small enough that every worker gets a share of a few hundred files.
    size = max(1, min(PARALLEL_CHUNK, len(jobs) // (workers * 4)))
    chunks = (jobs[at:at + size] for at in range(0, len(jobs), size))
    with ProcessPoolExecutor(workers, mp_context=_worker_context(),
                             initializer=_exit_with_parent) as pool:
        running: deque[Future[list[Outcome]]] = deque()
        try:
            for chunk in chunks:
                running.append(pool.submit(_parse_chunk, chunk))
                if len(running) >= workers * CHUNKS_AHEAD:
                    yield from running.popleft().result()
            while running:
                yield from running.popleft().result()
        except BrokenProcessPool as exc:  # a worker was killed (out of memory, say)
            raise LoadError(f"a worker process reading the articles died: {exc}") from exc
        finally:
            for future in running:
                future.cancel()


def _parse_chunk(jobs: list[Job]) -> list[Outcome]:
    """A worker's share: outcomes of consecutive files, their facts' vectors (in one batch,
    by the worker's one encoder) and index terms computed here, in parallel like the
    parsing, rather than in the one writing process."""
    outcomes = [_parse_one(job) for job in jobs]
    articles = [a for outcome in outcomes for a in outcome.articles or ()]
    vectors = iter(fact_vectors.encode([f.text for a in articles for f in a.facts]))
    for article in articles:
        article.vectors = [next(vectors) for _ in article.facts]
        article.terms = [packed_terms(f.text) for f in article.facts]
    return outcomes


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


class _StatRecorder:
    """What to remember of each file loaded now: its stat (taken before reading) and hash."""

    def __init__(self, stored: dict[str, FileStat], started_ns: int) -> None:
        self.stored = stored
        self.started_ns = started_ns
        self.rows: dict[str, FileStat] = {}
        self.remembered: set[str] = set()

    def record(self, job: Job, stat: Seen | None, outcome: Outcome) -> None:
        if outcome.error is None:
            self.remembered.add(job.name)
        if stat is None or stat.mtime_ns > self.started_ns - RACY_NS:
            return
        if outcome == UNCHANGED and job.stored_hash is not None:
            row = stat.with_hash(job.stored_hash)
        elif outcome.articles:
            row = stat.with_hash(outcome.articles[0].file_hash)
        else:
            return
        if self.stored.get(job.name) != row:
            self.rows[job.name] = row

    def changes(self) -> FileStatChanges:
        return FileStatChanges(self.rows, [n for n in self.stored if n not in self.remembered])


def _parse_one(job: Job) -> Outcome:
    """Parsed articles, UNCHANGED, or the reason the file cannot be used."""
    try:
        read = _read_if_changed(Path(job.path), job.root, job.meta, job.stored_hash)
    except ArticleError as exc:
        return Outcome(error=str(exc))
    except Exception as exc:  # a parser bug must not abort the load
        return Outcome(error=f"could not be read: {type(exc).__name__}: {exc}")
    return UNCHANGED if read is None else read


def _read_if_changed(path: Path, root: Path, sidecar: dict[str, str] | None,
                     stored_hash: str | None) -> Outcome | None:
    """None when the file is byte-for-byte what is loaded; else its parsed articles, from
    the bytes read once here, with a note on how its text was decoded when not as UTF-8."""
    check_path(path, root)
    data = read_bytes(path)
    fhash = file_hash(data, sidecar)
    if fhash == stored_hash:
        return None
    return Outcome(parse_articles(data, path, root, sidecar, fhash),
                   note=decoding_note(data))
