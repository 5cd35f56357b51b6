"""The real Application polling the Bot API stand-in, over real articles and real SQLite."""

from __future__ import annotations

import shutil
import socket
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from botapi_standin import BotAPIStandIn, Call
from telegram.ext import Application, ContextTypes

from bot.service import NewsService
from bot.settings import Settings
from handlers.app import ALLOWED_UPDATES, build_application

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
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

    async def send(self, text: str | None, *, user: dict | None = None,
                   chat: dict | None = None, count: int = 1, reply_to: dict | None = None,
                   document: dict | None = None, wait_s: float = 5.0) -> list[Call]:
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

    async def wait_errors(self, count: int, wait_s: float = 5.0) -> None:
        """Wait until the error handlers have seen `count` errors."""
        import asyncio

        for _ in range(int(wait_s / 0.01)):
            if len(self.errors) >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"expected {count} handler errors, saw {self.errors!r}")

    async def silence(self, chat: dict, after: int, seconds: float = 0.3) -> None:
        """Assert the bot sent nothing to `chat` since `after` (after a short wait)."""
        import asyncio

        await asyncio.sleep(seconds)
        sent = [c for c in self.api.calls_of("sendMessage", after)
                if str(c.params.get("chat_id")) == str(chat["id"])]
        assert sent == [], [c.text for c in sent]


@pytest.fixture(scope="session")
def loaded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Seeds loaded once; each test gets its own copy of the folder and the database."""
    root = tmp_path_factory.mktemp("template")
    articles = root / "articles"
    articles.mkdir()
    for path in SEEDS.iterdir():
        shutil.copyfile(path, articles / path.name)
    db_path = root / "kb.sqlite3"
    service = NewsService(db_path, articles)
    service.reload()
    service.kb.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return articles, db_path


@pytest.fixture
def tg_service(tmp_path: Path, loaded_template: tuple[Path, Path]) -> NewsService:
    articles, db_path = loaded_template
    shutil.copytree(articles, tmp_path / "articles")
    shutil.copyfile(db_path, tmp_path / "kb.sqlite3")
    return NewsService(tmp_path / "kb.sqlite3", tmp_path / "articles")


@pytest.fixture
def api() -> BotAPIStandIn:
    standin = BotAPIStandIn(TOKEN)
    standin.start()
    yield standin
    standin.stop()


def bot_settings(api: BotAPIStandIn, tmp_path: Path, **extra: object) -> Settings:
    return Settings(database_path=tmp_path / "kb.sqlite3", articles_dir=tmp_path / "articles",
                    telegram_bot_token=TOKEN, telegram_api_url=api.base_url,
                    admin_ids=frozenset({ADMIN_ID}), **extra)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """As `run` does: PTB 22 otherwise warns on every RetryAfter it builds (warnings fail)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def tg(api: BotAPIStandIn, tg_service: NewsService, tmp_path: Path
             ) -> AsyncIterator[Harness]:
    """The real Application polling the stand-in; handler exceptions fail the test."""
    app = build_application(bot_settings(api, tmp_path), tg_service)
    harness = Harness(api, app, tg_service, tmp_path / "articles")

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
    unexpected = [e for e in harness.errors
                  if not isinstance(e, tuple(harness.expected_errors))]
    assert unexpected == [], f"handler errors: {unexpected!r}"
    refused = [(c.method, c.error) for c in api.refusals()
               if "not modified" not in (c.error or "") and "too old" not in (c.error or "")]
    assert refused == [], f"the Bot API refused: {refused}"
