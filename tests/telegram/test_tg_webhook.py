"""Webhook mode: requests without the secret header are refused, with it answered."""

from __future__ import annotations

from pathlib import Path

import httpx
from botapi_standin import BotAPIStandIn
from tg_harness import USER_ID, bot_settings, drained, free_port, make_user

from bot.service import NewsService
from handlers.app import ALLOWED_UPDATES, build_application

SECRET = "webhook_SECRET_123"


async def test_webhook_refuses_requests_without_the_secret(
        api: BotAPIStandIn, tg_service: NewsService, tmp_path: Path) -> None:
    settings = bot_settings(api, tmp_path, webhook_secret=SECRET)
    app = build_application(settings, tg_service)
    port = free_port()
    user = make_user(USER_ID, "Bob")
    chat = api.chat(USER_ID, user=user)
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(
        listen="127.0.0.1", port=port, url_path="telegram", secret_token=SECRET,
        webhook_url="https://bot.example.org/telegram", allowed_updates=ALLOWED_UPDATES)
    try:
        hook = api.calls_of("setWebhook")[0].params
        assert hook["secret_token"] == SECRET
        assert sorted(hook["allowed_updates"]) == sorted(ALLOWED_UPDATES)
        update = {"update_id": 1, "message": api.message(
            "What caused the crane to fall in Mecca?", user, chat)}
        url = f"http://127.0.0.1:{port}/telegram"
        async with httpx.AsyncClient() as client:
            refused = await client.post(url, json=update)
            wrong = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
            assert refused.status_code == 403
            assert wrong.status_code == 403
            assert api.calls_of("sendMessage") == []
            accepted = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert accepted.status_code == 200
        answer = (await api.wait_for("sendMessage"))[0]
        assert "crane" in answer.text
        await drained(app)  # had a refused request been queued after all, it is answered now
        assert len(api.calls_of("sendMessage")) == 1
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        app.bot_data["core"].usage.close()
        app.bot_data["core"].subscriptions.close()
