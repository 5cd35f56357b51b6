"""Settings from a mapping (the environment, `.env`), so tests pass a plain dict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_API_URL = "https://api.telegram.org/bot"


@dataclass(frozen=True)
class Settings:
    """Everything the bot and the CLI can be told; defaults run a fresh clone as it is."""

    database_path: Path = Path("data/bot.sqlite3")
    articles_dir: Path = Path("seeds")
    telegram_bot_token: str = field(default="", repr=False)
    telegram_api_url: str = DEFAULT_API_URL
    admin_ids: frozenset[int] = frozenset()
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    log_level: str = "INFO"
    send_rate_limit: int = 30  # messages/s the bot sends at most (Telegram's limit); 0: none
    # Sentence embeddings re-rank answers and help refuse (better answers, ~4x the CPU a
    # question: docs/ANSWERING.md, step 5b); off for a bot that must answer >60 updates/s.
    semantic: bool = True
    # The reader (bot/answer/reader.py) re-orders the best candidates and makes the
    # confidence: more right answers to questions as people type them, ~130 ms more CPU a
    # question (docs/BENCHMARKS.md, "Natural questions"). Off until the answer path's older
    # rules are measured with it (CHANGELOG, issue 22).
    reader: bool = False
    # A conversation's topic is forgotten after this many seconds without a question.
    conversation_timeout: float = 30 * 60
    # Fetching pages (docs/FETCHING.md): seconds a fetch may take in all, and whether
    # loopback and private addresses may be fetched (off: a link cannot reach the LAN).
    fetch_timeout: float = 15.0
    fetch_allow_private: bool = False
    # Feeds (RSS, Atom) read on a schedule by the running bot and by `fetch --feeds`; the
    # bot reads them every `feed_interval` seconds (0: only from the command line).
    feeds: tuple[str, ...] = ()
    feed_interval: float = 30 * 60
    # How often the bot looks for articles loaded by another process (`python -m bot load`
    # from cron) to tell subscribers of them; 0: only at start-up and after its own loads.
    subscription_check_seconds: int = 60

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read settings; a malformed value raises ValueError naming the variable."""
        def get(name: str, default: str = "") -> str:
            return (env.get(name) or default).strip()

        return cls(
            database_path=Path(get("DATABASE_PATH", str(cls.database_path))),
            articles_dir=Path(get("ARTICLES_DIR", str(cls.articles_dir))),
            telegram_bot_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_api_url=get("TELEGRAM_API_URL", DEFAULT_API_URL),
            admin_ids=parse_admin_ids(get("ADMIN_IDS")),
            webhook_url=get("WEBHOOK_URL"),
            webhook_secret=get("WEBHOOK_SECRET"),
            webhook_listen=get("WEBHOOK_LISTEN", cls.webhook_listen),
            webhook_port=_int("WEBHOOK_PORT", get("WEBHOOK_PORT", str(cls.webhook_port))),
            log_level=get("LOG_LEVEL", cls.log_level).upper(),
            send_rate_limit=_non_negative(
                "SEND_RATE_LIMIT", get("SEND_RATE_LIMIT", str(cls.send_rate_limit))),
            semantic=_switch("SEMANTIC", get("SEMANTIC", "1")),
            reader=_switch("READER", get("READER", "0")),
            conversation_timeout=60 * _non_negative(
                "CONVERSATION_MINUTES", get("CONVERSATION_MINUTES", "30")),
            fetch_timeout=_positive_float(
                "FETCH_TIMEOUT", get("FETCH_TIMEOUT", str(cls.fetch_timeout))),
            fetch_allow_private=_switch("FETCH_ALLOW_PRIVATE", get("FETCH_ALLOW_PRIVATE", "0")),
            feeds=parse_feed_urls(get("FEEDS")),
            feed_interval=60 * _non_negative("FEED_INTERVAL", get("FEED_INTERVAL", "30")),
            subscription_check_seconds=_non_negative(
                "SUBSCRIPTION_CHECK_SECONDS",
                get("SUBSCRIPTION_CHECK_SECONDS", str(cls.subscription_check_seconds))),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the given fields replaced (None values ignored), for CLI flags."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def parse_admin_ids(value: str) -> frozenset[int]:
    """Comma-separated numeric Telegram user ids; usernames are refused (they can change)."""
    ids = set()
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if part:
            ids.add(_int("ADMIN_IDS", part))
    return frozenset(ids)


def parse_feed_urls(value: str) -> tuple[str, ...]:
    """Feed URLs separated by commas or white space, each once; http(s) with a host only."""
    urls = []
    for url in value.replace(",", " ").split():
        if not _is_web_url(url):
            raise ValueError(f"FEEDS must be http or https URLs separated by commas or "
                             f"spaces, got {url!r}")
        urls.append(url)
    return tuple(dict.fromkeys(urls))


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[::1" and the like
        return False


def _int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {value!r}") from None


def _switch(name: str, value: str) -> bool:
    """1/0, on/off, true/false, yes/no (any case); anything else is a mistake worth naming."""
    lowered = value.lower()
    if lowered in {"1", "on", "true", "yes"}:
        return True
    if lowered in {"0", "off", "false", "no"}:
        return False
    raise ValueError(f"{name} must be 1 or 0 (on or off), got {value!r}")


def _non_negative(name: str, value: str) -> int:
    number = _int(name, value)
    if number < 0:
        raise ValueError(f"{name} must be 0 or more, got {value!r}")
    return number


def _positive_float(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not number > 0 or number == float("inf"):
        raise ValueError(f"{name} must be more than 0, got {value!r}")
    return number
