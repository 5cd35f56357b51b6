"""End to end through Telegram's protocol: updates handled per second, update-to-reply time.

A real `python -m bot run` (its own process, as in production) long-polls the Bot API
stand-in of tests/telegram on 127.0.0.1; simulated people, each in a private chat, ask
real questions (XQuAD, clean and with typos, and off-topic ones). Two measurements per
knowledge base:

- throughput: a backlog of questions waiting when the bot starts polling; updates/s is the
  backlog over the time from the first getUpdates to the last reply;
- latency: questions arriving at a steady offered rate; the time from an update's arrival at
  the stand-in to the bot's sendMessage for it, p50/p95/p99.

The bot's own send limit (SEND_RATE_LIMIT, Telegram's ~30 messages/s) is switched off, so
the bot itself is measured and not the limit it keeps to.

Run: `.venv/bin/python -m bench.e2e` (N = 25, the seeds) and
`.venv/bin/python -m bench.e2e --db data/bench/scale-100000.sqlite3` (made by bench.scale).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from functools import partial
from pathlib import Path

from bench.busy import burning, machine_state
from bench.datasets import add_typos, offtopic_cases, xquad_cases
from bench.scale import percentiles

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "telegram"))

from botapi_standin import BotAPIStandIn, Call  # noqa: E402
from tg_harness import running_bot  # noqa: E402

TOKEN = "123456789:AAFe2eSECRETtokenPART-abcdefghijklmn"
PEOPLE = 500


def question_mix(count: int, seed: int = 0) -> list[str]:
    """Clean XQuAD questions, their typo twins and off-topic ones, in a fixed random order."""
    rng = random.Random(seed)
    clean = [c.question for c in xquad_cases()]
    pool = clean + [add_typos(q) for q in clean] + [c.question for c in offtopic_cases()]
    return [rng.choice(pool) for _ in range(count)]


class Traffic:
    """Pushes questions as updates and matches each reply to the update it answers."""

    def __init__(self, api: BotAPIStandIn, people: int) -> None:
        self.api = api
        self.users = [{"id": 7000 + n, "is_bot": False, "first_name": f"P{n}"}
                      for n in range(people)]
        self.people = [api.chat(user["id"], user=user) for user in self.users]
        self.pushed: dict[int, list[float]] = defaultdict(list)  # chat id -> push times

    def ask(self, n: int, question: str) -> None:
        user, chat = self.users[n % len(self.users)], self.people[n % len(self.people)]
        self.pushed[chat["id"]].append(time.monotonic())
        self.api.push({"message": self.api.message(question, user, chat)})

    def mark(self) -> tuple[int, dict[int, int]]:
        """Where the next replies start: the stand-in's call count, each chat's questions."""
        return self.api.mark(), {chat: len(times) for chat, times in self.pushed.items()}

    async def replies(self, mark: tuple[int, dict[int, int]], count: int,
                      wait_s: float) -> list[float]:
        """Update-to-reply seconds of the first `count` answers since `mark`.

        A person asks again only after the answer, so a chat's n-th reply since the mark
        answers its n-th question since then.
        """
        after, asked_before = mark
        calls = await self.api.wait_for("sendMessage", after=after, count=count, wait_s=wait_s)
        seen: dict[int, int] = defaultdict(int)
        seconds = []
        for call in calls:
            chat = int(call.params["chat_id"])
            index = asked_before.get(chat, 0) + seen[chat]
            seconds.append(call.at - self.pushed[chat][index])
            seen[chat] += 1
        return seconds


async def throughput(api: BotAPIStandIn, traffic: Traffic, questions: list[str]) -> dict:
    """One question from everyone at once; updates/s from the first push to the last reply."""
    people = len(traffic.people)
    mark = api.mark()
    start = time.monotonic()
    for n, question in enumerate(questions[:people]):
        traffic.ask(n, question)
    calls = await api.wait_for("sendMessage", after=mark, count=people, wait_s=300)
    elapsed = max(c.at for c in calls) - start
    return {"updates": people, "seconds": elapsed, "updates_per_s": people / elapsed}


def to_chat(chat: dict, call: Call) -> bool:
    return str(call.params.get("chat_id")) == str(chat["id"])


async def latency(traffic: Traffic, questions: list[str], rate: float) -> dict:
    """Questions at `rate` per second, each from a person with nothing pending."""
    people = len(traffic.people)
    mark = traffic.mark()
    start = time.monotonic()
    for n, question in enumerate(questions):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if n >= people:  # this person's question of the round before has had its answer
            person = partial(to_chat, traffic.people[n % people])
            await traffic.api.wait_for("sendMessage", after=mark[0], count=n // people,
                                       wait_s=60, where=person)
        traffic.ask(n, question)
    sent_s = time.monotonic() - start
    seconds = await traffic.replies(mark, len(questions), wait_s=120)
    ms = [s * 1000 for s in seconds]
    return {"offered_per_s": rate, "achieved_per_s": len(questions) / sent_s,
            "updates": len(questions), "ms": percentiles(ms)}


async def run(db: Path | None, rates: list[float], count: int, people: int = PEOPLE,
              semantic: bool = True, busy: int = 0) -> dict:
    """Start the bot on `db` (or the seeds), then measure throughput and latency."""
    workdir = Path(tempfile.mkdtemp(prefix="newsbot-e2e-"))
    articles = workdir / "articles"
    shutil.copytree(ROOT / "seeds", articles)
    database = db or workdir / "kb.sqlite3"
    api = BotAPIStandIn(TOKEN)
    api.start()
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(database),
           "ARTICLES_DIR": str(articles), "LOG_LEVEL": "WARNING", "SEND_RATE_LIMIT": "0",
           "PTB_TIMEDELTA": "1", "SEMANTIC": "1" if semantic else "0"}
    traffic = Traffic(api, people)
    questions = question_mix(count + people)
    try:
        async with running_bot(api, workdir, env, stop_s=30):
            await api.wait_for("setMyCommands", wait_s=120)
            with burning(busy):
                result: dict = {"throughput": await throughput(api, traffic, questions)}
                result["latency"] = [await latency(traffic, questions[people:], rate)
                                     for rate in rates]
    finally:
        api.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def markdown(label: str, result: dict) -> str:
    t = result["throughput"]
    lines = [f"| {label} | backlog of {t['updates']} | {t['updates_per_s']:.0f} | - |"]
    for r in result["latency"]:
        p50, p95, p99 = r["ms"]
        lines.append(f"| {label} | {r['offered_per_s']:.0f}/s offered, "
                     f"{r['achieved_per_s']:.0f}/s sent | - | {p50:.0f} / {p95:.0f} / {p99:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing knowledge base (default: seeds)")
    parser.add_argument("--rates", default="100,300", help="offered updates/s, comma-separated")
    parser.add_argument("--count", type=int, default=3000, help="questions per rate")
    parser.add_argument("--lexical", action="store_true",
                        help="the bot without sentence embeddings (SEMANTIC=0)")
    parser.add_argument("--busy", type=int, default=0, metavar="N",
                        help="measure beside N CPU-burning processes")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    rates = [float(r) for r in args.rates.split(",")]
    result = asyncio.run(run(args.db, rates, args.count, semantic=not args.lexical,
                             busy=args.busy))
    label = (args.db.name if args.db else "seeds (25 articles)") + (
        ", without MiniLM" if args.lexical else "") + f", {machine_state(args.busy)}"
    out = ROOT / "data" / "bench" / f"e2e-{args.db.stem if args.db else 'seeds'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print("| knowledge base | traffic | updates/s | update-to-reply ms p50 / p95 / p99 |")
    print("|---|---|---|---|")
    print(markdown(label, result))


if __name__ == "__main__":
    main()
