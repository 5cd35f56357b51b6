"""Subscriptions through the real Application: /subscribe and /unsubscribe, one notice per
load that adds articles, none resent after a restart or a crash, blocked chats dropped."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

from botapi_standin import PATIENCE_S, BotAPIStandIn, Call
from tg_harness import (
    ROOT,
    TOKEN,
    Harness,
    bot_settings,
    make_user,
    running,
)

from bot.intake.subscriptions import SubscriptionStore, first_sentence, subscriptions_path_for
from bot.service import NewsService
from handlers.subscriptions import CONCURRENT_NOTICES, announce

ARTICLE = ("Giant tortoise found alive on {island} after a century\n\nMonday, March 4, 2024\n\n"
           "Scientists said on Monday that a giant tortoise believed extinct for more than a "
           "century was found alive on {island}. The rangers were delighted.\n\n"
           "The female tortoise, named Fernanda by the rangers, is thought to be over one "
           "hundred years old.\n")
SUPERGROUP_ID = -100900


def write_article(folder: Path, island: str) -> str:
    """A new article file; returns its title."""
    (folder / f"tortoise_{island.lower()}.txt").write_text(ARTICLE.format(island=island),
                                                           encoding="utf-8")
    return f"Giant tortoise found alive on {island} after a century"


def to_chat(chat: dict) -> object:
    return lambda c: str(c.params.get("chat_id")) == str(chat["id"])


def sent_to(api: BotAPIStandIn, chat: dict, after: int = 0) -> list[Call]:
    """Every message the bot sent (or tried to send) to `chat`."""
    return [c for c in api.calls_of("sendMessage", after) if to_chat(chat)(c)]


async def notice_to(api: BotAPIStandIn, chat: dict, after: int) -> Call:
    """The first notice of new articles sent to `chat` after `after`."""
    return (await api.wait_for("sendMessage", after=after, where=lambda c: (
        to_chat(chat)(c) and "new article" in c.text)))[0]


async def reload(tg: Harness) -> None:
    """An admin's /reload, and everything it set off (the notices included) finished."""
    await tg.send("/reload", user=tg.admin, count=2)
    await tg.settle()


async def test_a_subscriber_gets_one_notice_per_load_that_adds_articles(tg: Harness) -> None:
    reply = await tg.say("/subscribe")
    assert "Subscribed" in reply.text
    mark = tg.api.mark()
    title = write_article(tg.articles_dir, "Fernandina")
    await reload(tg)
    [notice] = sent_to(tg.api, tg.private, mark)
    assert title in notice.text
    assert "1 new article" in notice.text
    summary = tg.service.find_article(title).summary  # type: ignore[union-attr]
    assert first_sentence(summary) in notice.text
    assert summary not in notice.text  # its first sentence only
    mark = tg.api.mark()
    await reload(tg)  # nothing new
    assert sent_to(tg.api, tg.private, mark) == []


async def test_nothing_is_resent_after_a_restart(api: BotAPIStandIn, tg_service: NewsService,
                                                 tmp_path: Path) -> None:
    settings = bot_settings(api, tmp_path)
    async with running(api, tg_service, settings) as tg:
        await tg.say("/subscribe")
        first = write_article(tg.articles_dir, "Fernandina")
        await reload(tg)
        assert len(sent_to(api, tg.private)) == 2  # the reply, the notice
    mark = api.mark()
    restarted = NewsService(settings.database_path, settings.articles_dir)
    async with running(api, restarted, settings) as tg:
        second = write_article(tg.articles_dir, "Isabela")
        await reload(tg)  # waits for the start-up run: one run at a time
        [notice] = sent_to(api, tg.private, mark)
    assert second in notice.text
    assert first not in notice.text


async def test_a_blocked_subscriber_is_dropped_and_the_others_get_theirs(tg: Harness) -> None:
    await tg.say("/subscribe")
    await tg.say("/subscribe", user=tg.admin)
    tg.api.block(tg.private)
    mark = tg.api.mark()
    title = write_article(tg.articles_dir, "Fernandina")
    await tg.send("/reload", user=tg.admin, count=3)  # notice, report, and its own notice
    [refused] = sent_to(tg.api, tg.private, mark)
    assert (refused.ok, refused.error) == (False, "Forbidden: bot was blocked by the user")
    assert title in (await notice_to(tg.api, tg.admin_chat, mark)).text
    mark = tg.api.mark()
    write_article(tg.articles_dir, "Isabela")
    await tg.send("/reload", user=tg.admin, count=3)
    await tg.settle()
    assert sent_to(tg.api, tg.private, mark) == []  # not even tried: it was dropped


async def test_unsubscribe_stops_the_notices(tg: Harness) -> None:
    await tg.say("/subscribe")
    reply = await tg.say("/unsubscribe")
    assert "Unsubscribed" in reply.text
    mark = tg.api.mark()
    write_article(tg.articles_dir, "Fernandina")
    await reload(tg)
    assert sent_to(tg.api, tg.private, mark) == []
    again = await tg.say("/unsubscribe")
    assert "not subscribed" in again.text


async def test_only_a_groups_admins_can_subscribe_it(tg: Harness) -> None:
    refusal = await tg.say("/subscribe", chat=tg.group)  # Bob is a plain member
    assert "only this group's admins" in refusal.text
    mark = tg.api.mark()
    write_article(tg.articles_dir, "Fernandina")
    await reload(tg)
    assert sent_to(tg.api, tg.group, mark) == []
    cleo = make_user(3003, "Cleo")
    tg.api.member(tg.group, cleo, "administrator")
    assert "Subscribed" in (await tg.say("/subscribe", user=cleo, chat=tg.group)).text
    refusal = await tg.say("/unsubscribe", chat=tg.group)
    assert "only this group's admins" in refusal.text
    mark = tg.api.mark()
    title = write_article(tg.articles_dir, "Isabela")
    await reload(tg)
    [notice] = sent_to(tg.api, tg.group, mark)
    assert title in notice.text


async def test_an_anonymous_group_admin_can_subscribe_the_group(tg: Harness) -> None:
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                 "username": "GroupAnonymousBot"}
    mark = tg.api.mark()
    tg.api.push({"message": tg.api.message("/subscribe", anonymous, tg.group,
                                           sender_chat=tg.group)})
    [reply] = await tg.api.wait_for("sendMessage", after=mark, where=to_chat(tg.group))
    assert "Subscribed" in reply.text


async def test_a_group_that_became_a_supergroup_keeps_its_subscription(tg: Harness) -> None:
    group = tg.api.chat(-4242, "group", title="Old group")
    tg.api.member(group, tg.user, "creator")
    await tg.say("/subscribe", chat=group)
    supergroup = tg.api.migrate(group, SUPERGROUP_ID)
    mark = tg.api.mark()
    title = write_article(tg.articles_dir, "Fernandina")
    await reload(tg)
    [notice] = [c for c in sent_to(tg.api, supergroup, mark) if c.ok]
    assert title in notice.text
    mark = tg.api.mark()
    write_article(tg.articles_dir, "Isabela")
    await reload(tg)
    assert sent_to(tg.api, group, mark) == []  # straight to the new id now
    assert len(sent_to(tg.api, supergroup, mark)) == 1


async def test_a_notice_of_many_long_titled_articles_is_one_message(tg: Harness) -> None:
    await tg.say("/subscribe")
    mark = tg.api.mark()
    for i in range(12):
        (tg.articles_dir / f"long{i:02}.md").write_text(
            f"---\ntitle: {'Very long headline & <more> ' * 12}{i}\nsource: {'Wire ' * 20}\n"
            f"---\n{'A long first sentence of many words ' * 20}ends here. Then more.\n",
            encoding="utf-8")
    await reload(tg)
    [notice] = sent_to(tg.api, tg.private, mark)
    assert notice.ok
    assert "12 new articles" in notice.text
    assert "and 2 more" in notice.text
    assert "<more>" in notice.text  # escaped, shown as written


async def test_articles_loaded_by_another_process_are_announced(
        api: BotAPIStandIn, tg_service: NewsService, tmp_path: Path) -> None:
    settings = bot_settings(api, tmp_path, subscription_check_seconds=1)
    async with running(api, tg_service, settings) as tg:
        await tg.say("/subscribe")
        mark = api.mark()
        title = write_article(tg.articles_dir, "Fernandina")
        await cli_load(settings.database_path, settings.articles_dir)
        notice = await notice_to(api, tg.private, mark)
        assert title in notice.text


async def cli_load(db: Path, articles: Path) -> None:
    """`python -m bot load`, as cron would run it beside the bot."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "load", "--db", str(db), "--articles", str(articles),
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    assert await asyncio.wait_for(process.wait(), PATIENCE_S) == 0


async def test_a_crash_mid_way_sends_the_rest_once_at_the_next_start(
        api: BotAPIStandIn, tg_service: NewsService, tmp_path: Path) -> None:
    settings = bot_settings(api, tmp_path)
    # More subscribers than notices on their way at once: at the crash some notices are with
    # Telegram, the rest not begun.
    chats = [api.chat(5000 + n, user=make_user(5000 + n, f"Reader {n}"))
             for n in range(CONCURRENT_NOTICES + 3)]
    store = SubscriptionStore(subscriptions_path_for(settings.database_path))
    for chat in chats:
        store.subscribe(chat["id"], chat["type"], tg_service.newest_article_id())
    store.close()
    title = write_article(settings.articles_dir, "Fernandina")
    tg_service.reload()  # loaded while the bot was down
    api.inject("sendMessage", "hold", times=len(chats))  # notices wait; the bot is killed
    await kill_while_held(api, settings.database_path, settings.articles_dir,
                          CONCURRENT_NOTICES)
    held = {str(call.params["chat_id"]) for call in api.holding}
    api.release_held()  # Telegram had them: those subscribers got their notices
    await api.wait_for("sendMessage", count=len(held))
    mark = api.mark()
    async with running(api, NewsService(settings.database_path, settings.articles_dir),
                       settings) as tg:
        for chat in chats:
            if str(chat["id"]) not in held:
                await notice_to(api, chat, mark)
        assert (await announce(tg.app)).sent == 0
    assert [len(sent_to(api, chat)) for chat in chats] == [1] * len(chats)
    assert all(title in c.text for chat in chats for c in sent_to(api, chat))


async def kill_while_held(api: BotAPIStandIn, db: Path, articles: Path, count: int) -> None:
    """Start `python -m bot run`; SIGKILL it once `count` of its notices are on the way."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.base_url,
           "DATABASE_PATH": str(db), "ARTICLES_DIR": str(articles), "SEMANTIC": "0",
           "WEBHOOK_URL": "", "PYTHONPATH": str(ROOT)}
    log = (db.parent / "bot.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=db.parent, env=env,
        stdout=log, stderr=log)
    try:
        await api.wait_held(count=count)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
        log.close()


async def test_a_subscription_that_cannot_be_saved_says_so(tg: Harness) -> None:
    path = subscriptions_path_for(tg.service.kb.path)
    with sqlite3.connect(path) as conn:  # a damaged file: the table is gone
        conn.execute("DROP TABLE subscribers")
    conn.close()
    reply = await tg.say("/subscribe")
    assert "could not save that" in reply.text
    reply = await tg.say("/unsubscribe")
    assert "could not save that" in reply.text
