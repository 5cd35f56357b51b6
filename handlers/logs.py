"""Logging that never shows the bot token: httpx turned down, every record redacted."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

REDACTED = "<redacted>"
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact(text: str) -> str:
    """Replace every registered secret in `text`."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def secrets_of(token: str, *others: str) -> set[str]:
    """The token, its secret half (after the colon) and any other secret worth hiding."""
    found = {token, *others}
    if ":" in token:
        found.add(token.split(":", 1)[1])
    return {s for s in found if len(s) >= 4}  # shorter strings are everywhere; not secrets


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record's message, exception and stack text in place, at any level."""
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is logging's problem, not ours
        message = str(record.msg)
    # Always frozen, not only when a secret was found: the arguments may be changed after
    # the record is made (python-telegram-bot logs getFile's result dict at DEBUG, then
    # writes the token-bearing download URL into that very dict), and a handler that
    # formats later (a buffer, pytest's caplog) would then show the token.
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactingFilter(logging.Filter):
    """A handler filter for the same redaction (for handlers added before install)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_redaction(secrets: Iterable[str]) -> None:
    """Register secrets; redact every log record as it is created, whatever its logger.

    A record factory rather than a logger filter: logger filters do not apply to records
    from child loggers (telegram.ext.*, httpx), and handlers added later (pytest's caplog)
    would miss a handler filter.
    """
    global _installed
    with _lock:
        _secrets.update(secrets)
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            return redact_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        _installed = True
    # httpx logs every request URL (which holds the token) at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def configure_logging(level: str) -> None:
    """Console logging for `python -m bot run`, redacting at the handler too."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    logging.getLogger("httpx").setLevel(logging.WARNING)
