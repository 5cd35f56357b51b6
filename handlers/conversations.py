"""Which conversation a message belongs to, and which earlier answer it replies to.

A private chat is one conversation; in a group each person has their own, so two people
asking at once do not steer each other's follow-ups. A reply to one of the bot's answers
continues that answer, whichever was asked last. The core keeps the conversations
(bot/store/conversation.py); these are only the names Telegram gives them.
"""

from __future__ import annotations

from telegram import Message
from telegram.constants import ChatType


def conversation_key(message: Message) -> str:
    """`chat:<id>` for a private chat, `chat:<id>:user:<id>` for a person in a group."""
    chat = f"chat:{message.chat_id}"
    if message.chat.type == ChatType.PRIVATE or message.from_user is None:
        return chat
    return f"{chat}:user:{message.from_user.id}"


def message_ref(message: Message) -> str:
    """How a sent message is named to the core (`remember_message`, `reply_to`)."""
    return f"{message.chat_id}:{message.message_id}"


def replied_ref(message: Message) -> str | None:
    """The bot's message this one replies to, if it replies to the bot at all."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None:
        return None
    return message_ref(replied) if replied.from_user.id == message.get_bot().id else None
