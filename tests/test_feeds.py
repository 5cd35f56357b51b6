"""Feeds against the tests' own site on 127.0.0.1: RSS and Atom feeds, a feed answering 304,
a malformed one and entries pointing to 404 and 500 pages; real files, real SQLite."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pages_server import (
    ARTICLE_PATH,
    ATOM_PATH,
    BAD_LINKS_PATH,
    FERRY_ANSWER,
    FERRY_PATH,
    FERRY_QUESTION,
    LIGHTHOUSE_QUESTION,
    MALFORMED_PATH,
    MARKET_ANSWER,
    MARKET_PATH,
    MARKET_QUESTION,
    RSS_PATH,
    PagesServer,
    pages_server,
)
from test_cli import TIMEOUT, bot_env

from bot.ingest.fetching import FetchError, FetchLimits
from bot.intake.feeds import FeedsReport, read_feeds
from bot.service import NewsService
from bot.store.feed_state import FeedState, feed_state_path_for

LOCAL = FetchLimits(timeout=2.0, allow_private=True)
LATE_SUNDAY = ("From December the company will also run a Sunday sailing to Inchmurrin, "
               "leaving the harbour at 19:10.")


@pytest.fixture
def site() -> Iterator[PagesServer]:
    with pages_server() as server:
        yield server


@pytest.fixture
def service(tmp_path: Path) -> NewsService:
    folder = tmp_path / "articles"
    folder.mkdir()
    return NewsService(tmp_path / "kb.sqlite3", folder, semantic=False)


def read(service: NewsService, site: PagesServer, *paths: str,
         limits: FetchLimits = LOCAL) -> FeedsReport:
    state = feed_state_path_for(service.kb.path)
    return read_feeds(service, [site.url(p) for p in paths], state, limits)


def answer_text(service: NewsService, question: str) -> str:
    answer = service.ask(question)
    assert answer.answered, question
    return " ".join(fact.text for fact in answer.facts)


def test_rss_and_atom_entries_are_fetched_loaded_in_one_load_and_answer(
        site: PagesServer, service: NewsService) -> None:
    report = read(service, site, RSS_PATH, ATOM_PATH)
    lines = "\n".join(report.lines())
    assert "read 2 feeds: 3 new articles" in lines
    assert f"{site.url(RSS_PATH)}: 2 new of 2 tried" in lines
    assert f"saved: {site.url(FERRY_PATH)} as link_127_0_0_1_news_winter_ferry" in lines
    # The Atom entry's relative link is read against the feed's address.
    assert f"saved: {site.url(MARKET_PATH)}" in lines
    assert report.load is not None
    assert sorted(report.load.added) == sorted(link.file for link in report.new_articles)
    assert len(report.load.added) == 3
    assert FERRY_ANSWER in answer_text(service, FERRY_QUESTION)
    assert MARKET_ANSWER in answer_text(service, MARKET_QUESTION)
    assert "240,000 pounds" in answer_text(service, LIGHTHOUSE_QUESTION)
    # The lighthouse article is in both feeds: fetched once.
    assert site.count(ARTICLE_PATH) == 1


def test_an_unchanged_feed_costs_one_conditional_request_and_no_page(
        site: PagesServer, service: NewsService) -> None:
    read(service, site, RSS_PATH, ATOM_PATH)
    before = len(site.requests)
    again = read(service, site, RSS_PATH, ATOM_PATH)
    assert site.requests[before:] == [RSS_PATH, ATOM_PATH]
    assert site.conditional == [RSS_PATH, ATOM_PATH]  # ETag for one, Last-Modified for other
    assert site.not_modified == [RSS_PATH, ATOM_PATH]
    assert "unchanged" in "\n".join(again.lines())
    assert again.new_articles == []
    assert again.load is None  # nothing new: no reload


def test_a_changed_feed_fetches_only_its_new_entry(site: PagesServer,
                                                   service: NewsService) -> None:
    read(service, site, RSS_PATH)
    site.later_items.append(("Old market hall reopens", MARKET_PATH, "harbour-gazette-1043"))
    before = len(site.requests)
    report = read(service, site, RSS_PATH)
    assert site.requests[before:] == [RSS_PATH, MARKET_PATH]
    assert [link.url for link in report.new_articles] == [site.url(MARKET_PATH)]
    assert report.load is not None
    assert report.load.total_articles == 3
    assert MARKET_ANSWER in answer_text(service, MARKET_QUESTION)


def test_failing_pages_are_reported_retried_and_then_given_up(
        site: PagesServer, service: NewsService) -> None:
    first = read(service, site, BAD_LINKS_PATH)
    lines = "\n".join(first.lines())
    assert f"failed: {site.url('/missing')}: HTTP 404 (try 1 of 3; tried again next run)" \
        in lines
    assert f"failed: {site.url('/broken')}: HTTP 500 (try 1 of 3" in lines
    assert [link.url for link in first.new_articles] == [site.url(MARKET_PATH)]  # rest go on
    read(service, site, BAD_LINKS_PATH)
    third = "\n".join(read(service, site, BAD_LINKS_PATH).lines())
    assert "HTTP 404 (try 3 of 3; given up)" in third
    fourth = read(service, site, BAD_LINKS_PATH)
    assert "nothing new" in "\n".join(fourth.lines())
    assert site.count("/missing") == 3
    assert site.count("/broken") == 3
    assert site.count(MARKET_PATH) == 1  # saved the first time, never fetched again


def test_a_malformed_feed_is_reported_and_the_other_feeds_go_on(
        site: PagesServer, service: NewsService) -> None:
    report = read(service, site, MALFORMED_PATH, "/broken", ARTICLE_PATH, RSS_PATH)
    lines = "\n".join(report.lines())
    assert "2 new articles, 3 feeds failing" in lines
    assert f"{site.url(MALFORMED_PATH)}: failed: not a readable feed: unclosed token (line 2)" \
        in lines
    assert f"{site.url('/broken')}: failed: HTTP 500" in lines
    assert f"{site.url(ARTICLE_PATH)}: failed: not a feed (text/html)" in lines
    assert not report.all_failed
    assert FERRY_ANSWER in answer_text(service, FERRY_QUESTION)


def test_a_failing_feed_keeps_when_its_failures_began_until_it_recovers(
        site: PagesServer, service: NewsService) -> None:
    path = feed_state_path_for(service.kb.path)
    site.down.add(RSS_PATH)
    read(service, site, RSS_PATH)
    with sqlite3.connect(path) as conn:  # the first failure, a day ago
        conn.execute("UPDATE feeds SET failing_since = '2025-10-14 09:00:00'")
    conn.close()
    read(service, site, RSS_PATH)
    with FeedState(path) as state:
        [failing] = state.statuses([site.url(RSS_PATH)])
    assert failing.failing_since == "2025-10-14 09:00:00"
    assert failing.error == "HTTP 503"
    site.down.clear()
    read(service, site, RSS_PATH)
    with FeedState(path) as state:
        rss, atom = state.statuses([site.url(RSS_PATH), site.url(ATOM_PATH)])
    assert rss.failing_since is None
    assert rss.error is None
    assert rss.new_articles == 2
    assert atom.checked_at is None  # never read


def test_feeds_and_their_entries_go_through_the_address_guard(
        site: PagesServer, service: NewsService, monkeypatch: pytest.MonkeyPatch) -> None:
    report = read(service, site, RSS_PATH, limits=FetchLimits(timeout=1.0))
    assert "failed: refused: 127.0.0.1 is a loopback address" in "\n".join(report.lines())
    assert report.all_failed
    assert site.requests == []
    checked: list[str] = []

    def public_feed_private_pages(ip: str, allow_private: bool = False) -> None:
        """As if the feed's host were public and its entries' pages on the LAN."""
        checked.append(ip)
        if len(checked) > 1 and not allow_private:
            raise FetchError(f"refused: {ip} is a loopback address")

    monkeypatch.setattr("bot.ingest.fetching.check_address", public_feed_private_pages)
    report = read(service, site, RSS_PATH, limits=FetchLimits(timeout=1.0))
    assert "HTTP" not in "\n".join(report.lines())
    assert [e.link.error for e in report.feeds[0].entries] == [
        "refused: 127.0.0.1 is a loopback address"] * 2
    assert site.requests == [RSS_PATH]  # no entry's page was asked for


def test_new_entries_past_the_cap_wait_for_the_next_run_which_asks_in_full(
        site: PagesServer, service: NewsService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.intake.feeds.MAX_NEW_PER_FEED", 1)
    first = "\n".join(read(service, site, RSS_PATH).lines())
    assert "waiting: 1 more entry for the next run (at most 1 a run)" in first
    second = read(service, site, RSS_PATH)
    assert site.conditional == []  # a 304 would have hidden the waiting entry
    assert [link.url for link in second.new_articles] == [site.url(ARTICLE_PATH)]
    read(service, site, RSS_PATH)
    assert site.not_modified == [RSS_PATH]  # all done: asked conditionally again


def test_an_entry_whose_article_was_updated_is_fetched_again_and_replaces_it(
        site: PagesServer, service: NewsService) -> None:
    read(service, site, RSS_PATH)
    site.revised[FERRY_PATH] = ("Thu, 16 Oct 2025 07:00:00 GMT", LATE_SUNDAY)
    report = read(service, site, RSS_PATH)
    assert site.count(FERRY_PATH) == 2
    assert site.count(ARTICLE_PATH) == 1  # its date unchanged: not fetched again
    lines = "\n".join(report.lines())
    assert f"{site.url(RSS_PATH)}: 0 new, 1 updated of 1 tried" in lines
    assert f"updated: {site.url(FERRY_PATH)} as link_127_0_0_1_news_winter_ferry" in lines
    assert report.load is not None
    assert report.load.updated == [report.new_articles[0].file]
    assert report.load.total_articles == 2
    assert "Sunday" in answer_text(service, "When does the Sunday ferry to Inchmurrin leave?")
    read(service, site, RSS_PATH)
    assert site.count(FERRY_PATH) == 2  # fetched once per new date


def test_the_feed_state_lives_next_to_the_knowledge_base() -> None:
    assert feed_state_path_for("data/bot.sqlite3") == Path("data/bot.feeds.sqlite3")


def fetch_feeds_command(tmp_path: Path, feeds: str, *args: str
                        ) -> subprocess.CompletedProcess[str]:
    articles = tmp_path / "articles"
    articles.mkdir(exist_ok=True)
    env = bot_env(tmp_path / "bot.sqlite3", articles) | {
        "FEEDS": feeds, "FETCH_ALLOW_PRIVATE": "1", "FETCH_TIMEOUT": "2"}
    return subprocess.run([sys.executable, "-m", "bot", "fetch", *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, cwd=tmp_path,
                          timeout=TIMEOUT, check=False)


def test_fetch_feeds_on_the_command_line_reads_the_feeds_setting(
        site: PagesServer, tmp_path: Path) -> None:
    feeds = f"{site.url(RSS_PATH)}, {site.url(MALFORMED_PATH)}"
    result = fetch_feeds_command(tmp_path, feeds, "--feeds")
    assert result.returncode == 0, result.stderr  # one feed failing is not a failed run
    assert "read 2 feeds: 2 new articles, 1 feed failing" in result.stdout
    assert "added 2" in result.stdout
    assert (tmp_path / "bot.feeds.sqlite3").is_file()
    again = fetch_feeds_command(tmp_path, feeds, "--feeds")
    assert f"{site.url(RSS_PATH)}: unchanged" in again.stdout  # the state outlived the run
    assert again.returncode == 0


def test_fetch_feeds_exits_1_when_every_feed_failed(site: PagesServer,
                                                    tmp_path: Path) -> None:
    result = fetch_feeds_command(tmp_path, site.url(MALFORMED_PATH), "--feeds")
    assert result.returncode == 1
    assert "not a readable feed" in result.stdout


def test_fetch_feeds_without_feeds_or_with_urls_too_says_so(tmp_path: Path) -> None:
    unset = fetch_feeds_command(tmp_path, "", "--feeds")
    assert unset.returncode == 2
    assert "FEEDS is not set" in unset.stderr
    both = fetch_feeds_command(tmp_path, "", "--feeds", "https://example.com/a")
    assert both.returncode == 2
    assert "either URLs or --feeds" in both.stderr


def test_a_page_fetched_by_link_is_not_fetched_again_when_a_feed_lists_it(
        site: PagesServer, tmp_path: Path) -> None:
    # The fresh-news case: an admin fetches a story, then the feed lists it.
    fetched = fetch_feeds_command(tmp_path, "", site.url(FERRY_PATH))
    assert fetched.returncode == 0, fetched.stderr
    result = fetch_feeds_command(tmp_path, site.url(RSS_PATH), "--feeds")
    assert result.returncode == 0, result.stderr
    assert site.count(FERRY_PATH) == 1
    assert site.count(ARTICLE_PATH) == 1  # the feed's other entry is news
    assert "read 1 feed: 1 new article, 1 already loaded" in result.stdout
    assert f"{site.url(RSS_PATH)}: 1 new of 1 tried (1 already loaded, not fetched)" \
        in result.stdout
    assert "added 1, updated 0" in result.stdout
