"""Feeds read on a schedule: a JobQueue job runs one round off the event loop, never two
at once; the round's report is returned for whatever comes after it."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from telegram.ext import Application, ContextTypes

from bot.config.settings import Settings
from bot.ingest.fetching import FetchLimits
from bot.intake.feeds import FeedsReport, read_feeds
from bot.store.feed_state import feed_state_path_for
from bot.store.loading import LoadError
from handlers.context import CORE_KEY, Core
from handlers.subscriptions import announce

log = logging.getLogger(__name__)

JOB_NAME = "feeds"
LOCK_KEY = "feeds_lock"
FIRST_RUN_S = 10.0  # after start: the bot answers first, then reads its feeds


def schedule_feeds(application: Application, settings: Settings) -> None:
    """Read the feeds every FEED_INTERVAL, first shortly after start (FEEDS set, interval > 0)."""
    if not settings.feeds or not settings.feed_interval:
        return
    if application.job_queue is None:
        log.error("FEEDS is set but python-telegram-bot's job queue is missing "
                  "(pip install 'python-telegram-bot[job-queue]'): feeds are not read")
        return
    application.bot_data[LOCK_KEY] = asyncio.Lock()
    application.job_queue.run_repeating(feeds_job, interval=settings.feed_interval,
                                        first=FIRST_RUN_S, name=JOB_NAME)
    log.info("feeds: %d read every %g minutes", len(settings.feeds),
             settings.feed_interval / 60)


async def feeds_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The scheduled job: one round, then subscribers hear of the articles it added."""
    report = await feed_round(context.application)
    if report is not None and report.load is not None and report.load.added:
        await announce(context.application)


async def feed_round(application: Application) -> FeedsReport | None:
    """Read every feed and load what they brought, off the event loop; a round asked for
    while another runs waits for it. The report (None when the round could not run) is
    for what follows a round, such as telling subscribers about the new articles."""
    c: Core = application.bot_data[CORE_KEY]
    lock = application.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    limits = FetchLimits.from_settings(c.settings)
    path = feed_state_path_for(c.settings.database_path)
    async with lock:
        try:
            report = await asyncio.to_thread(read_feeds, c.service, c.settings.feeds, path,
                                             limits)
        except LoadError as exc:
            log.error("feeds: the articles were saved but the load failed: %s", exc)
            return None
        except (sqlite3.Error, OSError) as exc:
            log.error("feeds: cannot use the feed state %s: %s", path, exc)
            return None
    # Each failure was logged as it happened; here the round's outcome and its load.
    log.info("feeds: %s%s", report.lines()[0],
             f"; {report.load.lines()[0]}" if report.load else "")
    return report
