"""Helpers for the Telegram tests: ids, the token, and the Harness that talks to the bot."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from botapi_standin import PATIENCE_S, BotAPIStandIn, Call
from telegram.ext import Application, ContextTypes

from bot.config.settings import Settings
from bot.service import NewsService
from handlers.app import ALLOWED_UPDATES, build_application

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
WEBHOOK_SECRET = "webhook_SECRET_123"
TOKEN = "123456789:AAFtestSECRETtokenPART-abcdefghijklmn"
ADMIN_ID = 1001
USER_ID = 2002
GROUP_ID = -100500


def free_port() -> int:
    """A TCP port nobody listens on right now (for webhook servers)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_user(user_id: int, name: str) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "en"}


async def drained(app: Application, wait_s: float = PATIENCE_S) -> None:
    """Until every update `app` has queued is handled, error handlers included.

    python-telegram-bot marks a queued update done only after all its handlers returned,
    and the Bot API calls they made were answered by then.
    """
    await asyncio.wait_for(app.update_queue.join(), wait_s)


@dataclass
class Harness:
    """One running bot: send it what a person would, read what it sent back."""

    api: BotAPIStandIn
    app: Application = field(repr=False)
    service: NewsService
    articles_dir: Path
    errors: list[BaseException] = field(default_factory=list)
    expected_errors: list[type[BaseException]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.admin = make_user(ADMIN_ID, "Ada")
        self.user = make_user(USER_ID, "Bob")
        self.private = self.api.chat(USER_ID, user=self.user)
        self.admin_chat = self.api.chat(ADMIN_ID, user=self.admin)
        self.group = self.api.chat(GROUP_ID, "supergroup", title="News fans")
        self.api.member(self.group, self.user, "member")

    async def send(self, text: str | None, *, user: dict | None = None,
                   chat: dict | None = None, count: int = 1, reply_to: dict | None = None,
                   document: dict | None = None, wait_s: float = PATIENCE_S) -> list[Call]:
        """Send a message and wait for `count` messages back in that chat."""
        user = user or self.user
        chat = chat or (self.private if user is self.user else self.admin_chat)
        mark = self.api.mark()
        self.api.push({"message": self.api.message(text, user, chat, reply_to=reply_to,
                                                   document=document)})
        return await self.api.wait_for(
            "sendMessage", after=mark, count=count, wait_s=wait_s,
            where=lambda c: str(c.params.get("chat_id")) == str(chat["id"]))

    async def say(self, text: str, **kwargs: object) -> Call:
        """Send a message and return the first reply."""
        return (await self.send(text, **kwargs))[0]  # type: ignore[arg-type]

    async def press(self, reply: Call, label: str, *, user: dict | None = None,
                    method: str = "sendMessage", expired: bool = False) -> tuple[Call, Call]:
        """Press the button whose label contains `label`; return (the bot's reaction, answer)."""
        data = next(b["callback_data"] for b in reply.buttons if label in b["text"])
        stored = self.api.messages[(reply.result["chat"]["id"], reply.result["message_id"])]
        mark = self.api.mark()
        self.api.press(dict(stored), data, user or self.user, expired=expired)
        reaction = (await self.api.wait_for(method, after=mark))[0]
        answers = self.api.calls_of("answerCallbackQuery", mark)
        return reaction, answers[0] if answers else reaction

    async def wait_errors(self, count: int, wait_s: float = PATIENCE_S) -> None:
        """Wait until the error handlers have seen `count` errors."""
        deadline = time.monotonic() + wait_s
        while len(self.errors) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} handler errors, saw {self.errors!r}")
            await asyncio.sleep(0.01)

    async def settle(self, wait_s: float = PATIENCE_S) -> None:
        """Until the bot has taken every update pushed so far and finished handling them.

        What the bot did not do can only be checked once it is done: a fixed sleep passes
        unproven when the bot is slow. The bot has taken an update once it polls for later
        ones; it has finished once its update queue is drained.
        """
        if self.api.last_update_id:
            await self.api.wait_confirmed(self.api.last_update_id, wait_s)
        await drained(self.app, wait_s)

    async def silence(self, chat: dict, after: int) -> None:
        """Assert the bot, done with every update pushed, sent nothing to `chat` since `after`."""
        await self.settle()
        sent = [c for c in self.api.calls_of("sendMessage", after)
                if str(c.params.get("chat_id")) == str(chat["id"])]
        assert sent == [], [c.text for c in sent]


def bot_settings(api: BotAPIStandIn, tmp_path: Path, **extra: object) -> Settings:
    return Settings(database_path=tmp_path / "kb.sqlite3", articles_dir=tmp_path / "articles",
                    telegram_bot_token=TOKEN, telegram_api_url=api.base_url,
                    admin_ids=frozenset({ADMIN_ID}), **extra)  # type: ignore[arg-type]


@asynccontextmanager
async def running(api: BotAPIStandIn, service: NewsService,
                  settings: Settings) -> AsyncIterator[Harness]:
    """The real Application polling the stand-in until the block ends; then handler
    exceptions and Bot API refusals fail the test."""
    app = build_application(settings, service)
    harness = Harness(api, app, service, settings.articles_dir)

    async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        harness.errors.append(context.error)  # type: ignore[arg-type]

    app.add_error_handler(record_error)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1,
                                    allowed_updates=ALLOWED_UPDATES)
    try:
        yield harness
    finally:
        api.release_polls()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        harness.app.bot_data["core"].usage.close()
        harness.app.bot_data["core"].subscriptions.close()
    unexpected = [e for e in harness.errors
                  if not isinstance(e, tuple(harness.expected_errors))]
    assert unexpected == [], f"handler errors: {unexpected!r}"
    # Refusals the bot is built to meet: a pressed button too old, a text already shown,
    # a group that became a supergroup (its subscription follows it).
    excused = ("not modified", "too old", "upgraded to a supergroup")
    refused = [(c.method, c.error) for c in api.refusals()
               if not any(e in (c.error or "") for e in excused)]
    assert refused == [], f"the Bot API refused: {refused}"


@dataclass
class BotRun:
    """A `python -m bot run` child process: its pid, and its log once it has stopped."""

    pid: int
    log_path: Path
    returncode: int | None = None
    log: str = ""


@asynccontextmanager
async def running_bot(api: BotAPIStandIn, workdir: Path, env: dict[str, str],
                      stop_s: float = 15.0) -> AsyncIterator[BotRun]:
    """Run `python -m bot run` in `workdir` with `env` over the environment; stop it with ^C."""
    env = {**os.environ, "TELEGRAM_API_URL": api.base_url, "PYTHONPATH": str(ROOT),
           "WEBHOOK_URL": "", **env}
    log_path = workdir / "bot.log"  # a file, not a pipe: DEBUG output could fill a pipe
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=workdir, env=env,
            stdout=log_file, stderr=log_file)
    run = BotRun(process.pid, log_path)
    try:
        yield run
    finally:
        api.release_polls()
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), stop_s)
        except TimeoutError:
            process.kill()
            await process.wait()
        run.returncode = process.returncode
        run.log = log_path.read_text(encoding="utf-8", errors="replace")


@asynccontextmanager
async def bot_process(api: BotAPIStandIn, tmp_path: Path, **env_extra: str
                      ) -> AsyncIterator[list[str]]:
    """Run the bot on a fresh database at DEBUG; yields a list that receives its log."""
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "fresh.sqlite3"),
           "ARTICLES_DIR": str(SEEDS), "ADMIN_IDS": "1001", "LOG_LEVEL": "DEBUG", **env_extra}
    output: list[str] = []
    async with running_bot(api, tmp_path, env) as run:
        yield output
    output.append(run.log)
    log = run.log
    assert run.returncode == 0, log[-2000:]
    assert "first start: loaded 25 articles" in log
    assert "Calling Bot API endpoint" in log  # DEBUG really was on
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
    assert WEBHOOK_SECRET not in log
