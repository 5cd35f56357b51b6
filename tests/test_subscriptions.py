"""Subscriptions in the core (bot/intake/subscriptions.py): who hears of which new article, kept in
a real SQLite file, each article told once, across reopening and between two processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.intake.subscriptions import (
    MAX_LISTED,
    SubscriptionStore,
    first_sentence,
    notices,
    subscriptions_path_for,
)
from bot.service import NewsService

ARTICLE = """---
title: {title}
date: 2024-03-0{day}
source: Test Wire
---
{title} happened on Monday, officials said. More details followed later in the week.
The story continued with a second paragraph about {title}.
"""


@pytest.fixture
def service(tmp_path: Path, articles_dir: Path) -> NewsService:
    news = NewsService(tmp_path / "kb.sqlite3", articles_dir, semantic=False)
    news.reload()
    return news


@pytest.fixture
def store(tmp_path: Path) -> SubscriptionStore:
    return SubscriptionStore(subscriptions_path_for(tmp_path / "kb.sqlite3"))


def add_article(service: NewsService, name: str, title: str, day: int = 4) -> None:
    (service.articles_dir / f"{name}.md").write_text(ARTICLE.format(title=title, day=day),
                                                     encoding="utf-8")
    assert service.reload().added == [f"{name}.md"]


def subscribe(store: SubscriptionStore, service: NewsService, chat_id: int) -> None:
    assert store.subscribe(chat_id, "private", service.newest_article_id())


def test_the_file_lies_next_to_the_knowledge_base() -> None:
    assert subscriptions_path_for("data/bot.sqlite3") == Path("data/bot.subscriptions.sqlite3")


def test_a_new_subscriber_is_not_sent_the_articles_already_loaded(
        store: SubscriptionStore, service: NewsService) -> None:
    subscribe(store, service, 1)
    assert notices(store, service) == []


def test_each_subscriber_hears_of_an_article_added_after_it_subscribed(
        store: SubscriptionStore, service: NewsService) -> None:
    subscribe(store, service, 1)
    add_article(service, "quake", "Earthquake shakes Wellington")
    subscribe(store, service, 2)  # subscribed after it: told of nothing yet
    add_article(service, "floods", "Floods close Vienna schools")
    found = {n.subscriber.chat_id: [a.title for a in n.news.articles]
             for n in notices(store, service)}
    assert found == {1: ["Earthquake shakes Wellington", "Floods close Vienna schools"],
                     2: ["Floods close Vienna schools"]}


def test_a_claimed_notice_is_not_pending_again_even_after_reopening(
        tmp_path: Path, store: SubscriptionStore, service: NewsService) -> None:
    subscribe(store, service, 1)
    add_article(service, "quake", "Earthquake shakes Wellington")
    [notice] = notices(store, service)
    assert store.claim(1, notice.subscriber.seen_up_to, notice.news.newest)
    assert not store.claim(1, notice.subscriber.seen_up_to, notice.news.newest)
    store.close()
    reopened = SubscriptionStore(subscriptions_path_for(tmp_path / "kb.sqlite3"))
    assert notices(reopened, service) == []


def test_two_processes_claiming_the_same_notice_only_one_wins(
        tmp_path: Path, store: SubscriptionStore, service: NewsService) -> None:
    other = SubscriptionStore(subscriptions_path_for(tmp_path / "kb.sqlite3"))
    subscribe(store, service, 1)
    add_article(service, "quake", "Earthquake shakes Wellington")
    [mine], [theirs] = notices(store, service), notices(other, service)
    wins = [other.claim(1, theirs.subscriber.seen_up_to, theirs.news.newest),
            store.claim(1, mine.subscriber.seen_up_to, mine.news.newest)]
    assert wins == [True, False]


def test_an_updated_article_is_not_news(store: SubscriptionStore,
                                        service: NewsService) -> None:
    subscribe(store, service, 1)
    seed = next(p for p in service.articles_dir.iterdir() if p.suffix == ".txt")
    seed.write_text(seed.read_text(encoding="utf-8") + "\nA correction was added.\n",
                    encoding="utf-8")
    assert service.reload().updated == [seed.name]
    assert notices(store, service) == []


def test_a_notice_lists_the_first_articles_and_counts_them_all(
        store: SubscriptionStore, service: NewsService) -> None:
    subscribe(store, service, 1)
    for i in range(MAX_LISTED + 2):
        (service.articles_dir / f"story{i:02}.md").write_text(
            ARTICLE.format(title=f"Story number {i}", day=5), encoding="utf-8")
    service.reload()
    [notice] = notices(store, service)
    assert notice.news.total == MAX_LISTED + 2
    assert [a.title for a in notice.news.articles] == [
        f"Story number {i}" for i in range(MAX_LISTED)]


def test_subscribing_twice_keeps_what_the_chat_was_told_and_unsubscribing_ends_it(
        store: SubscriptionStore, service: NewsService) -> None:
    subscribe(store, service, 1)
    add_article(service, "quake", "Earthquake shakes Wellington")
    assert not store.subscribe(1, "private", service.newest_article_id())
    assert len(notices(store, service)) == 1  # still to be told of the earthquake
    assert store.unsubscribe(1)
    assert not store.unsubscribe(1)
    assert notices(store, service) == []


def test_an_article_removed_before_it_was_announced_is_not_announced(
        store: SubscriptionStore, service: NewsService) -> None:
    subscribe(store, service, 1)
    add_article(service, "quake", "Earthquake shakes Wellington")
    (service.articles_dir / "quake.md").unlink()
    service.reload()
    assert notices(store, service) == []


def test_one_line_is_the_summarys_first_sentence() -> None:
    assert first_sentence("The crane fell on Friday. Rescuers searched the site all night.") == (
        "The crane fell on Friday.")
    assert first_sentence("") == ""
