"""`python -m bot run` with a token: the real process polls or serves a webhook, then stops."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from botapi_standin import PATIENCE_S, BotAPIStandIn
from tg_harness import SEEDS, TOKEN, USER_ID, WEBHOOK_SECRET, bot_process, free_port, make_user

from bot.config.settings import Settings
from handlers.app import ALLOWED_UPDATES, run

QUESTION = "What caused the crane to fall in Mecca?"
SECRET = WEBHOOK_SECRET


async def test_python_m_bot_run_polls_answers_and_stops_cleanly(
        api: BotAPIStandIn, tmp_path: Path) -> None:
    async with bot_process(api, tmp_path) as log:
        await api.wait_for("setMyCommands")  # the empty database was loaded first
        user = make_user(USER_ID, "Bob")
        chat = api.chat(USER_ID, user=user)
        api.push({"message": api.message(QUESTION, user, chat)})
        answer = (await api.wait_for("sendMessage"))[0]
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
        hook = (await api.wait_for("setWebhook"))[0].params
        assert hook["url"] == "https://bot.example.org/telegram"
        assert hook["secret_token"] == SECRET
        assert sorted(hook["allowed_updates"]) == sorted(ALLOWED_UPDATES)
        user = make_user(USER_ID, "Bob")
        chat = api.chat(USER_ID, user=user)
        update = {"update_id": 7, "message": api.message(QUESTION, user, chat)}
        url = f"http://127.0.0.1:{port}/telegram"
        async with httpx.AsyncClient() as client:
            refused = await first_answer(client, url, update)
            assert refused.status_code == 403
            accepted = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert accepted.status_code == 200
        answer = (await api.wait_for("sendMessage"))[0]
        assert "crane" in answer.text
    # Stopped cleanly, the bot has finished every update it took: only the one with the secret.
    assert len(api.calls_of("sendMessage")) == 1


async def first_answer(client: httpx.AsyncClient, url: str, update: dict) -> httpx.Response:
    """POST `update` once the webhook server listens (it starts just after setWebhook)."""
    deadline = time.monotonic() + PATIENCE_S
    while True:
        try:
            return await client.post(url, json=update)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


def test_webhook_mode_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(database_path=tmp_path / "kb.sqlite3", articles_dir=SEEDS,
                        telegram_bot_token=TOKEN, webhook_url="https://bot.example.org/hook")
    assert run(settings) == 2
