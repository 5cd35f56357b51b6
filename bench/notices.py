"""Notices of new articles to many subscribers: how long one announce run takes.

The real Application (`handlers.app.build_application`, its rate limiter at SEND_RATE_LIMIT)
sends every subscriber its notice through the Bot API stand-in of tests/telegram on
127.0.0.1, which answers each sendMessage after `--latency-ms` (50: a distant Telegram). The
seeds are loaded, so every subscriber has 25 new articles to hear of.

Run: `.venv/bin/python -m bench.notices --subscribers 1000` (`--at-once 1`: one notice after
another, as before issue 24; `--busy 2`: beside two CPU-burning processes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.busy import burning, machine_state
from bench.datasets import ROOT, SEEDS
from bot.config.settings import Settings
from bot.intake.subscriptions import SubscriptionStore, subscriptions_path_for
from bot.service import NewsService
from handlers import subscriptions
from handlers.app import build_application

sys.path.insert(0, str(ROOT / "tests" / "telegram"))

from botapi_standin import BotAPIStandIn

TOKEN = "123456789:AAFe2eSECRETtokenPART-abcdefghijklmn"
FIRST_CHAT = 10_000


async def announce_to(api: BotAPIStandIn, folder: Path, count: int) -> dict:
    """Subscribe `count` private chats, then time one announce run to all of them."""
    shutil.copytree(SEEDS, folder / "articles")
    settings = Settings(database_path=folder / "kb.sqlite3", articles_dir=folder / "articles",
                        telegram_bot_token=TOKEN, telegram_api_url=api.base_url)
    service = NewsService(settings.database_path, settings.articles_dir, semantic=False)
    service.reload()
    store = SubscriptionStore(subscriptions_path_for(settings.database_path))
    for chat_id in range(FIRST_CHAT, FIRST_CHAT + count):
        api.chat(chat_id, user={"id": chat_id, "is_bot": False, "first_name": f"R{chat_id}"})
        store.subscribe(chat_id, "private", 0)
    application = build_application(settings, service, subscribers=store)
    await application.initialize()  # not started: the scheduled runs stay unrun
    try:
        start = time.perf_counter()
        report = await subscriptions.announce(application)
        seconds = time.perf_counter() - start
    finally:
        await application.shutdown()
        store.close()
    return {"sent": report.sent, "failed": report.failed, "seconds": round(seconds, 2),
            "notices_per_s": round(report.sent / seconds, 1),
            "send_rate_limit": settings.send_rate_limit}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--at-once", type=int, default=subscriptions.CONCURRENT_NOTICES,
                        help="notices on their way at once (1: one after another)")
    parser.add_argument("--busy", type=int, default=0, help="CPU-burning processes beside")
    args = parser.parse_args()
    subscriptions.CONCURRENT_NOTICES = args.at_once
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    api = BotAPIStandIn(TOKEN)
    api.start()
    api.inject("sendMessage", "slow", times=args.subscribers,
               delay_s=args.latency_ms / 1000)
    try:
        with tempfile.TemporaryDirectory() as folder, burning(args.busy):
            result = asyncio.run(announce_to(api, Path(folder), args.subscribers))
    finally:
        api.stop()
    print(json.dumps({"subscribers": args.subscribers, "latency_ms": args.latency_ms,
                      "at_once": args.at_once, "machine": machine_state(args.busy),
                      **result}))


if __name__ == "__main__":
    main()
