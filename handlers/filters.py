"""Filters: group messages meant for the bot (a reply to it or an @mention)."""

from __future__ import annotations

from telegram import Message, MessageEntity
from telegram.ext import filters


class AddressedToBot(filters.MessageFilter):
    """Messages that reply to the bot or mention it; groups are otherwise left in peace."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        for entity, text in message.parse_entities(
            [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
        ).items():
            if entity.user and entity.user.id == bot.id:
                return True
            if text.lower() == f"@{bot.username}".lower():
                return True
        return False


ADDRESSED_TO_BOT = AddressedToBot(name="AddressedToBot")
