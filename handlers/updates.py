"""Updates that python-telegram-bot cannot read are skipped, instead of stalling the bot."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import ExtBot

log = logging.getLogger(__name__)


class TolerantBot(ExtBot):
    """An ExtBot whose getUpdates skips an update it cannot read.

    python-telegram-bot reads a getUpdates answer as a whole: one update it cannot parse
    (a required field missing) fails the batch, the offset never moves past it, and the
    same batch is fetched again and again while nobody gets an answer (measured with the
    stand-in: tests/telegram/test_tg_faults_updates.py). Here such an update becomes an
    empty one with the same id: the offset moves on, no handler matches it, and a warning
    names its id, never its content.
    """

    async def _post(self, endpoint: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            return [self._readable(raw) for raw in result]
        return result

    def _readable(self, raw: Any) -> Any:
        """The update as it came when it can be read, else an empty update with its id."""
        try:
            update = Update.de_json(raw, self)
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
