"""The real Application polling the Bot API stand-in, over real articles and real SQLite."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from botapi_standin import BotAPIStandIn
from telegram.ext import ContextTypes
from tg_harness import SEEDS, TOKEN, Harness, bot_settings

from bot.service import NewsService
from handlers.app import ALLOWED_UPDATES, build_application


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
def api() -> Iterator[BotAPIStandIn]:
    standin = BotAPIStandIn(TOKEN)
    standin.start()
    yield standin
    standin.stop()


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """As `run` does: PTB 22 otherwise warns on every RetryAfter it builds (warnings fail)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def tg(api: BotAPIStandIn, tg_service: NewsService, tmp_path: Path,
             request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """The real Application polling the stand-in; handler exceptions fail the test.

    `@pytest.mark.settings(field=value)` on a test changes the bot's settings.
    """
    marker = request.node.get_closest_marker("settings")
    extra = marker.kwargs if marker else {}
    app = build_application(bot_settings(api, tmp_path, **extra), tg_service)
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
