"""A small web site of the tests' own on 127.0.0.1: article pages and feeds written for the
tests, redirects, errors, a slow page, an oversized page and a picture; it notes every
request, and every conditional one."""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Lighthouse keepers return to Skerry Point | Harbour Gazette</title>
<link rel="canonical" href="{base}/news/lighthouse-keepers-return">
<meta property="og:site_name" content="Harbour Gazette">
<meta name="author" content="Morag Finlay">
<meta property="article:published_time" content="2025-10-14T09:30:00Z">
</head><body>
<nav><a href="/">Home</a> | <a href="/sport">Sport</a> | <a href="/weather">Weather</a></nav>
<article>
<h1>Lighthouse keepers return to Skerry Point</h1>
<p>The council said on Tuesday that two keepers will live at the Skerry Point lighthouse
again from next spring, forty years after its lamp was automated.</p>
<p>The keepers, Ishbel Munro and her brother Calum, will guide the ferries through the
narrows during winter storms, when the automatic lamp has failed three times since 2020.</p>
<p>The restoration of the keepers' cottage cost 240,000 pounds, paid by the harbour trust
and a grant from the coastal heritage fund.</p>
<p>Fishermen in the harbour welcomed the news, saying a person on the rock sees what no
sensor can.</p>
</article>
<footer>Copyright 2025 Harbour Gazette. All rights reserved.</footer>
</body></html>
"""
LIGHTHOUSE_QUESTION = "How much did the restoration of the keepers' cottage cost?"
ARTICLE_PATH = "/news/lighthouse-keepers-return"
AMP_PATH = "/amp/lighthouse-keepers-return"
HUGE_BYTES = 6 * 1024 * 1024  # over the 5 MB cap
ETAG = '"v1"'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

STORY_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | Harbour Gazette</title>
<link rel="canonical" href="{base}{path}">
<meta property="og:site_name" content="Harbour Gazette">
<meta property="article:published_time" content="{date}">
</head><body>
<nav><a href="/">Home</a> | <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>
{paragraphs}
</article>
<footer>Copyright 2025 Harbour Gazette. All rights reserved.</footer>
</body></html>
"""
FERRY_PATH = "/news/winter-ferry-timetable"
FERRY_TITLE = "Winter ferry timetable adds a late sailing to Inchmurrin"
FERRY_QUESTION = "What time does the late ferry to Inchmurrin leave the harbour?"
FERRY_ANSWER = "21:40"
FERRY = [
    "The ferry company said on Wednesday that its winter timetable will add a late sailing "
    "to Inchmurrin on Fridays and Saturdays from the first of November.",
    "The late ferry to Inchmurrin will leave the harbour at 21:40 and return from the "
    "island pier forty minutes later.",
    "Islanders had asked for the sailing for three years, saying the last ferry at six in "
    "the evening kept them from concerts and matches on the mainland.",
    "The company will run the late sailing with the smaller ferry, the Morven, which "
    "carries eighty passengers and twelve cars.",
]
MARKET_PATH = "/news/market-hall-reopens"
MARKET_TITLE = "Old market hall reopens after flood repairs"
MARKET_QUESTION = "How many stalls does the reopened market hall have?"
MARKET_ANSWER = "forty-six stalls"
MARKET = [
    "The old market hall on Quay Street reopened on Saturday, eighteen months after the "
    "river flood filled its cellars with mud.",
    "The repaired hall has forty-six stalls, six more than before the flood, and a new "
    "floor raised half a metre above the old one.",
    "The repairs cost 1.3 million pounds, most of it paid by the town's insurers.",
    "Traders said the first Saturday brought more shoppers than any day since the flood.",
]
RSS_PATH = "/feeds/harbour.rss"  # RSS 2.0 with an ETag: 304 to If-None-Match
ATOM_PATH = "/feeds/town.atom"  # Atom with Last-Modified: 304 to If-Modified-Since
BAD_LINKS_PATH = "/feeds/bad-links.xml"  # entries pointing to a 404 and a 500 page
MALFORMED_PATH = "/feeds/malformed.rss"  # cut off half-way: no entry can be read
ATOM_MODIFIED = "Tue, 14 Oct 2025 10:00:00 GMT"
RSS_DATE = "Wed, 15 Oct 2025 08:00:00 GMT"
RSS_ITEM = """<item><title>{title}</title><link>{base}{path}</link>
<guid isPermaLink="false">{guid}</guid><pubDate>{date}</pubDate>
<description>{title}.</description></item>
"""
RSS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Harbour Gazette</title><link>{base}/</link><description>News from the harbour
</description>
{items}</channel></rss>
"""
ATOM_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Harbour Gazette: the town</title><id>tag:harbour-gazette.test,2025:town</id>
<updated>2025-10-14T10:00:00Z</updated>
<entry><title>{market}</title><link rel="alternate" href="{market_path}"/>
<id>tag:harbour-gazette.test,2025:market-hall</id><updated>2025-10-14T10:00:00Z</updated>
</entry>
<entry><title>Lighthouse keepers return to Skerry Point</title>
<link rel="alternate" href="{base}{lighthouse_path}"/>
<id>tag:harbour-gazette.test,2025:lighthouse</id><updated>2025-10-14T09:30:00Z</updated>
</entry>
</feed>
"""
MALFORMED_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><it"""


@dataclass
class PagesServer:
    """The running site: its base URL and the paths it was asked for."""

    base: str
    requests: list[str] = field(default_factory=list)
    slow_s: float = 2.0
    conditional: list[str] = field(default_factory=list)  # asked with ETag / Last-Modified
    not_modified: list[str] = field(default_factory=list)  # answered 304
    down: set[str] = field(default_factory=set)  # paths answering 503 for now
    # The RSS feed's items after the first two, as (title, path, guid): a test adds news.
    later_items: list[tuple[str, str, str]] = field(default_factory=list)
    # Stories revised since first published: path -> (the feed's new date for its item, a
    # paragraph added to the page).
    revised: dict[str, tuple[str, str]] = field(default_factory=dict)

    def rss(self) -> bytes:
        items = [(FERRY_TITLE, FERRY_PATH, "harbour-gazette-1042"),
                 ("Lighthouse keepers return to Skerry Point", ARTICLE_PATH,
                  "harbour-gazette-1041"), *self.later_items]
        return RSS_FEED.format(base=self.base, items="".join(
            RSS_ITEM.format(base=self.base, title=t, path=p, guid=g,
                            date=self.revised.get(p, (RSS_DATE,))[0]) for t, p, g in items
        )).encode()

    def rss_etag(self) -> str:
        # a new item or a revised one, a new version
        return f'"harbour-{len(self.later_items)}-{len(self.revised)}"'

    def story(self, path: str, title: str, paragraphs: list[str]) -> bytes:
        """The story's page as it stands: with its added paragraph once revised."""
        added = [self.revised[path][1]] if path in self.revised else []
        return story(self.base, path, title, paragraphs + added)

    def count(self, path: str) -> int:
        return self.requests.count(path)

    def url(self, path: str) -> str:
        return self.base + path


def _hop(number: int, handler: BaseHTTPRequestHandler) -> None:
    """One hop of a chain of redirects longer than the fetcher follows."""
    handler.redirect(f"/hop{number + 1}")  # type: ignore[attr-defined]


def _handler(site: PagesServer) -> type[BaseHTTPRequestHandler]:
    routes = {
        ARTICLE_PATH: lambda h: h.send(200, "text/html; charset=utf-8",
                                       ARTICLE_PAGE.format(base=site.base).encode()),
        "/share?id=7": lambda h: h.redirect(ARTICLE_PATH),
        # The same article at another address, naming the first one its canonical URL.
        AMP_PATH: lambda h: h.send(200, "text/html; charset=utf-8",
                                   ARTICLE_PAGE.format(base=site.base).encode()),
        "/loop-a": lambda h: h.redirect("/loop-b"),
        "/loop-b": lambda h: h.redirect("/loop-a"),
        "/missing": lambda h: h.send(404, "text/html", b"<h1>Not found</h1>"),
        "/broken": lambda h: h.send(500, "text/html", b"<h1>Server error</h1>"),
        "/slow": lambda h: h.slow(),
        "/drip": lambda h: h.drip(),
        "/etag": lambda h: h.conditional(),
        "/huge": lambda h: h.send(200, "text/html", b"<p>" + b"word " * (HUGE_BYTES // 5)),
        "/huge-undeclared": lambda h: h.send(200, "text/html",
                                             b"<p>" + b"word " * (HUGE_BYTES // 5), False),
        "/picture": lambda h: h.send(200, "image/png", PNG),
        "/empty-page": lambda h: h.send(200, "text/html", b"<html><body></body></html>"),
        FERRY_PATH: lambda h: h.send(200, "text/html; charset=utf-8",
                                     site.story(FERRY_PATH, FERRY_TITLE, FERRY)),
        MARKET_PATH: lambda h: h.send(200, "text/html; charset=utf-8",
                                      site.story(MARKET_PATH, MARKET_TITLE, MARKET)),
        RSS_PATH: lambda h: h.feed("application/rss+xml", site.rss(), etag=site.rss_etag()),
        ATOM_PATH: lambda h: h.feed("application/atom+xml", ATOM_FEED.format(
            base=site.base, market=MARKET_TITLE, market_path=MARKET_PATH,
            lighthouse_path=ARTICLE_PATH).encode(), modified=ATOM_MODIFIED),
        BAD_LINKS_PATH: lambda h: h.send(200, "text/xml", RSS_FEED.format(
            base=site.base, items="".join(RSS_ITEM.format(base=site.base, title=t, path=p,
                                                          guid=p, date=RSS_DATE)
                                          for t, p in (("Gone", "/missing"),
                                                       ("Broken", "/broken"),
                                                       (MARKET_TITLE, MARKET_PATH)))).encode()),
        MALFORMED_PATH: lambda h: h.send(200, "application/rss+xml", MALFORMED_FEED),
    }
    routes.update({f"/hop{n}": functools.partial(_hop, n) for n in range(10)})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            if self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"):
                site.conditional.append(self.path)
            route = routes.get(self.path)
            if self.path in site.down:
                self.send(503, "text/html", b"<h1>Down for maintenance</h1>")
            elif route is None:
                self.send(404, "text/plain", b"no such page")
            else:
                route(self)

        def send(self, status: int, content_type: str, body: bytes,
                 declare_length: bool = True) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if declare_length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # the fetcher may stop reading (too large)
            if not declare_length:
                self.close_connection = True

        def redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def slow(self) -> None:
            time.sleep(site.slow_s)
            self.send(200, "text/html", ARTICLE_PAGE.format(base=site.base).encode())

        def conditional(self) -> None:
            """304 to a request naming the current ETag, else the page with its ETag."""
            if self.headers.get("If-None-Match") == ETAG:
                self.send_response(304)
                self.send_header("ETag", ETAG)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", ETAG)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "17")
            self.end_headers()
            self.wfile.write(b"<p>version 1</p>\n")

        def feed(self, content_type: str, body: bytes, etag: str | None = None,
                 modified: str | None = None) -> None:
            """A feed with its validator: 304 to a request naming it, else the feed."""
            if ((etag and self.headers.get("If-None-Match") == etag)
                    or (modified and self.headers.get("If-Modified-Since") == modified)):
                site.not_modified.append(self.path)
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            if modified:
                self.send_header("Last-Modified", modified)
            self.end_headers()
            self.wfile.write(body)

        def drip(self) -> None:
            """A byte now and then: no read waits long, yet the page never ends in time."""
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.close_connection = True
            deadline = time.monotonic() + 2 * site.slow_s
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                while time.monotonic() < deadline:
                    self.wfile.write(b"<p>drip</p>\n")
                    self.wfile.flush()
                    time.sleep(0.1)

        def log_message(self, *args: object) -> None:  # quiet test output
            pass

    return Handler


def story(base: str, path: str, title: str, paragraphs: list[str]) -> bytes:
    """An article page of the Harbour Gazette, as a news site would serve it."""
    return STORY_PAGE.format(base=base, path=path, title=title, date="2025-10-15T08:00:00Z",
                             paragraphs="\n".join(f"<p>{p}</p>" for p in paragraphs)).encode()


@contextmanager
def pages_server() -> Iterator[PagesServer]:
    """Serve the site on a free port of 127.0.0.1 until the block ends."""
    site = PagesServer("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
