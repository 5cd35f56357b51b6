"""Settings from the environment: defaults that run a fresh clone, clear errors otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.settings import Settings


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


def test_feeds_are_read_as_urls_separated_by_commas_or_spaces() -> None:
    settings = Settings.from_env({"FEEDS": " https://a.example/rss, http://b.example/atom.xml\n"
                                           "https://a.example/rss  https://c.example/feed ",
                                  "FEED_INTERVAL": "15"})
    assert settings.feeds == ("https://a.example/rss", "http://b.example/atom.xml",
                              "https://c.example/feed")
    assert settings.feed_interval == 15 * 60
    defaults = Settings.from_env({})
    assert defaults.feeds == ()
    assert defaults.feed_interval == 30 * 60
    assert Settings.from_env({"FEED_INTERVAL": "0"}).feed_interval == 0


@pytest.mark.parametrize(("name", "value"), [
    ("FEEDS", "ftp://a.example/rss"), ("FEEDS", "https://a.example/rss, a.example/feed"),
    ("FEEDS", "http://[::1/rss"), ("FEEDS", "https:///rss"), ("FEED_INTERVAL", "-5"),
    ("FEED_INTERVAL", "hourly"),
])
def test_a_malformed_feed_setting_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})
