"""Soak test (not in CI): a real `python -m bot run` under mixed traffic, memory sampled.

The Bot API stand-in from tests/telegram runs in this process; the bot is a separate
process polling it, so its memory is measured alone (RSS from /proc). Simulated people
ask questions (hostile ones too), use commands, press buttons and type inline queries;
an admin reloads every minute while an article comes and goes; now and then polling
meets a 502, a dropped connection or a 429. Every update must get its reply.

Run: `.venv/bin/python -m bench.soak` (10 minutes; `--minutes 0.5` for a quick look).
Prints a Markdown summary (for docs/RELIABILITY.md) and writes data/bench/soak.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "telegram"))

from botapi_standin import BotAPIStandIn  # noqa: E402
from tg_harness import running_bot  # noqa: E402

TOKEN = "123456789:AAFsoakSECRETtokenPART-abcdefghijklmn"
ADMIN_ID = 1001
USERS = 20
QUESTIONS = [
    "What caused the crane to fall in Mecca?",
    "who is zhang xiangbin",
    "what hapened to zhang in 2019",
    "How many people died in the crane collapse?",
    "What did NASA announce?",
    "When did New Zealand announce the flag referendum?",
    "What is the recipe for Hungarian goulash?",
    "<b>crane</b> & Mecca?",
    'crane AND "( NEAR(mecca* OR -',
    "\u202e\u200f\u200b crane",
    "hello",
    "crane " * 500,
]
COMMANDS = ["/help", "/articles", "/summary 3", "/facts crane", "/summary flag", "/ask spy"]
INLINE = ["crane", "zhang", "", "flag referendum", "nasa"]
TORTOISE = """Giant tortoise found alive on Galapagos island after a century

Monday, March 4, 2024

Scientists said on Monday that a giant tortoise believed extinct for more than a century was
found alive on Fernandina island. The rangers named the female tortoise Fernanda.
"""


@dataclass
class Stats:
    """What the traffic saw."""

    sent: int = 0
    answered: int = 0
    failed: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    reloads: int = 0
    faults: int = 0
    rss: list[tuple[float, int]] = field(default_factory=list)


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def exchange(api: BotAPIStandIn, stats: Stats, send: Callable[[], object],
                   method: str, chat_id: int | None = None, wait_s: float = 30.0) -> Any:
    """Send one update (`send` pushes it) and wait for the bot's `method` call in reply."""
    mark = api.mark()
    send()
    stats.sent += 1
    started = time.monotonic()
    try:
        found = await api.wait_for(
            method, after=mark, wait_s=wait_s,
            where=None if chat_id is None else
            (lambda c: str(c.params.get("chat_id")) == str(chat_id)))
    except AssertionError as exc:
        stats.failed.append(f"{method}: {str(exc)[:160]}")
        return None
    stats.answered += 1
    stats.latencies.append(time.monotonic() - started)
    return found[0]


async def person(api: BotAPIStandIn, stats: Stats, n: int, until: float,
                 rng: random.Random) -> None:
    """One simulated user: questions mostly, commands, buttons, inline queries."""
    user = {"id": 5000 + n, "is_bot": False, "first_name": f"P{n}"}
    chat = api.chat(user["id"], user=user)
    last_answer = None

    def say(text: str) -> Callable[[], object]:
        return partial(api.push, {"message": api.message(text, user, chat)})

    while time.monotonic() < until:
        roll = rng.random()
        if roll < 0.55:
            reply = await exchange(api, stats, say(rng.choice(QUESTIONS)), "sendMessage",
                                   chat["id"])
            if reply is not None and reply.buttons:
                last_answer = reply
        elif roll < 0.75:
            await exchange(api, stats, say(rng.choice(COMMANDS)), "sendMessage", chat["id"])
        elif roll < 0.88 and last_answer is not None:
            label = rng.choice(["Summary", "More", "Helpful", "Not helpful"])
            data = next((b["callback_data"] for b in last_answer.buttons
                         if label in b["text"]), None)
            key = (last_answer.result["chat"]["id"], last_answer.result["message_id"])
            if data and key in api.messages:
                message = dict(api.messages[key])
                await exchange(api, stats, partial(api.press, message, data, user),
                               "answerCallbackQuery")
                if label in {"Helpful", "Not helpful"}:
                    last_answer = None
        else:
            query = rng.choice(INLINE)
            await exchange(api, stats, partial(api.inline_query, query, user),
                           "answerInlineQuery")
        await asyncio.sleep(rng.uniform(0.05, 0.5))


async def admin(api: BotAPIStandIn, stats: Stats, articles: Path, until: float) -> None:
    """Reload every minute while an article comes and goes."""
    user = {"id": ADMIN_ID, "is_bot": False, "first_name": "Ada"}
    chat = api.chat(ADMIN_ID, user=user)
    while time.monotonic() < until - 5:
        await asyncio.sleep(min(60.0, max(until - time.monotonic() - 5, 0)))
        tortoise = articles / "tortoise.txt"
        if tortoise.exists():
            tortoise.unlink()
        else:
            tortoise.write_text(TORTOISE, encoding="utf-8")
        mark = api.mark()
        api.push({"message": api.message("/reload", user, chat)})
        stats.sent += 1
        try:
            await api.wait_for("sendMessage", after=mark, wait_s=60,
                               where=lambda c: "Reload finished" in c.text)
            stats.answered += 1
            stats.reloads += 1
        except AssertionError as exc:
            stats.failed.append(f"reload: {str(exc)[:120]}")


async def trouble(api: BotAPIStandIn, stats: Stats, until: float, rng: random.Random) -> None:
    """Now and then the Bot API misbehaves while polling."""
    while time.monotonic() < until - 10:
        await asyncio.sleep(min(rng.uniform(20, 40), max(until - 10 - time.monotonic(), 0)))
        kind = rng.choice(["502", "drop", "429", "not_json"])
        if kind == "502":
            api.fail_next("getUpdates", 502)
        elif kind == "429":
            api.fail_next("getUpdates", 429, retry_after=1)
        else:
            api.inject("getUpdates", kind)
        stats.faults += 1


async def sample(pid: int, stats: Stats, until: float, every_s: float) -> None:
    started = time.monotonic()
    while time.monotonic() < until:
        stats.rss.append((round(time.monotonic() - started, 1), rss_kib(pid)))
        await asyncio.sleep(every_s)


async def soak(minutes: float, seed: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="newsbot-soak-"))
    articles = workdir / "articles"
    shutil.copytree(ROOT / "seeds", articles)
    api = BotAPIStandIn(TOKEN)
    api.start()
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(workdir / "kb.sqlite3"),
           "ARTICLES_DIR": str(articles), "ADMIN_IDS": str(ADMIN_ID), "LOG_LEVEL": "WARNING"}
    stats = Stats()
    try:
        async with running_bot(api, workdir, env, stop_s=30) as bot:
            await api.wait_for("setMyCommands", wait_s=60)
            started = time.monotonic()
            until = started + minutes * 60
            rng = random.Random(seed)
            await asyncio.gather(
                sample(bot.pid, stats, until, every_s=max(minutes * 60 / 60, 1.0)),
                admin(api, stats, articles, until),
                trouble(api, stats, until, random.Random(seed + 1)),
                *(person(api, stats, n, until, random.Random(rng.random()))
                  for n in range(USERS)),
            )
            elapsed = time.monotonic() - started
    finally:
        api.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    return summarise(stats, elapsed, bot.returncode, bot.log)


def summarise(stats: Stats, elapsed: float, returncode: int | None, log: str) -> dict:
    rss = [kib for _, kib in stats.rss]
    tenth = max(len(rss) // 10, 1)
    lat = sorted(stats.latencies)
    return {
        "minutes": round(elapsed / 60, 2),
        "updates_sent": stats.sent,
        "replies": stats.answered,
        "unanswered": len(stats.failed),
        "unanswered_examples": stats.failed[:5],
        "updates_per_second": round(stats.sent / elapsed, 1),
        "latency_ms": {"p50": round(statistics.median(lat) * 1000),
                       "p95": round(lat[int(len(lat) * 0.95)] * 1000),
                       "max": round(lat[-1] * 1000)} if lat else {},
        "reloads": stats.reloads,
        "injected_faults": stats.faults,
        "rss_mib": {"first_tenth": round(statistics.mean(rss[:tenth]) / 1024, 1),
                    "last_tenth": round(statistics.mean(rss[-tenth:]) / 1024, 1),
                    "max": round(max(rss) / 1024, 1)} if rss else {},
        "rss_samples": stats.rss,
        "bot_exit_code": returncode,
        "handler_errors_logged": log.count("handling a"),
        "handler_error_examples": error_examples(log),
        "token_in_log": TOKEN in log or TOKEN.split(":")[1] in log,
    }


def error_examples(log: str, limit: int = 5) -> list[str]:
    """The first failures the bot logged: the line and the exception that ended it."""
    lines = log.splitlines()
    found = []
    for index, line in enumerate(lines):
        if "handling a" in line and "failed" in line:
            tail = next((t for t in lines[index + 1:index + 60] if t and not t[0].isspace()
                         and not t.startswith("Traceback")), "")
            found.append(f"{line[-80:]} | {tail[:160]}")
    return found[:limit]


def markdown(result: dict) -> str:
    rss, lat = result["rss_mib"], result["latency_ms"]
    return "\n".join([
        f"| soak ({result['minutes']} min, {USERS} people + an admin) | |",
        "|---|---|",
        f"| updates sent / replied / unanswered | {result['updates_sent']} / "
        f"{result['replies']} / {result['unanswered']} |",
        f"| updates per second | {result['updates_per_second']} |",
        f"| reply latency p50 / p95 / max | {lat.get('p50')} / {lat.get('p95')} / "
        f"{lat.get('max')} ms |",
        f"| reloads / injected Bot API faults | {result['reloads']} / "
        f"{result['injected_faults']} |",
        f"| bot RSS first tenth / last tenth / max | {rss.get('first_tenth')} / "
        f"{rss.get('last_tenth')} / {rss.get('max')} MiB |",
        f"| handler errors logged / token in log / exit code | "
        f"{result['handler_errors_logged']} / {result['token_in_log']} / "
        f"{result['bot_exit_code']} |",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    result = asyncio.run(soak(args.minutes, args.seed))
    out = ROOT / "data" / "bench" / "soak.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(markdown(result))
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
