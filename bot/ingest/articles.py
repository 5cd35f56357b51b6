"""Articles: read a file into clean, fact-split, summarised articles ready to store."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.blocks import as_read, body_facts, is_question
from bot.ingest.dates import parse_date
from bot.ingest.formats import RawArticle, parse_file_text
from bot.ingest.keyfacts import key_fact_ranks
from bot.ingest.reading import ArticleError, check_path, decode, read_bytes
from bot.ingest.sentences import SPLITTER
from bot.ingest.summary import summarize
from bot.text.words import fix_spacing, normalize

# Bump when parsing changes, so that unchanged files are re-read once with the new rules.
# The raw sentence splitter is part of it: installing or removing blingfire changes splits.
PARSER_VERSION = f"19-{SPLITTER}"


@dataclass(frozen=True)
class Fact:
    """One body sentence; key facts carry their rank among the article's key facts."""

    position: int
    text: str
    key_rank: int | None = None

    @property
    def is_key(self) -> bool:
        return self.key_rank is not None


@dataclass
class Article:
    """A clean article as the knowledge base stores it."""

    key: str
    file: str
    title: str
    body: list[str]
    facts: list[Fact]
    summary: str
    file_hash: str
    content_hash: str
    section: str | None = None
    date: str | None = None
    url: str | None = None
    source: str | None = None
    license: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # Its facts' vectors as stored (bot/store/fact_vectors.py) and their content words and index
    # terms (bot.store.postings.packed_terms), set by the load's workers.
    vectors: list[bytes] | None = None
    terms: list[tuple[str, str]] | None = None


def file_hash(data: bytes, meta: dict[str, str] | None = None) -> str:
    """Hash of what determines an article: parser version, bytes and sidecar metadata."""
    digest = hashlib.sha256(PARSER_VERSION.encode())
    digest.update(data)
    digest.update(repr(sorted((meta or {}).items())).encode())
    return digest.hexdigest()


def build_article(raw: RawArticle, key: str, file: str, fhash: str,
                  sidecar: dict[str, str] | None = None) -> Article:
    """Clean the body, split it into facts, flag key facts and summarise."""
    meta = {k: fix_spacing(normalize(v)) for k, v in raw.meta.items()}
    meta.update({k: v for k, v in (sidecar or {}).items() if v})
    if date := meta.get("date"):
        meta["date"] = parse_date(date) or parse_date(date[:10]) or date  # ISO when it can be
    title = meta.get("title", "").strip()
    if not title:
        raise ArticleError("no title found")
    body = body_facts([normalize(line) for line in raw.lines], title)
    paragraphs, sentences = body.paragraphs, body.facts
    if not sentences:
        raise ArticleError("no article text found (nothing but title and page furniture)")
    # A question (an interviewer's) is context for the answer after it, never a key fact;
    # in the summary it is, with its answer, the opening exchange (ROUGE-1 against the human
    # summaries of the interviews fell without it, docs/BENCHMARKS.md).
    statements = [i for i, s in enumerate(sentences) if not is_question(s)]
    ranks = {statements[i]: rank for i, rank in
             key_fact_ranks([sentences[i] for i in statements]).items()}
    facts = [Fact(i, s, ranks.get(i)) for i, s in enumerate(sentences)]
    content = "\n".join([title, *sentences])
    return Article(
        key=key,
        file=file,
        title=title,
        body=paragraphs,
        facts=facts,
        summary=summarize(as_read(sentences[body.rows:])),
        file_hash=fhash,
        content_hash=hashlib.sha256(content.casefold().encode()).hexdigest(),
        section=meta.get("section"),
        date=meta.get("date"),
        url=meta.get("url"),
        source=meta.get("source"),
        license=meta.get("license"),
    )


def read_articles(path: Path, root: Path, sidecar: dict[str, str] | None = None) -> list[Article]:
    """Read one file into its articles (a JSON list holds several); ArticleError if unusable."""
    check_path(path, root)
    return parse_articles(read_bytes(path), path, root, sidecar)


def parse_articles(data: bytes, path: Path, root: Path, sidecar: dict[str, str] | None = None,
                   fhash: str | None = None) -> list[Article]:
    """The articles of a file's bytes, read once by the caller (who may have hashed them
    already: `fhash`, which must be file_hash(data, sidecar))."""
    fhash = fhash or file_hash(data, sidecar)
    text = decode(data)
    raws = parse_file_text(path, text)
    name = path.relative_to(root).as_posix()
    # A JSON list keys its articles by place even when it holds one, so that shrinking a
    # list to one item does not give that item a new key (and a new id).
    if len(raws) == 1 and not (path.suffix.lower() == ".json" and text.lstrip().startswith("[")):
        return [build_article(raws[0], name, name, fhash, sidecar)]
    return [build_article(raw, f"{name}#{i}", name, fhash, sidecar) for i, raw in enumerate(raws)]
