"""Command line: load, fetch, ask, chat, articles, latest and run; a thin layer over the
core."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.answer.answers import Answer
from bot.config.settings import Settings
from bot.ingest.fetching import FetchLimits
from bot.intake.feeds import read_feeds
from bot.intake.links import add_links
from bot.progress import progress_bar
from bot.rendering import Found, NotFound, ShownFact, SmallTalk, answer_view, one_line, shown_date
from bot.service import NewsService
from bot.store.feed_state import feed_state_path_for
from bot.store.loading import LoadError, LoadReport

PROMPT = "you> "
LATEST_COUNT = 10
BOLD, RESET = "\033[1m", "\033[0m"  # ANSI: what a terminal shows as bold


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--db", type=Path, help="SQLite file (default: DATABASE_PATH)")
        return sub

    load = add("load", "read the articles folder into the knowledge base and print the report")
    load.add_argument("--articles", type=Path, help="articles folder (default: ARTICLES_DIR)")
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    fetch = add("fetch", "fetch web pages as articles into the articles folder, then load it")
    fetch.add_argument("--articles", type=Path, help="articles folder (default: ARTICLES_DIR)")
    fetch.add_argument("--feeds", action="store_true",
                       help="read the FEEDS setting's feeds and fetch their new entries "
                            "(for cron) instead of URLs")
    fetch.add_argument("url", nargs="*", help="http(s) links of article pages")
    ask = add("ask", "answer a question (or one per line from stdin)")
    ask.add_argument("--json", action="store_true", help="print JSON (JSON lines for stdin)")
    ask.add_argument("--conversation", action="store_true",
                     help="stdin lines are one conversation (follow-ups read in its topic); "
                          "an empty line starts a new one")
    ask.add_argument("question", nargs="*", help="the question; omit to read stdin")
    add("chat", "talk to the bot in this console")
    add("articles", "list the loaded articles")
    latest = add("latest", "list the newest articles by date, newest first")
    latest.add_argument("-n", "--count", type=positive, default=LATEST_COUNT,
                        help=f"how many (default {LATEST_COUNT})")
    add("run", "run the Telegram bot (console chat when there is no token)")
    return parser


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def load_env_file(path: Path = Path(".env")) -> dict[str, str]:
    """The process environment over `.env` (read once here, never at import time)."""
    env: dict[str, str] = {}
    if path.is_file():
        from dotenv import dotenv_values

        env.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    env.update(os.environ)
    return env


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "fetch" and bool(args.url) == args.feeds:
        parser.error("fetch takes either URLs or --feeds")
    try:
        settings = Settings.from_env(load_env_file()).with_overrides(
            database_path=args.db, articles_dir=getattr(args, "articles", None)
        )
    except ValueError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "run" and settings.telegram_bot_token:
        from handlers.app import run  # Telegram is imported only when the bot really runs

        return run(settings)
    try:
        return run_command(args, settings)
    except (sqlite3.Error, RuntimeError) as exc:
        print(f"cannot use the database {settings.database_path}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Open the core and run one command (errors are turned into messages by main)."""
    if args.command == "load":  # answers nothing: without the embedding model's ~200 MB
        settings = settings.with_overrides(semantic=False)
    # The CLI's conversations live in memory: forgotten at exit, no file next to the base.
    service = NewsService.from_settings(settings, in_memory=True)
    try:
        if args.command == "load":
            return cmd_load(service, args.json)
        if args.command == "fetch" and args.feeds:
            return cmd_fetch_feeds(service, settings)
        if args.command == "fetch":
            return cmd_fetch(service, args.url, FetchLimits.from_settings(settings))
        if (report := service.ensure_loaded()) is not None:
            print(f"first start: loaded {report.total_articles} articles from "
                  f"{service.articles_dir}", file=sys.stderr)
    except LoadError as exc:
        print(f"load failed: {exc}", file=sys.stderr)
        return 1
    if args.command == "ask":
        return cmd_ask(service, " ".join(args.question), args.json, args.conversation)
    if args.command == "run":
        return run_without_token(service)
    if args.command == "chat":
        return chat(service)
    if args.command == "latest":
        return cmd_latest(service, args.count)
    return cmd_articles(service)


def cmd_load(service: NewsService, as_json: bool) -> int:
    """Print the load report; exit 1 when nothing could be read."""
    progress = progress_bar("loading") if sys.stderr.isatty() else None
    report: LoadReport = service.reload(progress, waiting=say)
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print("\n".join(report.lines()))
    return 0 if report.total_articles else 1


def say(message: str) -> None:
    """A line for the person at the console, on stderr (stdout carries the report)."""
    print(message, file=sys.stderr, flush=True)


def cmd_fetch(service: NewsService, urls: list[str], limits: FetchLimits) -> int:
    """Fetch the pages, load them and print the report; exit 1 when none could be fetched."""
    report = add_links(service, urls, limits)
    print("\n".join(report.lines()))
    return 0 if report.saved else 1


def cmd_fetch_feeds(service: NewsService, settings: Settings) -> int:
    """Read the feeds once, load what they brought and print the report; exit 1 when every
    feed failed (a page failing is not a failed run: it is tried again next time)."""
    if not settings.feeds:
        print("FEEDS is not set: put the feeds' URLs in it (see .env.example)", file=sys.stderr)
        return 2
    report = read_feeds(service, settings.feeds, feed_state_path_for(settings.database_path),
                        FetchLimits.from_settings(settings))
    print("\n".join(report.lines()))
    return 1 if report.all_failed else 0


STDIN_CONVERSATION = "stdin"
CONSOLE_CONVERSATION = "console"
NEW_COMMAND = "/new"


def cmd_ask(service: NewsService, question: str, as_json: bool,
            conversation: bool = False) -> int:
    """Answer the question, or each stdin line as it arrives with exactly one line per
    line read (a blank line too), so that a tool can pair its questions with the answers.

    `conversation`: the lines are turns of one conversation; a blank line (answered as
    without the flag) ends it, so the next line starts afresh."""
    if question.strip():
        print(render(service.ask(question), as_json))
        return 0
    key = STDIN_CONVERSATION if conversation else None
    for line in sys.stdin:
        line = line.rstrip("\r\n")
        if key and not line.strip():
            service.forget(key)
        text = render(service.ask(line, conversation=key), as_json)
        print(" ".join(part.strip() for part in text.splitlines() if part.strip()), flush=True)
    return 0


def render(answer: Answer, as_json: bool) -> str:
    if as_json:
        return json.dumps(answer.to_dict(), ensure_ascii=False)
    return format_answer(answer)


def format_answer(answer: Answer, bold: bool = False) -> str:
    """Plain-text answer: the parts bot.rendering shows, as the console prints them;
    `bold` marks the part of each fact that answers the question for a terminal."""
    match answer_view(answer):
        case SmallTalk(text):
            return text
        case NotFound(suggestions):
            text = "I could not find that in my articles."
            if suggestions:
                text += " Closest articles:\n" + "\n".join(f"  - {t}" for t in suggestions)
            return text
        case Found() as found:
            return "\n".join(found_lines(found, bold))


def found_lines(found: Found, bold: bool = False) -> list[str]:
    """An answer's lines: the hedge, each fact after its context, summary, source."""
    lines = ["I'm not sure, but this may answer it:"] if found.hedged else []
    for fact in found.facts:
        if fact.context:
            lines.append(fact.context)
        lines.append(marked_text(fact) if bold else fact.text)
        if fact.article_title is not None:
            label = f" ({fact.article_label})" if fact.article_label else ""
            lines.append(f"  — {fact.article_title}{label}")
    if found.summary:
        lines.append(f"Summary: {found.summary}")
    if found.source_url:
        lines.append(f"Source: {found.source_url}")
    lines.append(f"(confidence {found.confidence:.0%})")
    return lines


def marked_text(fact: ShownFact) -> str:
    """The fact with the part that answers the question in terminal bold (as Telegram shows
    it); only on a terminal, so pipes and `ask` keep plain text."""
    before, span, after = fact.parts()
    return f"{before}{BOLD}{span}{RESET}{after}" if span else fact.text


def chat(service: NewsService) -> int:
    """Interactive console: the bot's answers, without Telegram; one conversation, so
    follow-ups work as in a private chat, forgotten on /new and at exit."""
    count = service.stats().articles
    print(f"Ask me about the news ({count} articles loaded). Follow-up questions continue "
          f"the last answer; {NEW_COMMAND} starts afresh. Empty line or Ctrl-D to quit.")
    bold = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    while True:
        try:
            question = input(PROMPT)
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question.strip():
            return 0
        if question.strip().lower() == NEW_COMMAND:
            service.forget(CONSOLE_CONVERSATION)
            print("Starting afresh: your next question is read on its own.", end="\n\n")
            continue
        answer = service.ask(question, conversation=CONSOLE_CONVERSATION)
        print(format_answer(answer, bold), end="\n\n")


NO_TOKEN_HELP = """No TELEGRAM_BOT_TOKEN is set, so the Telegram bot cannot start.
To get a token: open Telegram, talk to @BotFather, send /newbot and follow its steps;
then put TELEGRAM_BOT_TOKEN=<the token> in .env (see .env.example) and run again."""


def run_without_token(service: NewsService) -> int:
    """Explain how to get a token; offer the console chat when someone is at the keyboard."""
    print(NO_TOKEN_HELP, file=sys.stderr)
    if not sys.stdin.isatty():
        return 2
    print("\nMeanwhile, here is the same bot in this console.\n", file=sys.stderr)
    return chat(service)


def cmd_articles(service: NewsService) -> int:
    for number, article in enumerate(service.articles().articles, 1):
        date = f" ({shown})" if (shown := shown_date(article.date)) else ""
        print(f"{number:>3}. {article.title}{date}")
    return 0


def cmd_latest(service: NewsService, count: int) -> int:
    """The newest `count` articles: date and title, the summary on the line below."""
    page = service.latest(count)
    for article in page.articles:
        print(f"{shown_date(article.date):>11}  {article.title}")
        if article.summary:
            print(f"{'':11}  {one_line(article.summary)}")
    if page.undated:
        print(f"(not listed: {page.undated} without a date; `articles` lists every article)")
    if not page.articles and not page.undated:
        print("no articles are loaded")
    return 0
