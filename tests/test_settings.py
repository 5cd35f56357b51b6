"""Settings from the environment: defaults that run a fresh clone, clear errors otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings


def test_an_empty_environment_runs_on_the_embedded_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_path == Path("data/bot.sqlite3")
    assert settings.articles_dir == Path("seeds")
    assert settings.send_rate_limit == 30  # Telegram's ~30 messages a second
    assert settings.admin_ids == frozenset()
    assert settings.semantic is True  # sentence embeddings on
    assert settings.subscription_check_seconds == 60


def test_values_are_read_and_trimmed() -> None:
    settings = Settings.from_env({"SEND_RATE_LIMIT": " 0 ", "ADMIN_IDS": "12, 34;56",
                                  "LOG_LEVEL": "debug", "WEBHOOK_PORT": "8080",
                                  "SUBSCRIPTION_CHECK_SECONDS": "0"})
    assert settings.send_rate_limit == 0
    assert settings.admin_ids == frozenset({12, 34, 56})
    assert settings.log_level == "DEBUG"
    assert settings.webhook_port == 8080
    assert settings.subscription_check_seconds == 0


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("off", False), ("1", True),
                                                 (" ON ", True), ("false", False)])
def test_sentence_embeddings_can_be_switched_off(value: str, expected: bool) -> None:
    assert Settings.from_env({"SEMANTIC": value}).semantic is expected


@pytest.mark.parametrize(("name", "value"), [
    ("SEND_RATE_LIMIT", "-1"), ("SEND_RATE_LIMIT", "fast"), ("ADMIN_IDS", "@ada"),
    ("WEBHOOK_PORT", "https"), ("SEMANTIC", "maybe"), ("SUBSCRIPTION_CHECK_SECONDS", "-5"),
])
def test_a_malformed_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})


def test_the_token_is_not_in_the_settings_repr() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "123:SECRET", "WEBHOOK_SECRET": "s3"})
    assert "SECRET" not in repr(settings)
    assert "s3" not in repr(settings)
