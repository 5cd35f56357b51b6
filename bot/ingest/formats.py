"""Parse each supported file format into raw article parts: metadata and body lines."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.dates import parse_date, split_leading_date
from bot.ingest.reading import ArticleError

FIELDS = ("title", "date", "url", "source", "section")
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".json", ".html", ".htm")
MAX_SECTION_WORDS = 3
MAX_TITLE_WORDS = 30
DATE_SCAN_LINES = 3


@dataclass
class RawArticle:
    """What a format parser found: metadata and the body's lines, not yet cleaned."""

    meta: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def _non_empty(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def parse_txt(text: str) -> list[RawArticle]:
    """Scraped page: optional section word, title line, optional date line, body."""
    lines = _non_empty(text.splitlines())
    meta: dict[str, str] = {}
    if len(lines) >= 3 and _looks_like_section(lines[0], lines[1]):
        meta["section"] = lines.pop(0)
    if lines:
        meta["title"] = lines.pop(0)
    _take_date(lines, meta)
    return [RawArticle(meta, lines)]


def _take_date(lines: list[str], meta: dict[str, str]) -> None:
    """Move the page's date into meta: a date line among the first few lines under the
    title (maybe after a byline), else a date glued to the start of the first paragraph."""
    for index, line in enumerate(lines[:DATE_SCAN_LINES]):
        if date := parse_date(line):
            meta["date"] = date
            del lines[index]
            return
    if lines:
        date, rest = split_leading_date(lines[0])
        if date:
            meta["date"] = date
            lines[0] = rest


def _looks_like_section(first: str, second: str) -> bool:
    """A section word is a short label with no punctuation, followed by a real title.

    A title does not end in a full stop: a short headline followed by the first paragraph
    is a title and a body, not a section and a title. A name ("Lord Byron") is a title, and
    so is a first line whose words the second repeats (a caption of its picture: "Brock
    Holt" over "Holt with the Boston Red Sox"); a section is a topic word ("Politics").
    """
    return (
        len(first.split()) <= MAX_SECTION_WORDS
        and not re.search(r"[.!?:,;]", first)
        and not _is_name(first)
        and not set(first.split()) & set(second.split())
        and parse_date(second) is None
        and len(first.split()) < len(second.split()) <= MAX_TITLE_WORDS
        and not second.rstrip("\"'”’)").endswith(".")
    )


def _is_name(line: str) -> bool:
    """Two or more words, each capitalised: a person's or a place's name, not a topic."""
    parts = line.split()
    return len(parts) > 1 and all(p[:1].isupper() for p in parts)


FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def parse_md(text: str) -> list[RawArticle]:
    """Markdown with optional front matter (simple `key: value` lines); first heading as title."""
    meta: dict[str, str] = {}
    if match := FRONT_MATTER_RE.match(text):
        for line in match.group(1).splitlines():
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            value = value.strip().strip("'\"").strip()
            if sep and key in FIELDS and value:  # an empty `title:` leaves the heading in charge
                meta[key] = value
        text = text[match.end():]
    body: list[str] = []
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if heading := re.match(r"^\s*#{1,6}\s+(.*)", line):
            meta.setdefault("title", _plain(heading.group(1)).strip())
            continue
        body.append(_plain(re.sub(r"^\s*(?:[-*+]|\d+\.|>)\s+", "", line)))
    if "title" not in meta:
        return [_with_meta(parse_txt("\n".join(body))[0], meta)]
    return [RawArticle(meta, _non_empty(body))]


def _plain(line: str) -> str:
    """Markdown inline markup removed: links keep their text, images go, emphasis marks go."""
    line = MD_LINK_RE.sub(lambda m: "" if m.group(0).startswith("!") else m.group(1), line)
    return re.sub(r"(\*\*|__|\*|`)", "", line)


def _with_meta(raw: RawArticle, meta: dict[str, str]) -> RawArticle:
    raw.meta.update(meta)
    return raw


def parse_json(text: str) -> list[RawArticle]:
    """One object or a list of objects with `title`, `body` and the optional metadata fields."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArticleError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise ArticleError("invalid JSON: nested too deeply to be an article") from None
    items = data if isinstance(data, list) else [data]
    articles = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ArticleError(f"JSON item {index} is not an object")
        body = item.get("body") or item.get("text") or item.get("content")
        if isinstance(body, list) and all(isinstance(part, str) for part in body):
            body = "\n".join(body)  # a list of paragraphs
        if not isinstance(body, str):
            raise ArticleError(f"JSON item {index} has no text `body`")
        meta = {k: str(item[k]).strip() for k in FIELDS if item.get(k) not in (None, "")}
        articles.append(RawArticle(meta, _non_empty(body.splitlines())))
    return articles


def parse_html(text: str, url: str | None = None) -> list[RawArticle]:
    """Main-text extraction with trafilatura, which drops navigation, ads and comments.

    `url`: where a fetched page came from, its address when it names no canonical one.
    The author is kept in meta for files that can store it (the loader ignores it)."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    # No extensive date search: it guesses from any year on the page ("Copyright 2024"
    # became 2024-01-01); a date must come from the page's markup or not at all.
    doc = trafilatura.bare_extraction(
        text, url=url, with_metadata=True, include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = getattr(doc, "text", None)
    if not isinstance(body, str) or not body.strip():
        raise ArticleError("no article text found in the HTML page")
    meta = {}
    for key, attr in (("title", "title"), ("date", "date"), ("url", "url"),
                      ("source", "sitename"), ("author", "author")):
        if value := getattr(doc, attr, None):
            meta[key] = str(value).strip()
    if categories := getattr(doc, "categories", None):
        meta["section"] = str(categories[0]).strip()
    return [RawArticle(meta, _non_empty(body.splitlines()))]


PARSERS = {
    ".txt": parse_txt,
    ".md": parse_md,
    ".markdown": parse_md,
    ".json": parse_json,
    ".html": parse_html,
    ".htm": parse_html,
}


def parse_file_text(path: Path, text: str) -> list[RawArticle]:
    """Dispatch on the file's suffix; an unsupported suffix is an ArticleError."""
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        raise ArticleError(
            f"unsupported file type {path.suffix or '(none)'!r}; "
            f"articles are {', '.join(SUPPORTED_SUFFIXES)}"
        )
    return parser(text)
