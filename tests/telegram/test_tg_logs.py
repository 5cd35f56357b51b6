"""The token never reaches a log line, at any level, even when requests fail."""

from __future__ import annotations

import logging

import pytest
from telegram.error import NetworkError
from tg_harness import TOKEN, Harness


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture everything from before the application is built."""
    caplog.set_level(logging.DEBUG)
    return caplog


async def test_token_never_appears_in_logs(debug_logs: pytest.LogCaptureFixture,
                                           tg: Harness) -> None:
    tg.expected_errors.append(NetworkError)
    await tg.say("What caused the crane to fall in Mecca?")
    tg.api.fail_next("sendMessage", 500)
    await tg.say("/help")  # fails, is logged with its traceback, then apologised for
    await tg.say("/reload")  # a refusal is logged too
    assert any(r.name.startswith("telegram") and r.levelno == logging.DEBUG
               for r in debug_logs.records)  # DEBUG really was on
    text = debug_logs.text + "".join(str(r.exc_text or "") for r in debug_logs.records)
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text
    assert any("failed" in r.getMessage() for r in debug_logs.records)


def test_httpx_is_turned_down(tg_service: object) -> None:
    from handlers.logs import install_redaction

    install_redaction({TOKEN})
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
