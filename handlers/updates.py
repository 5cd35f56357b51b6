"""Updates that python-telegram-bot cannot read are skipped, instead of stalling the bot."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)


class ReadableUpdatesRequest(HTTPXRequest):
    """The getUpdates connection (ApplicationBuilder.get_updates_request): an update the
    library cannot read is skipped.

    python-telegram-bot reads a getUpdates answer as a whole: one update it cannot parse
    (a required field missing) fails the batch, the offset never moves past it, and the
    same batch is fetched again and again while nobody gets an answer (measured with the
    stand-in: tests/telegram/test_tg_faults_updates.py). Here such an update becomes an
    empty one with the same id before the library sees it: the offset moves on, no handler
    matches it, and a warning names its id, never its content.

    It hooks in where the answer's JSON is decoded, the documented way to customise a
    request (BaseRequest.parse_json_payload), so the JSON is decoded once.
    """

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        data = HTTPXRequest.parse_json_payload(payload)
        result = data.get("result")
        if data.get("ok") and isinstance(result, list):  # this connection only gets updates
            data["result"] = [readable(raw) for raw in result]
        return data


def readable(raw: Any) -> Any:
    """The update as it came when it can be read, else an empty update with its id.

    The library's own parser is the judge, so each update is parsed twice (here, then by
    the library; ~0.1 ms): a cheaper check of our own would miss whatever the parser trips
    on next, and one update it misses stalls every chat.
    """
    try:
        update = Update.de_json(raw)
        message = update.effective_message if update else None
        if message is not None and message.chat is None:  # the parser lets this pass
            raise ValueError("message without a chat")
    except Exception as exc:  # whatever the parser trips on, the update is unusable
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(update_id, int):
            return raw  # no id to move past: let python-telegram-bot report it
        log.warning("update %s could not be read and is skipped: %s", update_id,
                    type(exc).__name__)
        return {"update_id": update_id}
    return raw
