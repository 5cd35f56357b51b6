"""Build and run the Telegram application: handlers registered in one place."""

from __future__ import annotations

import logging
import os
import re
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.config.settings import Settings
from bot.intake.links import LINK_RE
from bot.intake.subscriptions import SubscriptionStore, subscriptions_path_for
from bot.service import NewsService
from bot.store.loading import LoadError
from bot.store.usage import UsageLog, usage_path_for
from handlers import admin, callbacks, commands, inline, subscriptions
from handlers.context import CORE_KEY, Core
from handlers.errors import error_handler
from handlers.feeds import schedule_feeds
from handlers.filters import ADDRESSED_TO_BOT
from handlers.keyboards import FEEDBACK, LATEST, MORE, PAGE, SUMMARY
from handlers.logs import configure_logging, install_redaction, secrets_of
from handlers.updates import ReadableUpdatesRequest

log = logging.getLogger(__name__)

# Exactly the update types handled below: Telegram otherwise keeps an earlier run's choice.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
# 429 answers are waited out and retried this often (AIORateLimiter's default 0 re-raises).
MAX_RETRIES = 3
CONNECTIONS = 256  # ApplicationBuilder's default with concurrent updates
USER_COMMANDS = [
    BotCommand("help", "what I know and how to ask"),
    BotCommand("ask", "ask a question (needed in groups)"),
    BotCommand("new", "forget our conversation: the next question stands alone"),
    BotCommand("articles", "the articles I have read"),
    BotCommand("latest", "the newest articles: /latest or /latest 20"),
    BotCommand("summary", "an article's summary: number or title words"),
    BotCommand("facts", "an article's key facts: number or title words"),
    BotCommand("subscribe", "get the titles of new articles here (group admins in groups)"),
    BotCommand("unsubscribe", "stop the notices of new articles"),
]
ADMIN_COMMANDS = [
    *USER_COMMANDS,
    BotCommand("reload", "re-read the articles folder (admins)"),
    BotCommand("stats", "usage statistics (admins)"),
    BotCommand("add", "fetch a web page as an article: /add link (admins)"),
]
SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def file_url_for(api_url: str) -> str:
    """The file download base for a Bot API base URL (…/bot -> …/file/bot)."""
    base = api_url.rstrip("/")
    return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"


def build_application(settings: Settings, service: NewsService,
                      usage: UsageLog | None = None,
                      subscribers: SubscriptionStore | None = None) -> Application:
    """The application with every handler, the rate limiter, concurrent updates and the
    notices of new articles to subscribers."""
    install_redaction(secrets_of(settings.telegram_bot_token, settings.webhook_secret))
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(file_url_for(settings.telegram_api_url))
        # Many connections for answers; two for polling: on stop, the call that confirms the
        # last updates needs one while the cancelled long poll may still hold the other
        # (with one it waited the pool timeout, 1 s, failed with an ERROR in the log, and
        # the last updates could come again after a restart).
        .request(HTTPXRequest(connection_pool_size=CONNECTIONS))
        .get_updates_request(ReadableUpdatesRequest(connection_pool_size=2))
        # overall_max_rate 0 switches only the bot-wide limit off; groups keep theirs.
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.send_rate_limit,
                                     max_retries=MAX_RETRIES))
        .concurrent_updates(True)
        .post_init(set_commands)
        .build()
    )
    usage = usage or UsageLog(usage_path_for(settings.database_path))
    subscribers = subscribers or SubscriptionStore(
        subscriptions_path_for(settings.database_path))
    application.bot_data[CORE_KEY] = Core(service, usage, settings, subscribers)
    add_handlers(application)
    schedule_feeds(application, settings)
    subscriptions.schedule_announcements(application, settings.subscription_check_seconds)
    return application


def add_handlers(application: Application) -> None:
    """Register every handler; the catch-alls come last."""
    new_message = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", commands.start))
    application.add_handler(CommandHandler("help", commands.help_command))
    application.add_handler(CommandHandler("ask", commands.ask_command))
    # Not on edits: correcting an old message must not forget a conversation started since.
    application.add_handler(CommandHandler("new", commands.new_command, filters=new_message))
    application.add_handler(CommandHandler("articles", commands.articles_command))
    application.add_handler(CommandHandler("latest", commands.latest_command))
    application.add_handler(CommandHandler("summary", commands.summary_command))
    application.add_handler(CommandHandler("facts", commands.facts_command))
    application.add_handler(CommandHandler(
        "subscribe", subscriptions.subscribe_command, filters=new_message))
    application.add_handler(CommandHandler(
        "unsubscribe", subscriptions.unsubscribe_command, filters=new_message))
    # CommandHandler also fires on edits; an edited old message must never reload.
    application.add_handler(CommandHandler("reload", admin.reload_command, filters=new_message))
    application.add_handler(CommandHandler("stats", admin.stats_command, filters=new_message))
    application.add_handler(CommandHandler("add", admin.add_command, filters=new_message))
    application.add_handler(MessageHandler(
        filters.Document.ALL & private & new_message, admin.upload_document))
    # A private message with a link: fetched for admins, a question from anyone else.
    application.add_handler(MessageHandler(
        filters.TEXT & ~filters.COMMAND & private & new_message & filters.Regex(LINK_RE),
        admin.link_message))
    application.add_handler(MessageHandler(
        filters.TEXT & ~filters.COMMAND & private & new_message, commands.question))
    application.add_handler(MessageHandler(
        filters.TEXT & ~filters.COMMAND & filters.ChatType.GROUPS & new_message
        & ADDRESSED_TO_BOT, commands.question))
    application.add_handler(CallbackQueryHandler(callbacks.summary_button, f"^{SUMMARY}:"))
    application.add_handler(CallbackQueryHandler(callbacks.more_button, f"^{MORE}:"))
    application.add_handler(CallbackQueryHandler(callbacks.feedback_button, f"^{FEEDBACK}:"))
    application.add_handler(CallbackQueryHandler(callbacks.page_button, f"^{PAGE}:"))
    application.add_handler(CallbackQueryHandler(callbacks.latest_button, f"^{LATEST}:"))
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_handler(MessageHandler(
        filters.COMMAND & private & new_message, commands.unknown_command))
    application.add_error_handler(error_handler)


async def set_commands(application: Application) -> None:
    """Publish the command menu; admins see /reload and /stats in their own chat."""
    await application.bot.set_my_commands(USER_COMMANDS)
    settings: Settings = application.bot_data[CORE_KEY].settings
    for admin_id in sorted(settings.admin_ids):
        try:
            await application.bot.set_my_commands(
                ADMIN_COMMANDS, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # the admin has not opened a chat with the bot yet
            log.warning("admin command menu not set for %s: %s", admin_id, exc)


def run(settings: Settings) -> int:
    """`python -m bot run` with a token: polling, or a webhook when WEBHOOK_URL is set."""
    # PTB 22 warns on every RetryAfter unless periods are timedeltas; nothing here reads them.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    configure_logging(settings.log_level)
    install_redaction(secrets_of(settings.telegram_bot_token, settings.webhook_secret))
    if settings.webhook_url and not SECRET_TOKEN_RE.match(settings.webhook_secret):
        log.error("WEBHOOK_SECRET must be set in webhook mode (1-256 of A-Z a-z 0-9 _ -)")
        return 2
    service = NewsService.from_settings(settings)
    log.info("answering with %s", service.engine_description)
    try:
        if (report := service.ensure_loaded()) is not None:
            log.info("first start: loaded %d articles", report.total_articles)
    except LoadError as exc:
        log.error("could not load the articles: %s", exc)
        return 1
    application = build_application(settings, service)
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlparse(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0
