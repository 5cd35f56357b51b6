"""Commands and questions in a private chat, through the real Application."""

from __future__ import annotations

from tg_harness import Harness

from handlers.app import ALLOWED_UPDATES


async def test_start_says_what_the_bot_knows_and_how_to_ask(tg: Harness) -> None:
    reply = await tg.say("/start")
    assert "25 articles" in reply.text
    assert "/ask" in reply.text
    assert "/articles" in reply.text
    assert reply.params["parse_mode"] == "HTML"


async def test_help_lists_a_few_titles(tg: Harness) -> None:
    reply = await tg.say("/help")
    first_titles = [a.title for a in tg.service.kb.articles(limit=3)]
    assert all(title in reply.text for title in first_titles)
    assert "@newsbot_test" in reply.text


async def test_start_publishes_the_command_menu_and_asks_for_handled_updates(
        tg: Harness) -> None:
    menus = tg.api.calls_of("setMyCommands")
    user_menu = [c["command"] for c in menus[0].params["commands"]]
    assert {"help", "ask", "articles", "summary", "facts"} <= set(user_menu)
    assert "reload" not in user_menu
    admin_menu = next(c for c in menus if c.params.get("scope"))
    assert admin_menu.params["scope"] == {"type": "chat", "chat_id": 1001}
    assert "reload" in [c["command"] for c in admin_menu.params["commands"]]
    await tg.say("/help")
    assert tg.api.allowed_updates_seen
    assert all(sorted(seen) == sorted(ALLOWED_UPDATES) for seen in tg.api.allowed_updates_seen)


async def test_plain_question_gets_the_fact_its_article_and_buttons(tg: Harness) -> None:
    reply = await tg.say("What caused the crane to fall in Mecca?")
    assert "crane" in reply.text
    assert "killed in Mecca crane collapse" in reply.text  # the article's title
    assert "Summary:" in reply.text
    labels = [b["text"] for b in reply.buttons]
    assert any("Summary" in label for label in labels)
    assert any("More facts" in label for label in labels)
    assert any("Helpful" in label for label in labels)
    assert any("Not helpful" in label for label in labels)


async def test_a_summary_that_repeats_the_fact_is_left_out(tg: Harness) -> None:
    """A one-sentence article's summary is its only fact: shown once, as the console does
    (tests/test_cli.py)."""
    fact = "A giant tortoise was found alive on Fernandina island on Monday."
    (tg.articles_dir / "tortoise.txt").write_text(f"Tortoise found\n\n{fact}\n", "utf-8")
    tg.service.reload()
    reply = await tg.say("Where was the giant tortoise found?")
    assert reply.text.count(fact) == 1
    assert "Summary:" not in reply.text
    assert "Tortoise found" in reply.text


async def test_question_with_typos_is_still_answered(tg: Harness) -> None:
    reply = await tg.say("When did NASA lanch the first shutle?")
    assert "shuttle" in reply.text
    assert "NASA" in reply.text


async def test_question_the_articles_cannot_answer_is_declined_politely(tg: Harness) -> None:
    reply = await tg.say("What is the recipe for Hungarian goulash?")
    assert "could not find that in my articles" in reply.text
    assert "closest articles" in reply.text or "/articles" in reply.text  # where to look next
    assert reply.buttons == []


async def test_ask_command_answers_and_explains_itself_when_empty(tg: Harness) -> None:
    reply = await tg.say("/ask What caused the crane to fall in Mecca?")
    assert "Mecca" in reply.text
    empty = await tg.say("/ask")
    assert "Put your question after the command" in empty.text


async def test_articles_lists_the_first_page_with_a_next_button(tg: Harness) -> None:
    reply = await tg.say("/articles")
    assert "Articles 1–10 of 25" in reply.text
    first = tg.service.kb.articles(limit=1)[0]
    assert f"1. {first.title}" in reply.text
    assert [b["text"] for b in reply.buttons] == ["Next ▶"]


async def test_summary_by_number_and_by_title_words(tg: Harness) -> None:
    second = tg.service.kb.articles(limit=1, offset=1)[0]
    by_number = await tg.say("/summary 2")
    assert second.title in by_number.text
    assert second.summary[:40] in by_number.text
    by_words = await tg.say("/summary mecca crain")  # fuzzy: one typo
    assert "Mecca crane collapse" in by_words.text


async def test_summary_without_a_match_or_argument_is_explained(tg: Harness) -> None:
    missing = await tg.say("/summary zzyzx qwertyuiop")
    assert "no article matching" in missing.text
    assert "/articles" in missing.text
    bare = await tg.say("/summary")
    assert "Which article?" in bare.text
    out_of_range = await tg.say("/facts 99")
    assert "no article matching" in out_of_range.text


async def test_facts_lists_key_facts_of_the_article(tg: Harness) -> None:
    reply = await tg.say("/facts crane")
    assert "Key facts" in reply.text
    assert "Mecca crane collapse" in reply.text
    crane = next(a for a in tg.service.kb.articles() if "crane" in a.title)
    key_facts = tg.service.kb.key_facts(crane.id) or tg.service.kb.facts_of(crane.id)
    assert key_facts[0] in reply.text


async def test_unknown_command_points_to_help(tg: Harness) -> None:
    reply = await tg.say("/frobnicate")
    assert "/help" in reply.text
