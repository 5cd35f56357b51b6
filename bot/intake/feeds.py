"""Feeds (RSS, Atom): read each one, fetch the pages of its new entries as links are
fetched, then load the folder once for all feeds.

A feed is asked with the ETag / Last-Modified of its last read, so an unchanged feed costs
one small request (a 304). A failing feed or page is reported and logged, and the rest go
on. feedparser only parses the bytes `fetch` brought (never its own HTTP), so feeds and
their entries' pages pass the same address guard and limits as every link.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXParseException

import feedparser

from bot.ingest.fetching import FetchError, FetchLimits, Page, fetch
from bot.intake.links import LinkOutcome, fetch_link
from bot.service import NewsService
from bot.store.feed_state import FeedState
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
    """A feed entry worth fetching: the feed's id for it (else its link) and its page."""

    key: str
    link: str


@dataclass(frozen=True)
class EntryOutcome:
    """What became of one entry's page, and which attempt that was."""

    link: LinkOutcome
    attempt: int

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

    @property
    def saved(self) -> list[LinkOutcome]:
        return [e.link for e in self.entries if e.link.file]

    @property
    def failed_pages(self) -> list[LinkOutcome]:
        return [e.link for e in self.entries if e.link.error]

    def lines(self) -> list[str]:
        if self.error:
            return [f"  {self.url}: failed: {self.error}"]
        if self.unchanged:
            return [f"  {self.url}: unchanged"]
        if not self.entries:
            return [f"  {self.url}: nothing new"]
        out = [f"  {self.url}: {len(self.saved)} new of {len(self.entries)} tried"]
        for entry in self.entries:
            link = entry.link
            if link.file:
                out.append(f"    saved: {link.url} as {link.file}")
            else:
                then = "given up" if entry.given_up else "tried again next run"
                out.append(f"    failed: {link.url}: {link.error} "
                           f"(try {entry.attempt} of {MAX_ATTEMPTS}; {then})")
        if self.waiting:
            out.append(f"    waiting: {_count(self.waiting, 'more entry', 'more entries')} "
                       f"for the next run (at most {MAX_NEW_PER_FEED} a run)")
        return out


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
        out = [f"read {_count(len(self.feeds), 'feed')}: "
               f"{_count(len(self.new_articles), 'new article')}"
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
            entries[link] = Entry(item.get("id") or link, link)
    return list(entries.values())


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
    todo, waiting = _new_entries(url, entries, state)
    outcome = FeedOutcome(url, waiting=waiting)
    for entry, attempts in todo:
        link = fetch_link(service, entry.link, limits)
        state.record_entry(url, entry.key, entry.link, link.error)
        outcome.entries.append(EntryOutcome(link, attempts + 1))
        if link.error:
            log.warning("feed %s: page %s not fetched: %s", url, entry.link, link.error)
    # Entries left for later need the feed in full next time: a 304 would hide them.
    later = waiting or any(not e.given_up for e in outcome.entries if e.link.error)
    failed = outcome.failed_pages
    state.record_read(url, {} if later else dict(page.headers), len(outcome.saved),
                      failed_pages=len(failed), page_error=failed[-1].error if failed else None)
    return outcome


def _new_entries(url: str, entries: list[Entry],
                 state: FeedState) -> tuple[list[tuple[Entry, int]], int]:
    """The entries to fetch in this run with the attempts made on each so far, and how
    many more wait for the next run."""
    todo = []
    for entry in entries:
        saved, attempts = state.entry_state(url, entry.key, entry.link)
        if not saved and attempts < MAX_ATTEMPTS:
            todo.append((entry, attempts))
    return todo[:MAX_NEW_PER_FEED], max(len(todo) - MAX_NEW_PER_FEED, 0)


def read_feeds(service: NewsService, urls: list[str] | tuple[str, ...],
               state_path: str | Path, limits: FetchLimits) -> FeedsReport:
    """Read every feed, then reload once when any article was saved (blocking; LoadError if
    the load cannot run, the saved files staying for the next reload)."""
    with FeedState(state_path) as state:
        report = FeedsReport([read_feed(service, url, state, limits) for url in urls])
    if report.new_articles:
        report.load = service.reload()
    return report
