"""Links an admin sends: fetch each page, save its article file, then load the folder once.

One URL failing (refused, timed out, no article in it) is reported and the rest go on;
the load report that follows is the one /reload gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.fetching import FetchError, FetchLimits, fetch
from bot.ingest.pages import article_file, save_article_file
from bot.ingest.reading import ArticleError
from bot.service import NewsService
from bot.store.loading import LoadReport

MAX_LINKS = 10  # one message's worth; more would keep the sender waiting for minutes
LINK_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"»”’"


def find_links(text: str) -> list[str]:
    """The http(s) links in a message, in order, each once, without trailing punctuation."""
    links = (match.rstrip(_TRAILING) for match in LINK_RE.findall(text))
    return list(dict.fromkeys(link for link in links if "://" in link))


@dataclass(frozen=True)
class LinkOutcome:
    """What became of one link: the file its article went into, or why it did not."""

    url: str
    file: str | None = None
    error: str | None = None


@dataclass
class LinksReport:
    """Each link's outcome, then the load that followed (None when nothing was saved)."""

    links: list[LinkOutcome] = field(default_factory=list)
    load: LoadReport | None = None
    skipped: int = 0  # links past MAX_LINKS, not fetched

    @property
    def saved(self) -> int:
        return sum(1 for link in self.links if link.file)

    def lines(self) -> list[str]:
        """Short lines for a console or a chat message: links first, then the load."""
        out = [f"fetched {self.saved} of {len(self.links)} links"]
        for link in self.links:
            out.append(f"  saved: {link.url} as {link.file}" if link.file
                       else f"  failed: {link.url}: {link.error}")
        if self.skipped:
            out.append(f"  not fetched: {self.skipped} more (at most {MAX_LINKS} at a time)")
        return out + (self.load.lines() if self.load else [])


def fetch_link(service: NewsService, url: str, limits: FetchLimits) -> LinkOutcome:
    """Fetch one page and save its article file into the service's folder (no load)."""
    try:
        article = article_file(fetch(url, limits))
        save_article_file(service.articles_dir, article)
    except (FetchError, ArticleError) as exc:
        return LinkOutcome(url, error=str(exc))
    except OSError as exc:
        return LinkOutcome(url, error=f"not saved: {exc.strerror or exc}")
    return LinkOutcome(url, file=article.name)


def add_links(service: NewsService, urls: list[str], limits: FetchLimits) -> LinksReport:
    """Fetch and save each link, then reload once (blocking; LoadError if the load cannot
    run, the files already saved staying for the next /reload)."""
    report = LinksReport(skipped=max(len(urls) - MAX_LINKS, 0))
    report.links = [fetch_link(service, url, limits) for url in urls[:MAX_LINKS]]
    if report.saved:
        report.load = service.reload()
    return report
