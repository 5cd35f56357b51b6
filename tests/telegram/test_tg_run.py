"""`python -m bot run` with a token: the real process polls, answers and stops on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from botapi_standin import BotAPIStandIn
from conftest import SEEDS, TOKEN, USER_ID, make_user

from bot.settings import Settings
from handlers.app import ALLOWED_UPDATES, run

ROOT = Path(__file__).resolve().parents[2]


async def test_python_m_bot_run_polls_answers_and_stops_cleanly(
        api: BotAPIStandIn, tmp_path: Path) -> None:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.base_url,
           "DATABASE_PATH": str(tmp_path / "fresh.sqlite3"), "ARTICLES_DIR": str(SEEDS),
           "ADMIN_IDS": "1001", "LOG_LEVEL": "DEBUG", "PYTHONPATH": str(ROOT)}
    env.pop("WEBHOOK_URL", None)
    log_path = tmp_path / "bot.log"  # a file, not a pipe: DEBUG output could fill a pipe
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdout=log_file, stderr=log_file)
    try:
        await api.wait_for("setMyCommands", wait_s=20)  # the empty database was loaded first
        user = make_user(USER_ID, "Bob")
        chat = api.chat(USER_ID, user=user)
        api.push({"message": api.message("What caused the crane to fall in Mecca?", user, chat)})
        answer = (await api.wait_for("sendMessage", wait_s=10))[0]
        assert "crane" in answer.text
        assert all(sorted(seen) == sorted(ALLOWED_UPDATES)
                   for seen in api.allowed_updates_seen)
    finally:
        api.release_polls()
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
    stderr = log_path.read_text(encoding="utf-8", errors="replace")
    assert process.returncode == 0, stderr[-2000:]
    assert "first start: loaded 25 articles" in stderr
    assert "Calling Bot API endpoint" in stderr  # DEBUG really was on
    assert TOKEN not in stderr
    assert TOKEN.split(":")[1] not in stderr


def test_webhook_mode_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(database_path=tmp_path / "kb.sqlite3", articles_dir=SEEDS,
                        telegram_bot_token=TOKEN, webhook_url="https://bot.example.org/hook")
    assert run(settings) == 2
