"""`python -m bot run` with a token: the real process polls or serves a webhook, then stops."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from botapi_standin import BotAPIStandIn
from tg_harness import SEEDS, TOKEN, USER_ID, free_port, make_user

from bot.settings import Settings
from handlers.app import ALLOWED_UPDATES, run

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "What caused the crane to fall in Mecca?"
SECRET = "webhook_SECRET_123"


@asynccontextmanager
async def bot_process(api: BotAPIStandIn, tmp_path: Path, **env_extra: str
                      ) -> AsyncIterator[list[str]]:
    """Run `python -m bot run` on a fresh database; yields a list that receives its log."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.base_url,
           "DATABASE_PATH": str(tmp_path / "fresh.sqlite3"), "ARTICLES_DIR": str(SEEDS),
           "ADMIN_IDS": "1001", "LOG_LEVEL": "DEBUG", "PYTHONPATH": str(ROOT),
           "WEBHOOK_URL": "", **env_extra}
    log_path = tmp_path / "bot.log"  # a file, not a pipe: DEBUG output could fill a pipe
    output: list[str] = []
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdout=log_file, stderr=log_file)
    try:
        yield output
    finally:
        api.release_polls()
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
        output.append(log_path.read_text(encoding="utf-8", errors="replace"))
    log = output[0]
    assert process.returncode == 0, log[-2000:]
    assert "first start: loaded 25 articles" in log
    assert "Calling Bot API endpoint" in log  # DEBUG really was on
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
    assert SECRET not in log


async def test_python_m_bot_run_polls_answers_and_stops_cleanly(
        api: BotAPIStandIn, tmp_path: Path) -> None:
    async with bot_process(api, tmp_path) as log:
        await api.wait_for("setMyCommands", wait_s=20)  # the empty database was loaded first
        user = make_user(USER_ID, "Bob")
        chat = api.chat(USER_ID, user=user)
        api.push({"message": api.message(QUESTION, user, chat)})
        answer = (await api.wait_for("sendMessage", wait_s=10))[0]
        assert "crane" in answer.text
        assert all(sorted(seen) == sorted(ALLOWED_UPDATES)
                   for seen in api.allowed_updates_seen)
    # The admin never opened a chat with the bot: its menu could not be set, the bot still ran.
    assert "admin command menu not set for 1001" in log[0]


async def test_python_m_bot_run_serves_a_webhook_that_checks_the_secret(
        api: BotAPIStandIn, tmp_path: Path) -> None:
    port = free_port()
    async with bot_process(api, tmp_path, WEBHOOK_URL="https://bot.example.org/telegram",
                           WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port)):
        hook = (await api.wait_for("setWebhook", wait_s=20))[0].params
        assert hook["url"] == "https://bot.example.org/telegram"
        assert hook["secret_token"] == SECRET
        assert sorted(hook["allowed_updates"]) == sorted(ALLOWED_UPDATES)
        user = make_user(USER_ID, "Bob")
        update = {"update_id": 7, "message": api.message(QUESTION, user,
                                                         api.chat(USER_ID, user=user))}
        url = f"http://127.0.0.1:{port}/telegram"
        async with httpx.AsyncClient() as client:
            for _ in range(100):  # the server starts listening just after setWebhook
                try:
                    refused = await client.post(url, json=update)
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("the webhook server never started listening")
            assert refused.status_code == 403
            accepted = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert accepted.status_code == 200
        answer = (await api.wait_for("sendMessage", wait_s=10))[0]
        assert "crane" in answer.text
        assert len(api.calls_of("sendMessage")) == 1  # only the request with the secret


def test_webhook_mode_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(database_path=tmp_path / "kb.sqlite3", articles_dir=SEEDS,
                        telegram_bot_token=TOKEN, webhook_url="https://bot.example.org/hook")
    assert run(settings) == 2
