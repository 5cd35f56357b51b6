"""Turn a fetched web page into an article file in the articles folder.

The file is a .json article (the loader reads it like any other), named after the page's
canonical URL, so the folder stays the one source of truth, /reload keeps working, and the
same article fetched again (by any of its addresses) replaces its file instead of adding one.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

from bot.ingest.fetching import Page
from bot.ingest.formats import parse_html
from bot.ingest.reading import decode
from bot.ingest.uploads import write_atomically

LINK_PREFIX = "link_"  # fetched pages stand apart from shipped files and uploads
MAX_SLUG_CHARS = 60
HASH_CHARS = 10
_SLUG_RE = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class ArticleFile:
    """An article file to write: its name in the folder, its bytes and its canonical URL."""

    name: str
    data: bytes
    url: str


def canonical_url(found: str | None, fetched: str) -> str:
    """The page's own canonical address when it names an http(s) one, else where it was
    fetched from; without its #fragment and with the scheme and host in lower case."""
    url = urljoin(fetched, found) if found else fetched
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        parts = urlsplit(fetched)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


def file_name_for(url: str) -> str:
    """`link_<host and path>_<hash>.json`: readable, and one name per canonical URL."""
    parts = urlsplit(url)
    slug = _SLUG_RE.sub("_", f"{parts.hostname or ''}{parts.path}").strip("_")
    digest = hashlib.sha256(url.encode()).hexdigest()[:HASH_CHARS]
    return f"{LINK_PREFIX}{slug[:MAX_SLUG_CHARS].rstrip('_') or 'page'}_{digest}.json"


def page_text(page: Page) -> str:
    """The page's text: in its declared charset, else as the loader decodes files."""
    if page.charset:
        try:
            return page.body.decode(page.charset, errors="replace")
        except LookupError:  # a charset Python does not know: decode as if none was given
            pass
    return decode(page.body)


def article_file(page: Page) -> ArticleFile:
    """The article of a fetched HTML page (ArticleError when it has none): title, date,
    author, site name and main text, under its canonical URL."""
    [raw] = parse_html(page_text(page), page.url)
    url = canonical_url(raw.meta.get("url"), page.url)
    record = {key: raw.meta[key] for key in ("title", "date", "author", "section")
              if raw.meta.get(key)}
    record["url"] = url
    record["source"] = raw.meta.get("source") or urlsplit(url).hostname or url
    record["body"] = "\n\n".join(raw.lines)
    data = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    return ArticleFile(file_name_for(url), data, url)


def save_article_file(articles_dir: str | Path, article: ArticleFile) -> Path:
    """Write (or replace) the article's file in the folder; never half-written."""
    return write_atomically(Path(articles_dir) / article.name, article.data)
