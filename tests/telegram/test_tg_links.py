"""Links through the real Application: an admin's link is fetched, saved, loaded and then
answers; anyone else's link is a question like any other and nothing is fetched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pages_server import AMP_PATH, ARTICLE_PATH, LIGHTHOUSE_QUESTION, PagesServer, pages_server
from tg_harness import Harness

# The tests' site is on 127.0.0.1: reachable only with private addresses allowed.
LOCAL_SITE = pytest.mark.settings(fetch_allow_private=True, fetch_timeout=1.0)


@pytest.fixture
def site() -> Iterator[PagesServer]:
    with pages_server() as server:
        yield server


def link_files(tg: Harness) -> list[str]:
    return sorted(p.name for p in tg.articles_dir.iterdir() if p.name.startswith("link_"))


@LOCAL_SITE
async def test_an_admins_link_is_fetched_loaded_and_then_answers(
        tg: Harness, site: PagesServer) -> None:
    notice, report = await tg.send(f"Please add {site.url('/share?id=7')} thanks",
                                   user=tg.admin, count=2)
    assert "Fetching 1 link" in notice.text
    assert "Links fetched" in report.text
    assert "fetched 1 of 1 links" in report.text
    assert "added 1" in report.text
    assert "26 articles loaded" in report.text
    [saved] = link_files(tg)
    assert saved in report.text
    answer = await tg.say(LIGHTHOUSE_QUESTION)
    assert "240,000 pounds" in answer.text
    assert site.url(ARTICLE_PATH) in str(answer.params)  # the page is the answer's source


@LOCAL_SITE
async def test_a_link_from_anyone_else_is_a_question_and_nothing_is_fetched(
        tg: Harness, site: PagesServer) -> None:
    reply = await tg.say(f"Have you read {site.url(ARTICLE_PATH)}?")
    await tg.settle()
    assert site.requests == []
    assert "Fetching" not in reply.text
    assert link_files(tg) == []
    assert tg.service.kb.article_count() == 25


@LOCAL_SITE
async def test_add_fetches_each_link_and_reports_the_ones_that_failed(
        tg: Harness, site: PagesServer) -> None:
    _, report = await tg.send(f"/add {site.url('/missing')} {site.url(ARTICLE_PATH)} "
                              f"{site.url('/picture')}", user=tg.admin, count=2)
    assert "fetched 1 of 3 links" in report.text
    assert "HTTP 404" in report.text
    assert "not a web page (image/png)" in report.text
    assert "added 1" in report.text


@LOCAL_SITE
async def test_the_same_page_fetched_twice_is_one_article(tg: Harness,
                                                          site: PagesServer) -> None:
    await tg.send(f"/add {site.url(ARTICLE_PATH)}", user=tg.admin, count=2)
    _, again = await tg.send(site.url(AMP_PATH), user=tg.admin, count=2)  # its other address
    assert "added 0" in again.text
    assert "26 articles loaded" in again.text
    assert len(link_files(tg)) == 1


async def test_add_without_a_link_says_how(tg: Harness) -> None:
    reply = await tg.say("/add", user=tg.admin)
    assert "/add https://" in reply.text


@LOCAL_SITE
async def test_add_is_for_admins_only(tg: Harness, site: PagesServer) -> None:
    reply = await tg.say(f"/add {site.url(ARTICLE_PATH)}")
    assert "only the bot's admins" in reply.text
    await tg.settle()
    assert site.requests == []


async def test_with_the_setting_off_the_admins_local_link_is_refused(
        tg: Harness, site: PagesServer) -> None:
    _, report = await tg.send(f"/add {site.url(ARTICLE_PATH)}", user=tg.admin, count=2)
    assert "refused: 127.0.0.1 is a loopback address" in report.text
    assert site.requests == []
    assert link_files(tg) == []
