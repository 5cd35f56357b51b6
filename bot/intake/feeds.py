"""Feeds (RSS, Atom): read each one, fetch the pages of its new entries as links are
fetched, then load the folder once for all feeds.

A feed is asked with the ETag / Last-Modified of its last read, so an unchanged feed costs
one small request (a 304). An entry is known before any request, by the feed's id for it and
by its link (an article loaded from that address, by this feed or an admin's link): it is
fetched again only when the feed gives it a new date. A failing feed or page is reported and
logged, and the rest go on. feedparser only parses the bytes `fetch` brought (never its own
HTTP), so feeds and their entries' pages pass the same address guard and limits as every link.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXParseException

import feedparser

from bot.ingest.fetching import FetchError, FetchLimits, Page, fetch
from bot.intake.links import LinkOutcome, fetch_link
from bot.service import NewsService
from bot.store.feed_state import EntryState, FeedState
from bot.store.loading import LoadReport

log = logging.getLogger(__name__)

# What feeds are served as: the registered types, the generic XML ones many servers send,
# and the x- and RSS 1.0 (RDF) ones older sites still use.
FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml",
    "application/xml", "text/xml", "application/x-rss+xml", "application/x-atom+xml",
})
# New entries fetched per feed and run: a first read of a long feed (or a burst of news)
# is spread over the next runs instead of holding one run for minutes.
MAX_NEW_PER_FEED = 20
# Runs in which a failing entry page is tried before it is given up (a page still being
# published, a server hiccup); after that it is not fetched again.
MAX_ATTEMPTS = 3


class FeedError(Exception):
    """A feed whose body could not be read as RSS or Atom."""


@dataclass(frozen=True)
class Entry:
    """A feed entry worth fetching: the feed's id for it (else its link), its page, and the
    date the feed gives it (updated, else published; None without one)."""

    key: str
    link: str
    updated: str | None = None


@dataclass(frozen=True)
class Todo:
    """An entry to fetch in this run: the attempts made on it so far, and whether its
    article is loaded already and the feed says it was updated."""

    entry: Entry
    attempts: int
    update: bool = False


@dataclass(frozen=True)
class EntryOutcome:
    """What became of one entry's page, and which attempt that was."""

    link: LinkOutcome
    attempt: int
    update: bool = False  # the feed said the loaded article was updated

    @property
    def given_up(self) -> bool:
        return self.link.error is not None and self.attempt >= MAX_ATTEMPTS


@dataclass
class FeedOutcome:
    """One feed's read: unchanged, failed with `error`, or the entries tried."""

    url: str
    entries: list[EntryOutcome] = field(default_factory=list)
    unchanged: bool = False
    error: str | None = None
    waiting: int = 0  # new entries past MAX_NEW_PER_FEED, left for the next run
    known: int = 0  # entries first seen here whose article was loaded already: not fetched

    @property
    def saved(self) -> list[LinkOutcome]:
        return [e.link for e in self.entries if e.link.file]

    @property
    def updated(self) -> int:
        """Entries fetched again because the feed said they were updated, and saved."""
        return sum(1 for e in self.entries if e.update and e.link.file)

    @property
    def failed_pages(self) -> list[LinkOutcome]:
        return [e.link for e in self.entries if e.link.error]

    def lines(self) -> list[str]:
        if self.error:
            return [f"  {self.url}: failed: {self.error}"]
        if self.unchanged:
            return [f"  {self.url}: unchanged"]
        known = f" ({self.known} already loaded, not fetched)" if self.known else ""
        if not self.entries:
            return [f"  {self.url}: nothing new{known}"]
        updated = f", {self.updated} updated" if self.updated else ""
        out = [f"  {self.url}: {len(self.saved) - self.updated} new{updated} of "
               f"{len(self.entries)} tried{known}"]
        for entry in self.entries:
            out.append(_entry_line(entry))
        if self.waiting:
            out.append(f"    waiting: {_count(self.waiting, 'more entry', 'more entries')} "
                       f"for the next run (at most {MAX_NEW_PER_FEED} a run)")
        return out


def _entry_line(entry: EntryOutcome) -> str:
    """What became of one entry's page, for the report."""
    link = entry.link
    if link.file:
        return f"    {'updated' if entry.update else 'saved'}: {link.url} as {link.file}"
    then = "given up" if entry.given_up else "tried again next run"
    return (f"    failed: {link.url}: {link.error} "
            f"(try {entry.attempt} of {MAX_ATTEMPTS}; {then})")


@dataclass
class FeedsReport:
    """Each feed's outcome, then the one load that followed (None when nothing was saved)."""

    feeds: list[FeedOutcome] = field(default_factory=list)
    load: LoadReport | None = None

    @property
    def new_articles(self) -> list[LinkOutcome]:
        """The entries whose article files were saved in this run (for announcing them)."""
        return [link for feed in self.feeds for link in feed.saved]

    @property
    def failed_feeds(self) -> list[FeedOutcome]:
        return [feed for feed in self.feeds if feed.error]

    @property
    def all_failed(self) -> bool:
        return bool(self.feeds) and len(self.failed_feeds) == len(self.feeds)

    def lines(self) -> list[str]:
        """Short lines for a console or a log: the feeds first, then the load."""
        failing = len(self.failed_feeds)
        known = sum(feed.known for feed in self.feeds)
        out = [f"read {_count(len(self.feeds), 'feed')}: "
               f"{_count(len(self.new_articles), 'new article')}"
               + (f", {known} already loaded" if known else "")
               + (f", {_count(failing, 'feed')} failing" if failing else "")]
        for feed in self.feeds:
            out += feed.lines()
        return out + (self.load.lines() if self.load else [])


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def feed_entries(page: Page) -> list[Entry]:
    """The entries of a fetched feed that link to a page, in the feed's order, each link
    once; FeedError when the body is not RSS or Atom. A feed with small faults (feedparser's
    "bozo") still gives the entries it could read, as feed readers do."""
    content_type = page.content_type + (f"; charset={page.charset}" if page.charset else "")
    # A stream, never bytes or str: given those, feedparser opens a file or a URL they name.
    parsed = feedparser.parse(io.BytesIO(page.body), response_headers={
        "content-type": content_type, "content-location": page.url})
    if not parsed.get("version") or (parsed.get("bozo") and not parsed.entries):
        raise FeedError(f"not a readable feed: {_why(parsed.get('bozo_exception'))}")
    entries: dict[str, Entry] = {}
    for item in parsed.entries:
        link = item.get("link")
        if link and link not in entries:
            entries[link] = Entry(item.get("id") or link, link, _entry_date(item))
    return list(entries.values())


def _entry_date(item: dict) -> str | None:
    """The date the feed gives an entry, as written: Atom's updated, else published (RSS
    pubDate). dict.get: feedparser's own get answers published for a missing updated with
    a DeprecationWarning."""
    return dict.get(item, "updated") or dict.get(item, "published") or None


def _why(error: Exception | None) -> str:
    """feedparser's reason, where a person would look: "unclosed token (line 2)"."""
    if isinstance(error, SAXParseException):
        return f"{error.getMessage()} (line {error.getLineNumber()})"
    return str(error) if error else "no RSS or Atom in it"


def read_feed(service: NewsService, url: str, state: FeedState,
              limits: FetchLimits) -> FeedOutcome:
    """Read one feed conditionally and save the articles of its new entries (no load)."""
    try:
        page = fetch(url, limits, FEED_TYPES, state.validators(url), what="a feed")
        entries = [] if page.status == 304 else feed_entries(page)
    except (FetchError, FeedError) as exc:
        log.warning("feed %s failing: %s", url, exc)
        state.record_failure(url, str(exc))
        return FeedOutcome(url, error=str(exc))
    if page.status == 304:
        state.record_unchanged(url)
        return FeedOutcome(url, unchanged=True)
    todo, waiting, known = _entries_to_fetch(url, entries, state, service.has_article_at)
    outcome = FeedOutcome(url, waiting=waiting, known=known)
    for item in todo:
        entry = item.entry
        link = fetch_link(service, entry.link, limits)
        state.record_entry(url, entry.key, entry.link, link.error, entry.updated)
        outcome.entries.append(EntryOutcome(link, item.attempts + 1, item.update))
        if link.error:
            log.warning("feed %s: page %s not fetched: %s", url, entry.link, link.error)
    # Entries left for later need the feed in full next time: a 304 would hide them.
    later = waiting or any(not e.given_up for e in outcome.entries if e.link.error)
    failed = outcome.failed_pages
    state.record_read(url, {} if later else dict(page.headers), len(outcome.saved),
                      failed_pages=len(failed), page_error=failed[-1].error if failed else None)
    return outcome


def _entries_to_fetch(url: str, entries: list[Entry], state: FeedState,
                      loaded: Callable[[str], bool]) -> tuple[list[Todo], int, int]:
    """The entries to fetch in this run, how many more wait for the next run, and how many
    were found loaded already (by their link, remembered now without a request)."""
    todo, known = [], 0
    for entry in entries:
        remembered = state.entry_state(url, entry.key, entry.link)
        if not remembered.remembered and not remembered.saved and loaded(entry.link):
            remembered = EntryState(saved=True)
            known += 1
        if (item := _todo(entry, remembered)) is not None:
            todo.append(item)
        elif remembered.saved and (not remembered.remembered
                                   or remembered.updated != entry.updated):
            # first seen here, or dated before dates were kept: this date is the one loaded
            state.record_known(url, entry.key, entry.link, entry.updated)
    return todo[:MAX_NEW_PER_FEED], max(len(todo) - MAX_NEW_PER_FEED, 0), known


def _todo(entry: Entry, remembered: EntryState) -> Todo | None:
    """Whether to fetch the entry: never saved (and tried fewer than MAX_ATTEMPTS times), or
    saved under another date than the feed gives it now."""
    if not remembered.saved:
        return Todo(entry, remembered.attempts) if remembered.attempts < MAX_ATTEMPTS else None
    if remembered.remembered and None not in (remembered.updated, entry.updated) \
            and remembered.updated != entry.updated:
        return Todo(entry, 0, update=True)
    return None


def read_feeds(service: NewsService, urls: list[str] | tuple[str, ...],
               state_path: str | Path, limits: FetchLimits) -> FeedsReport:
    """Read every feed, then reload once when any article was saved (blocking; LoadError if
    the load cannot run, the saved files staying for the next reload)."""
    with FeedState(state_path) as state:
        report = FeedsReport([read_feed(service, url, state, limits) for url in urls])
    if report.new_articles:
        report.load = service.reload()
    return report
