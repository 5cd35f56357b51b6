"""Every button under the bot's messages, pressed the way Telegram delivers it."""

from __future__ import annotations

from tg_harness import Harness

from handlers.formatting import MAX_MESSAGE_CHARS

CRANE_QUESTION = "What caused the crane to fall in Mecca?"


async def test_summary_button_sends_the_articles_summary(tg: Harness) -> None:
    answer = await tg.say(CRANE_QUESTION)
    sent, answered = await tg.press(answer, "Summary")
    crane = next(a for a in tg.service.kb.articles() if "crane" in a.title)
    assert crane.title in sent.text
    assert crane.summary[:50] in sent.text
    assert answered.method == "answerCallbackQuery"


async def test_more_facts_button_sends_every_fact_split_under_the_limit(tg: Harness) -> None:
    answer = await tg.say("Where were the Warhol photographs exhibited?")
    assert "Warhol" in answer.text
    mark = tg.api.mark()
    await tg.press(answer, "More facts")
    warhol = next(a for a in tg.service.kb.articles() if "Warhol" in a.title)
    facts = tg.service.kb.facts_of(warhol.id)
    assert sum(len(f) for f in facts) > MAX_MESSAGE_CHARS  # so the reply must be split
    parts = await tg.api.wait_for("sendMessage", after=mark, count=2)
    shown = "\n".join(p.text for p in parts)
    assert facts[0] in shown
    assert all(len(p.text) <= MAX_MESSAGE_CHARS for p in parts)


async def test_helpful_button_stores_feedback_and_removes_the_feedback_buttons(
        tg: Harness) -> None:
    answer = await tg.say(CRANE_QUESTION)
    edited, answered = await tg.press(answer, "Helpful", method="editMessageReplyMarkup")
    assert "Thanks for your feedback" in answered.params.get("text", "")
    labels = [b["text"] for row in edited.params["reply_markup"]["inline_keyboard"]
              for b in row]
    assert not any("helpful" in label.lower() for label in labels)
    assert any("Summary" in label for label in labels)
    report = await tg.say("/stats", user=tg.admin)
    assert "1 helpful, 0 not helpful" in report.text


async def test_not_helpful_button_is_counted(tg: Harness) -> None:
    answer = await tg.say(CRANE_QUESTION)
    await tg.press(answer, "Not helpful", method="editMessageReplyMarkup")
    report = await tg.say("/stats", user=tg.admin)
    assert "0 helpful, 1 not helpful" in report.text


async def test_article_pages_go_forward_and_back(tg: Harness) -> None:
    first = await tg.say("/articles")
    second_page, _ = await tg.press(first, "Next", method="editMessageText")
    assert "Articles 11–20 of 25" in second_page.text
    labels = [b["text"] for b in second_page.buttons]
    assert labels == ["◀ Previous", "Next ▶"]
    third_page, _ = await tg.press(second_page, "Next", method="editMessageText")
    assert "Articles 21–25 of 25" in third_page.text
    assert [b["text"] for b in third_page.buttons] == ["◀ Previous"]
    back, _ = await tg.press(third_page, "Previous", method="editMessageText")
    assert "Articles 11–20 of 25" in back.text


async def test_pressing_a_page_button_twice_is_harmless(tg: Harness) -> None:
    first = await tg.say("/articles")
    await tg.press(first, "Next", method="editMessageText")
    mark = tg.api.mark()
    # The same old message pressed again: Telegram answers "message is not modified".
    tg.api.press(dict(first.result), first.buttons[0]["callback_data"], tg.user)
    await tg.api.wait_for("answerCallbackQuery", after=mark)
    refused = await tg.api.wait_for_refusal("editMessageText", after=mark)
    assert "not modified" in refused.error
    await tg.settle()
    assert tg.errors == []
    assert tg.api.calls_of("sendMessage", mark) == []  # no "something went wrong"


async def test_a_button_pressed_too_late_is_harmless(tg: Harness) -> None:
    answer = await tg.say(CRANE_QUESTION)
    sent, _ = await tg.press(answer, "Summary", expired=True)
    assert "Mecca crane collapse" in sent.text  # the summary still arrives
    await tg.settle()
    assert tg.errors == []
