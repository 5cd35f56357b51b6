"""Fetching pages safely and turning them into article files, against a site of the tests'
own on 127.0.0.1 (reachable only with private addresses allowed, as FETCH_ALLOW_PRIVATE=1)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpcore
import pytest
from pages_server import AMP_PATH, ARTICLE_PATH, LIGHTHOUSE_QUESTION, PagesServer, pages_server
from test_cli import run_bot

from bot.config.settings import Settings
from bot.ingest.fetching import FetchError, FetchLimits, GuardedBackend, check_address, fetch
from bot.ingest.pages import article_file, canonical_url, file_name_for
from bot.intake.links import add_links, find_links
from bot.service import NewsService

LOCAL = FetchLimits(timeout=1.0, allow_private=True)
PUBLIC_ONLY = FetchLimits(timeout=1.0)


@pytest.fixture(scope="module")
def site() -> Iterator[PagesServer]:
    with pages_server() as server:
        yield server


@pytest.fixture
def service(tmp_path: Path) -> NewsService:
    folder = tmp_path / "articles"
    folder.mkdir()
    return NewsService(tmp_path / "kb.sqlite3", folder, semantic=False)


@pytest.mark.parametrize(("ip", "kind"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"), ("10.0.0.5", "private"), ("192.168.1.20", "private"),
    ("172.16.0.1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.251", "multicast"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("fd00::1", "private"), ("240.0.0.1", "reserved"), ("100.64.0.1", "public"),
])
def test_the_guard_refuses_every_address_that_is_not_public(ip: str, kind: str) -> None:
    with pytest.raises(FetchError, match=rf"refused: {re.escape(ip)} is (a|an|not a) {kind}"):
        check_address(ip)
    check_address(ip, allow_private=True)  # the setting lets them through


@pytest.mark.parametrize("ip", ["93.184.215.14", "2606:4700::1111", "8.8.8.8"])
def test_the_guard_lets_public_addresses_through(ip: str) -> None:
    check_address(ip)


@pytest.mark.parametrize(("host", "shown"), [
    ("127.0.0.1", "127.0.0.1"), ("10.0.0.5", "10.0.0.5"), ("169.254.10.1", "169.254.10.1"),
    ("::1", "::1"), ("localhost", "127.0.0.1"),
])
def test_the_connection_step_resolves_and_refuses_before_connecting(
        host: str, shown: str) -> None:
    """Resolution is real (literal IPs and localhost resolve without a network)."""
    with pytest.raises(FetchError, match=rf"refused: {re.escape(shown)} is a"):
        GuardedBackend(allow_private=False).connect_tcp(host, 80, timeout=1)


def test_a_name_resolving_to_a_public_and_a_private_address_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.ingest.fetching.resolve",
                        lambda host, port: ["93.184.215.14", "10.0.0.5"])
    with pytest.raises(FetchError, match=r"refused: 10\.0\.0\.5 is a private address"):
        GuardedBackend(allow_private=False).connect_tcp("rebinding.example", 80)


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/", "http://10.0.0.5/news",
                                 "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]:1/"])
def test_fetching_a_private_address_is_refused_with_the_setting_off(url: str) -> None:
    with pytest.raises(FetchError, match=r"refused: .* is a"):
        fetch(url, PUBLIC_ONLY)


def test_our_own_site_is_refused_with_the_setting_off(site: PagesServer) -> None:
    before = len(site.requests)
    with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
        fetch(site.url(ARTICLE_PATH), PUBLIC_ONLY)
    assert len(site.requests) == before  # not a byte was sent to it


def test_each_redirect_hop_goes_through_the_guard(site: PagesServer,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A public page redirecting to a private one: the guard sees the second hop too."""
    checked: list[str] = []

    def allow_first_hop_only(ip: str, allow_private: bool = False) -> None:
        checked.append(ip)
        if len(checked) > 1:
            raise FetchError(f"refused: {ip} is a loopback address")

    monkeypatch.setattr("bot.ingest.fetching.check_address", allow_first_hop_only)
    before = len(site.requests)
    with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1"):
        fetch(site.url("/share?id=7"), FetchLimits(timeout=1.0))
    assert site.requests[before:] == ["/share?id=7"]  # the redirect's target never asked


@pytest.mark.parametrize("url", ["ftp://example.com/file", "file:///etc/passwd",
                                 "javascript:alert(1)", "http:///nohost"])
def test_only_http_and_https_links_are_fetched(url: str) -> None:
    with pytest.raises(FetchError, match="refused"):
        fetch(url, LOCAL)


@pytest.mark.parametrize(("path", "reason"), [
    ("/missing", "HTTP 404"), ("/broken", "HTTP 500"), ("/slow", "timed out"),
    ("/drip", "timed out"),
    ("/huge", "too large"), ("/huge-undeclared", "too large"),
    ("/picture", r"not a web page \(image/png\)"),
    ("/loop-a", "redirects go round in a loop"), ("/hop0", "more than 5 redirects"),
])
def test_a_page_that_cannot_be_used_says_why(site: PagesServer, path: str,
                                             reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        fetch(site.url(path), LOCAL)


def test_an_unchanged_page_asked_conditionally_is_a_304_without_a_body(
        site: PagesServer) -> None:
    """What a feed reader will rely on: ETag in, 304 out, no body read."""
    first = fetch(site.url("/etag"), LOCAL)
    assert first.status == 200
    again = fetch(site.url("/etag"), LOCAL, headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 304
    assert again.body == b""


def test_proxies_from_the_environment_are_not_used(site: PagesServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Through a proxy the address check would see the proxy's address, not the page's."""
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:1")  # nothing listens there
    assert b"Skerry Point" in fetch(site.url(ARTICLE_PATH), LOCAL).body


def test_a_redirect_is_followed_to_the_page(site: PagesServer) -> None:
    page = fetch(site.url("/share?id=7"), LOCAL)
    assert page.url == site.url(ARTICLE_PATH)
    assert page.content_type == "text/html"
    assert b"Skerry Point" in page.body


def test_a_page_becomes_a_json_article_under_its_canonical_url(site: PagesServer) -> None:
    article = article_file(fetch(site.url("/share?id=7"), LOCAL))
    record = json.loads(article.data)
    assert record["title"] == "Lighthouse keepers return to Skerry Point"
    assert record["date"] == "2025-10-14"
    assert record["author"] == "Morag Finlay"
    assert record["source"] == "Harbour Gazette"
    assert record["url"] == site.url(ARTICLE_PATH)
    assert "Ishbel Munro" in record["body"]
    assert "Copyright" not in record["body"]
    assert "Weather" not in record["body"]
    assert article.name == file_name_for(site.url(ARTICLE_PATH))
    assert article.name.startswith("link_127_0_0_1_news_lighthouse_keepers_return_")


def test_one_file_name_per_canonical_url() -> None:
    page = "https://News.Example.com/a/story"
    assert canonical_url(None, page + "#comments") == "https://news.example.com/a/story"
    assert canonical_url("/a/story", "https://news.example.com/share?id=1") == \
        "https://news.example.com/a/story"
    assert canonical_url("javascript:x", page) == "https://news.example.com/a/story"
    assert file_name_for("https://news.example.com/a/story") != \
        file_name_for("https://news.example.com/a/story?page=2")


def test_links_are_found_in_a_message_once_each_without_punctuation() -> None:
    text = ("Read https://a.example/x, and (http://b.example/y?q=1). Again: https://a.example/x"
            " not ftp://c.example/z")
    assert find_links(text) == ["https://a.example/x", "http://b.example/y?q=1"]


def test_links_are_loaded_and_answer_and_the_rest_go_on(site: PagesServer,
                                                        service: NewsService) -> None:
    report = add_links(service, [site.url("/missing"), site.url("/share?id=7"),
                                 site.url("/picture")], LOCAL)
    lines = "\n".join(report.lines())
    assert "fetched 1 of 3 links" in lines
    assert f"failed: {site.url('/missing')}: HTTP 404" in lines
    assert "not a web page (image/png)" in lines
    assert report.load is not None
    assert report.load.added == [report.links[1].file]
    answer = service.ask(LIGHTHOUSE_QUESTION)
    assert answer.answered
    assert "240,000 pounds" in " ".join(f.text for f in answer.facts)
    assert answer.article_url == site.url(ARTICLE_PATH)


def test_the_same_article_fetched_twice_is_one_article(site: PagesServer,
                                                       service: NewsService) -> None:
    add_links(service, [site.url(ARTICLE_PATH)], LOCAL)
    again = add_links(service, [site.url(AMP_PATH)], LOCAL)  # another address of it
    assert again.load is not None
    assert again.load.added == []
    assert again.load.total_articles == 1
    assert [p.name for p in service.articles_dir.iterdir()] == [again.links[0].file]


def test_nothing_fetched_means_no_load(site: PagesServer, service: NewsService) -> None:
    report = add_links(service, [site.url("/broken")], LOCAL)
    assert report.saved == 0
    assert report.load is None


def test_fetch_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env({"FETCH_ALLOW_PRIVATE": "1", "FETCH_TIMEOUT": "2.5"})
    assert FetchLimits.from_settings(settings) == FetchLimits(timeout=2.5, allow_private=True)
    assert FetchLimits.from_settings(Settings.from_env({})).allow_private is False
    with pytest.raises(ValueError, match="FETCH_TIMEOUT"):
        Settings.from_env({"FETCH_TIMEOUT": "0"})


def test_the_guard_tries_the_next_checked_address_when_one_does_not_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.ingest.fetching.resolve", lambda host, port: ["127.0.0.1", "::1"])
    tried: list[str] = []

    def refuse(self: object, ip: str, *args: object) -> None:
        tried.append(ip)
        raise httpcore.ConnectError("no")

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", refuse)
    with pytest.raises(httpcore.ConnectError):
        GuardedBackend(allow_private=True).connect_tcp("news.example", 80)
    assert tried == ["127.0.0.1", "::1"]


def test_cli_fetch_prints_the_report_and_exits_by_what_it_fetched(
        site: PagesServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    db = tmp_path / "kb.sqlite3"
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "1")
    result = run_bot("fetch", site.url("/share?id=7"), site.url("/missing"), db=db,
                     articles=folder)
    assert result.returncode == 0, result.stderr
    assert "fetched 1 of 2 links" in result.stdout
    assert "HTTP 404" in result.stdout
    assert "added 1" in result.stdout
    assert "1 articles loaded" in result.stdout
    answer = run_bot("ask", LIGHTHOUSE_QUESTION, db=db, articles=folder)
    assert "240,000 pounds" in answer.stdout
    failed = run_bot("fetch", site.url("/broken"), db=db, articles=folder)
    assert failed.returncode == 1
    assert "HTTP 500" in failed.stdout
    monkeypatch.delenv("FETCH_ALLOW_PRIVATE")
    refused = run_bot("fetch", site.url(ARTICLE_PATH), db=db, articles=folder)
    assert refused.returncode == 1
    assert "refused: 127.0.0.1 is a loopback address" in refused.stdout
