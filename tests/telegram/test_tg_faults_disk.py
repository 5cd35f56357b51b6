"""Disk full and a read-only database folder while the bot runs: the admin is told why,
the old articles keep answering, and questions are answered even when they cannot be logged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils
from faults_support import write_corpus
from tg_harness import Harness

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "What caused the crane to fall in Mecca?"
NEW_ARTICLE = """Giant tortoise found alive on Galapagos island after a century

Monday, March 4, 2024

Scientists said on Monday that a giant tortoise of the species Chelonoidis phantasticus,
believed extinct for more than a century, was found alive on Fernandina island.

The female tortoise, named Fernanda by the rangers, is thought to be over one hundred years old.
"""
NEW_QUESTION = "What was the giant tortoise found on Fernandina named?"


Connect = Callable[[], sqlite_utils.Database]


def page_limited(connect: Connect) -> Connect:
    """Connections that SQLite will not let grow the file: 'database or disk is full'."""

    def full_connect() -> sqlite_utils.Database:
        db = connect()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {int(pages)}")
        return db

    return full_connect


async def test_disk_full_during_reload_tells_the_admin_and_old_articles_answer(
        tg: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    (tg.articles_dir / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    write_corpus(tg.articles_dir, 60, version=0)  # more than the file's free pages hold
    monkeypatch.setattr(tg.service.kb, "connect", page_limited(tg.service.kb.connect))
    progress, failure = await tg.send("/reload", user=tg.admin, count=2)
    assert "Reloading" in progress.text
    assert "Reload failed" in failure.text
    assert "database or disk is full" in failure.text
    assert "previous articles are still being served" in failure.text
    assert "crane" in (await tg.say(QUESTION)).text
    assert "Fernanda" not in (await tg.say(NEW_QUESTION)).text
    assert tg.service.kb.article_count() == 25

    monkeypatch.undo()  # space freed: the next reload goes through
    _, report = await tg.send("/reload", user=tg.admin, count=2)
    assert "added 61" in report.text
    assert "Fernanda" in (await tg.say(NEW_QUESTION)).text


async def test_questions_are_answered_when_the_usage_log_cannot_be_written(
        tg: Harness) -> None:
    rated_later = await tg.say(QUESTION)  # logged: it has feedback buttons
    usage = tg.app.bot_data["core"].usage
    usage._conn.execute("PRAGMA query_only = ON")  # every write now fails inside SQLite
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        usage.record_question("can the log still be written?", answered=False)
    for _ in range(3):
        answer = await tg.say(QUESTION)
        assert "crane" in answer.text
        assert not any("fb:" in b["callback_data"] for b in answer.buttons)  # nothing to rate
    reaction, _ = await tg.press(rated_later, "Helpful", method="answerCallbackQuery")
    assert "could not save" in reaction.params.get("text", "")
