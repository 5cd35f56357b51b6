"""A small web site of the tests' own on 127.0.0.1: article pages written for the tests,
redirects, errors, a slow page, an oversized page and a picture; it notes every request."""

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


@dataclass
class PagesServer:
    """The running site: its base URL and the paths it was asked for."""

    base: str
    requests: list[str] = field(default_factory=list)
    slow_s: float = 2.0

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
    }
    routes.update({f"/hop{n}": functools.partial(_hop, n) for n in range(10)})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            route = routes.get(self.path)
            if route is None:
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
