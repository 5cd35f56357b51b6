"""The real Application polling the Bot API stand-in, over real articles and real SQLite."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from botapi_standin import BotAPIStandIn
from tg_harness import SEEDS, TOKEN, Harness, bot_settings, running

from bot.service import NewsService


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
    async with running(api, tg_service, bot_settings(api, tmp_path, **extra)) as harness:
        yield harness
