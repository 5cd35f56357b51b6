"""Any bytes in an article file: a clean article or a clear ArticleError, nothing else.

Property-based (hypothesis) with a fixed budget, so the suite runs the same fuzzing in CI
every time in a few seconds: raw bytes, and bytes built from the pieces each format's
parser looks for (front matter, JSON fields, HTML tags, BOMs, dates, page junk).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.ingest.articles import Article, read_articles
from bot.ingest.reading import ArticleError, decode

SUFFIXES = [".txt", ".md", ".json", ".html"]
BUDGET = settings(max_examples=80, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])

ODD = ["\u202e", "\u200b", "\ufeff", "\u00a0", "\t", "\x0c", "\r", "&amp;", "&", "<", ">",
       "<b>", "</i>", "*", "_", "`", "[x](y)", '"', "'", "\\", "%s", "{0}", "😀", "é", "ß",
       "Mr.", "U.S.", "3.5", "...", "?", "!", "--", "|", "\u0301", "\x00", "\x07", "\ud800"]
word = st.one_of(
    st.sampled_from(["council", "bridge", "river", "mayor", "Monday", "Zhang", "crane",
                     "million", "2019", "voted", "Mecca", "said", "the", "of", "on"]),
    st.text(min_size=1, max_size=10),
    st.sampled_from(ODD),
)
sentence = st.builds(
    lambda first, rest, end: " ".join([first, *rest]) + end,
    st.sampled_from(["The council", "Officials", "Zhang Xiangbin", "The mayor of Barcor"]),
    st.lists(word, min_size=3, max_size=14),
    st.sampled_from([".", "?", "!", "", "...", ".\u200b"]),
)
paragraph = st.lists(sentence, min_size=1, max_size=4).map(" ".join)
title = st.lists(word, min_size=1, max_size=8).map(" ".join)
date = st.sampled_from(["Monday, March 4, 2024", "2024-03-04", "4 March 2024", "yesterday",
                        "2024-13-45", "", "31/02/2024", "Thursday, May 7, 2015 On Tuesday"])
body = st.lists(paragraph, min_size=0, max_size=5)
junk = st.sampled_from(["Share this article", "Advertisement", "Click here to subscribe",
                        "Follow us on Twitter", "Read more", "© 2024 News Corp", ""])


@st.composite
def article_bytes(draw: st.DrawFn, suffix: str) -> bytes:
    """An article in `suffix`'s format, perturbed: odd characters, junk, broken markup."""
    t, d, paragraphs = draw(title), draw(date), draw(body)
    if suffix == ".txt":
        text = "\n\n".join([t, d, *paragraphs, draw(junk)])
    elif suffix == ".md":
        front = draw(st.sampled_from(["", f"---\ntitle: {t}\ndate: {d}\n---\n",
                                      "---\ntitle:\n---\n", "---\nbroken"]))
        text = front + "\n\n".join([f"# {t}", *paragraphs, draw(junk)])
    elif suffix == ".json":
        item: dict = {"title": t, "body": draw(st.sampled_from(
            ["\n\n".join(paragraphs), paragraphs, None, 7]))}
        item.update(draw(st.dictionaries(
            st.sampled_from(["date", "url", "source", "section", "license", "extra"]),
            st.one_of(st.text(max_size=20), st.integers(), st.none(), st.just(d),
                      st.lists(st.text(max_size=5), max_size=2)), max_size=3)))
        items = draw(st.sampled_from([item, [item], [item, item], [item, "x"], []]))
        text = json.dumps(items, ensure_ascii=draw(st.booleans()))
    else:
        paras = "".join(f"<p>{p}</p>" for p in paragraphs)
        text = draw(st.sampled_from([
            f"<html><head><title>{t}</title></head><body><article><h1>{t}</h1>{paras}"
            "</article></body></html>",
            f"<html><body><p>{t}</p>{paras}<script>var x = '{t}';</script>",
            f"{paras}<div><!-- {t} --></div>",
        ]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="surrogatepass" if "utf" in encoding else "replace")


def read(data: bytes, suffix: str) -> list[Article] | ArticleError:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / f"article{suffix}"
        path.write_bytes(data)
        try:
            return read_articles(path, root)
        except ArticleError as exc:
            return exc


def empty_json_list(data: bytes) -> bool:
    """An emptied list file: no articles, deliberately (its old articles are removed)."""
    try:
        return json.loads(decode(data)) == []
    except ValueError:  # ArticleError is a ValueError too
        return False


def assert_clean(outcome: list[Article] | ArticleError, data: bytes = b"") -> None:
    """A refusal with a reason, or articles that the knowledge base and Telegram can take."""
    if isinstance(outcome, ArticleError):
        assert str(outcome).strip()
        return
    assert outcome or empty_json_list(data), "no articles and no error"
    for article in outcome:
        texts = [article.title, article.summary, *(f.text for f in article.facts)]
        texts += [v for v in (article.date, article.url, article.source, article.section) if v]
        for text in texts:
            assert isinstance(text, str)
            text.encode("utf-8")  # no lone surrogates: SQLite would refuse the whole load
            assert "\x00" not in text
        assert article.title.strip()
        assert article.facts
        assert all(f.text.strip() for f in article.facts)
        assert [f.position for f in article.facts] == list(range(len(article.facts)))



@BUDGET
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
@example(data=b"\x00" * 10, suffix=".txt")
@example(data=b"\xff\xfe" + b"\x00\xd8" * 4, suffix=".md")
@example(data=b"[" * 100_000, suffix=".json")
def test_any_bytes_give_a_clean_article_or_a_clear_refusal(data: bytes, suffix: str) -> None:
    assert_clean(read(data, suffix), data)


@pytest.mark.parametrize("suffix", SUFFIXES)
@BUDGET
@given(data=st.data())
def test_perturbed_articles_in_every_format_give_a_clean_article_or_a_clear_refusal(
        suffix: str, data: st.DataObject) -> None:
    raw = data.draw(article_bytes(suffix))
    assert_clean(read(raw, suffix), raw)


@BUDGET
@given(item=st.dictionaries(
    st.sampled_from(["title", "body", "text", "content", "date", "url", "source", "section"]),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=60),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)))
def test_any_json_object_gives_a_clean_article_or_a_clear_refusal(item: dict) -> None:
    raw = json.dumps(item).encode()
    assert_clean(read(raw, ".json"), raw)
