"""Feeds through the real Application: the JobQueue job reads the feeds, the articles they
bring answer questions, and /stats shows each feed's last result."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from botapi_standin import PATIENCE_S, BotAPIStandIn
from pages_server import (
    FERRY_ANSWER,
    FERRY_PATH,
    FERRY_QUESTION,
    MALFORMED_PATH,
    MARKET_PATH,
    RSS_PATH,
    PagesServer,
    pages_server,
)
from telegram.ext import Job
from tg_harness import Harness, bot_settings, running

from bot.service import NewsService
from handlers.feeds import FIRST_RUN_S, JOB_NAME


@pytest.fixture
def site() -> Iterator[PagesServer]:
    with pages_server() as server:
        yield server


@pytest.fixture
async def feeds_bot(api: BotAPIStandIn, tg_service: NewsService, tmp_path: Path,
                    site: PagesServer) -> AsyncIterator[Harness]:
    """The bot reading the RSS feed and a malformed one every 30 minutes."""
    settings = bot_settings(api, tmp_path, fetch_allow_private=True, fetch_timeout=2.0,
                            feeds=(site.url(MALFORMED_PATH), site.url(RSS_PATH)))
    async with running(api, tg_service, settings) as harness:
        yield harness


def feeds_job(tg: Harness) -> Job:
    """The bot's feeds job, its schedule paused: the test runs it (job.run) and knows when
    each round is over, instead of racing the scheduler."""
    assert tg.app.job_queue is not None
    [job] = tg.app.job_queue.get_jobs_by_name(JOB_NAME)
    job.enabled = False
    return job


async def test_the_feeds_job_loads_the_feeds_articles_which_then_answer(
        feeds_bot: Harness, site: PagesServer) -> None:
    tg = feeds_bot
    assert tg.app.job_queue is not None
    [scheduled] = tg.app.job_queue.get_jobs_by_name(JOB_NAME)
    # Every FEED_INTERVAL, the first run shortly after start.
    assert scheduled.job.trigger.interval.total_seconds() == 30 * 60
    assert scheduled.next_t is not None
    assert scheduled.next_t.timestamp() - time.time() <= FIRST_RUN_S
    await feeds_job(tg).run(tg.app)
    assert tg.service.stats().articles == 27  # the 25 seeds and the feed's two
    answer = await tg.say(FERRY_QUESTION)
    assert FERRY_ANSWER in answer.text
    stats = (await tg.say("/stats", user=tg.admin)).text
    assert "Feeds" in stats
    assert f"{site.url(RSS_PATH)}: ok, 2 new (read " in stats
    assert f"{site.url(MALFORMED_PATH)}: failing since " in stats
    assert "not a readable feed: unclosed token (line 2)" in stats


async def test_a_second_round_asks_conditionally_and_fetches_only_the_new_entry(
        feeds_bot: Harness, site: PagesServer) -> None:
    tg = feeds_bot
    job = feeds_job(tg)
    await job.run(tg.app)
    await job.run(tg.app)
    assert site.not_modified == [RSS_PATH]
    site.later_items.append(("Old market hall reopens", MARKET_PATH, "harbour-gazette-1043"))
    before = len(site.requests)
    await job.run(tg.app)
    assert site.requests[before:] == [MALFORMED_PATH, RSS_PATH, MARKET_PATH]
    assert tg.service.stats().articles == 28


async def test_subscribers_hear_of_the_articles_a_feed_round_added(
        feeds_bot: Harness, site: PagesServer) -> None:
    tg = feeds_bot
    assert "Subscribed" in (await tg.say("/subscribe")).text
    job = feeds_job(tg)
    mark = len(tg.api.calls)
    await job.run(tg.app)
    [notice] = [c for c in tg.api.calls[mark:] if c.method == "sendMessage"]
    assert str(notice.params["chat_id"]) == str(tg.private["id"])
    assert "2 new articles" in notice.params["text"]
    site.later_items.append(("Old market hall reopens", MARKET_PATH, "harbour-gazette-1043"))
    mark = len(tg.api.calls)
    await job.run(tg.app)
    [notice] = [c for c in tg.api.calls[mark:] if c.method == "sendMessage"]
    assert "1 new article" in notice.params["text"]
    assert "Old market hall reopens" in notice.params["text"]


async def test_two_rounds_at_once_run_one_after_the_other(feeds_bot: Harness,
                                                           site: PagesServer) -> None:
    """The second waits for the first, then finds the feed unchanged: no page twice."""
    job = feeds_job(feeds_bot)
    await asyncio.gather(job.run(feeds_bot.app), job.run(feeds_bot.app))
    assert site.count(FERRY_PATH) == 1
    assert site.not_modified == [RSS_PATH]


async def test_the_scheduler_runs_the_feeds_job_by_itself(feeds_bot: Harness) -> None:
    tg = feeds_bot
    assert tg.app.job_queue is not None
    [job] = tg.app.job_queue.get_jobs_by_name(JOB_NAME)
    loop = asyncio.get_running_loop()
    done = asyncio.Event()

    def executed(event: JobExecutionEvent) -> None:
        if event.job_id == job.job.id:
            loop.call_soon_threadsafe(done.set)

    tg.app.job_queue.scheduler.add_listener(executed, EVENT_JOB_EXECUTED)
    job.job.modify(next_run_time=datetime.now(UTC))  # its first run, without the wait
    await asyncio.wait_for(done.wait(), PATIENCE_S)
    assert tg.service.stats().articles == 27
    answer = await tg.say(FERRY_QUESTION)
    assert FERRY_ANSWER in answer.text


async def test_stats_shows_a_feed_not_read_yet(feeds_bot: Harness, site: PagesServer) -> None:
    feeds_job(feeds_bot)
    [stats] = await feeds_bot.send("/stats", user=feeds_bot.admin)
    assert f"{site.url(RSS_PATH)}: not read yet" in stats.text
    assert site.requests == []


async def test_without_feeds_there_is_no_job_and_no_feeds_in_stats(tg: Harness) -> None:
    assert tg.app.job_queue is not None
    assert tg.app.job_queue.get_jobs_by_name(JOB_NAME) == ()
    stats = await tg.say("/stats", user=tg.admin)
    assert "Feeds" not in stats.text


async def test_feed_interval_0_reads_no_feeds_in_the_bot(
        api: BotAPIStandIn, tg_service: NewsService, tmp_path: Path) -> None:
    settings = bot_settings(api, tmp_path, feeds=("https://news.example/rss",),
                            feed_interval=0)
    async with running(api, tg_service, settings) as tg:
        assert tg.app.job_queue is not None
        assert tg.app.job_queue.get_jobs_by_name(JOB_NAME) == ()
