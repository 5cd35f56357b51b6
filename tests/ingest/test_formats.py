"""Every supported file format becomes an article; anything else is skipped with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.ingest.articles import Article, read_articles
from bot.ingest.reading import ArticleError
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory

BODY = (
    "The city council approved a new budget of 12 million dollars on Monday. "
    "Mayor Jane Ortiz said the money will repair the old harbour bridge.\n\n"
    "Work on the bridge is expected to start in March and last two years."
)


def read_one(path: Path) -> Article:
    (article,) = read_articles(path, path.parent)
    return article


def facts(article: Article) -> list[str]:
    return [fact.text for fact in article.facts]


def test_markdown_front_matter_gives_every_field(empty_dir: Path) -> None:
    path = empty_dir / "bridge.md"
    path.write_text(
        "---\n"
        'title: "Council approves harbour bridge repair"\n'
        "date: 2024-03-04\n"
        "url: https://example.org/news/bridge\n"
        "source: Example Gazette\n"
        "section: Local\n"
        "---\n\n"
        f"{BODY}\n",
        encoding="utf-8",
    )
    article = read_one(path)
    assert article.title == "Council approves harbour bridge repair"
    assert article.date == "2024-03-04"
    assert article.url == "https://example.org/news/bridge"
    assert article.source == "Example Gazette"
    assert article.section == "Local"
    assert facts(article) == [
        "The city council approved a new budget of 12 million dollars on Monday.",
        "Mayor Jane Ortiz said the money will repair the old harbour bridge.",
        "Work on the bridge is expected to start in March and last two years.",
    ]


def test_markdown_without_front_matter_takes_its_first_heading_as_title(empty_dir: Path) -> None:
    path = empty_dir / "bridge.md"
    path.write_text(
        "# Council approves **harbour** bridge [repair](https://example.org/r)\n\n"
        f"{BODY}\n\n"
        "## Reactions\n\n"
        "- Residents [welcomed](https://example.org/x) the decision at a packed meeting.\n",
        encoding="utf-8",
    )
    article = read_one(path)
    assert article.title == "Council approves harbour bridge repair"
    assert article.date is None
    assert "Residents welcomed the decision at a packed meeting." in facts(article)
    assert not any("Reactions" in text or "](" in text for text in facts(article))


def test_json_single_object_is_one_article(empty_dir: Path) -> None:
    path = empty_dir / "bridge.json"
    path.write_text(json.dumps({
        "title": "Council approves harbour bridge repair", "date": "2024-03-04",
        "url": "https://example.org/news/bridge", "source": "Example Gazette",
        "section": "Local", "body": BODY,
    }), encoding="utf-8")
    article = read_one(path)
    assert (article.title, article.date, article.url, article.source, article.section) == (
        "Council approves harbour bridge repair", "2024-03-04",
        "https://example.org/news/bridge", "Example Gazette", "Local",
    )
    assert len(article.facts) == 3


def test_json_list_of_objects_is_one_article_each(empty_dir: Path, kb: KnowledgeBase) -> None:
    path = empty_dir / "digest.json"
    path.write_text(json.dumps([
        {"title": "Council approves harbour bridge repair", "body": BODY},
        {"title": "Library opens on Sundays",
         "body": "The central library will open on Sundays from next month, the council said."},
    ]), encoding="utf-8")
    articles = read_articles(path, empty_dir)
    assert [a.title for a in articles] == [
        "Council approves harbour bridge repair", "Library opens on Sundays",
    ]
    assert len({a.key for a in articles}) == 2
    report = load_directory(kb, empty_dir)
    assert len(report.added) == 2
    assert report.total_articles == 2


def test_json_without_a_body_is_an_error_with_a_reason(empty_dir: Path) -> None:
    path = empty_dir / "broken.json"
    path.write_text(json.dumps({"title": "Only a title"}), encoding="utf-8")
    with pytest.raises(ArticleError, match="body"):
        read_articles(path, empty_dir)


HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Council approves harbour bridge repair | Example Gazette</title>
<meta property="og:title" content="Council approves harbour bridge repair">
<meta property="og:site_name" content="Example Gazette">
<meta name="date" content="2024-03-04">
</head><body>
<header><nav><ul>
  <li><a href="/">Home</a></li><li><a href="/local">Local news</a></li>
  <li><a href="/sport">Sport results</a></li><li><a href="/subscribe">Subscribe today</a></li>
</ul></nav></header>
<main><article>
<h1>Council approves harbour bridge repair</h1>
<p>The city council approved a new budget of 12 million dollars on Monday, ending a debate
that had lasted for most of the winter and divided the town's residents.</p>
<p>Mayor Jane Ortiz said the money will repair the old harbour bridge, which was closed to
lorries last year after engineers found cracks in two of its supporting piers.</p>
<p>Work on the bridge is expected to start in March and last two years, during which a
temporary ferry will carry foot passengers across the harbour every twenty minutes.</p>
<p>Opposition councillors said the budget left too little money for the town's schools and
promised to raise the matter again at the next council meeting in April.</p>
</article></main>
<section id="comments"><h3>Comments</h3>
<div class="comment"><p>Totally agree, long overdue!!! Posted by bob77.</p></div>
<div class="comment"><p>Leave a Reply. Your email address will not be published.</p></div>
</section>
<footer><p>Copyright 2024 Example Gazette Ltd. All rights reserved.</p>
<p><a href="/privacy">Privacy policy</a> | <a href="/cookies">Cookie settings</a></p></footer>
</body></html>
"""


def test_html_page_keeps_the_article_and_drops_nav_footer_and_comments(empty_dir: Path) -> None:
    path = empty_dir / "bridge.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    article = read_one(path)
    assert article.title == "Council approves harbour bridge repair"
    text = " ".join(facts(article))
    assert "The city council approved a new budget of 12 million dollars on Monday" in text
    assert "temporary ferry" in text
    assert "promised to raise the matter again" in text
    for junk in ("Subscribe", "Sport results", "bob77", "Leave a Reply", "Copyright",
                 "Privacy policy", "Cookie"):
        assert junk not in text


def test_unsupported_suffix_is_skipped_with_its_reason(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    (empty_dir / "bridge.md").write_text(f"# Bridge repair approved\n\n{BODY}\n", encoding="utf-8")
    (empty_dir / "slides.pdf").write_bytes(b"%PDF-1.4\n" + BODY.encode())
    (empty_dir / "notes.docx").write_text(BODY, encoding="utf-8")
    report = load_directory(kb, empty_dir)
    assert report.added == ["bridge.md"]
    reasons = dict(report.failed)
    assert set(reasons) == {"slides.pdf", "notes.docx"}
    assert all("unsupported file type" in reason for reason in reasons.values())
    assert "'.pdf'" in reasons["slides.pdf"]


def test_files_named_with_underscore_or_dot_are_not_articles(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    (empty_dir / "bridge.md").write_text(f"# Bridge repair approved\n\n{BODY}\n", encoding="utf-8")
    (empty_dir / "_NOTES.md").write_text(f"# Notes\n\n{BODY}\n", encoding="utf-8")
    (empty_dir / ".hidden.txt").write_text(f"Hidden\n\n{BODY}\n", encoding="utf-8")
    report = load_directory(kb, empty_dir)
    assert report.added == ["bridge.md"]
    assert report.failed == []


def test_html_date_comes_from_markup_never_from_a_copyright_year(empty_dir: Path) -> None:
    path = empty_dir / "bridge.html"
    path.write_text(HTML_PAGE.replace('<meta name="date" content="2024-03-04">\n', ""), "utf-8")
    assert "Copyright 2024" in path.read_text("utf-8")
    assert read_one(path).date is None
    path.write_text(HTML_PAGE.replace(
        '<meta name="date" content="2024-03-04">',
        '<meta property="article:published_time" content="2023-11-05T08:30:00Z">',
    ), "utf-8")
    assert read_one(path).date == "2023-11-05"


def test_json_body_may_be_a_list_of_paragraphs(empty_dir: Path) -> None:
    path = empty_dir / "bridge.json"
    path.write_text(json.dumps({
        "title": "Council approves harbour bridge repair", "body": BODY.split("\n\n"),
    }), encoding="utf-8")
    assert len(read_one(path).facts) == 3


def test_front_matter_dates_are_stored_as_iso_dates(empty_dir: Path) -> None:
    path = empty_dir / "bridge.md"
    path.write_text(f"---\ntitle: Bridge repair approved\ndate: March 4, 2024\n---\n\n{BODY}\n",
                    encoding="utf-8")
    assert read_one(path).date == "2024-03-04"


def test_short_headline_over_a_paragraph_is_a_title_not_a_section(empty_dir: Path) -> None:
    path = empty_dir / "brexit.txt"
    path.write_text(
        "Brexit deal agreed\n\n"
        "The UK and the EU agreed a deal on Thursday after months of talks.\n\n"
        "Both sides said the agreement would be signed next week in Brussels.\n",
        "utf-8",
    )
    article = read_one(path)
    assert (article.section, article.title) == (None, "Brexit deal agreed")
    assert len(article.facts) == 2


def test_a_json_list_shrunk_to_one_item_keeps_that_items_key_and_id(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    first = {"title": "Council approves harbour bridge repair", "body": BODY}
    second = {"title": "Library opens on Sundays",
              "body": "The central library will open on Sundays from next month, it said."}
    path = empty_dir / "digest.json"
    path.write_text(json.dumps([first, second]), encoding="utf-8")
    load_directory(kb, empty_dir)
    before = {a.source_file: a.id for a in kb.articles()}
    path.write_text(json.dumps([first]), encoding="utf-8")
    report = load_directory(kb, empty_dir)
    assert report.removed == ["digest.json#1"]
    assert report.added == []
    after = {a.source_file: a.id for a in kb.articles()}
    assert after == {"digest.json#0": before["digest.json#0"]}


def test_sources_sidecar_may_name_files_in_subfolders(empty_dir: Path, kb: KnowledgeBase) -> None:
    (empty_dir / "local").mkdir()
    (empty_dir / "local" / "bridge.md").write_text(f"# Bridge repair\n\n{BODY}\n", "utf-8")
    (empty_dir / "_sources.json").write_text(json.dumps({
        "local/bridge.md": {"url": "https://example.org/bridge", "source": "Example Gazette"},
    }), "utf-8")
    load_directory(kb, empty_dir)
    (article,) = kb.articles()
    assert (article.url, article.source) == ("https://example.org/bridge", "Example Gazette")


def test_empty_front_matter_title_falls_back_to_the_heading(empty_dir: Path) -> None:
    path = empty_dir / "bridge.md"
    path.write_text(f'---\ntitle: ""\nsource: Gazette\n---\n# Bridge repair approved\n\n{BODY}\n',
                    encoding="utf-8")
    article = read_one(path)
    assert (article.title, article.source) == ("Bridge repair approved", "Gazette")
