"""Admins reload, upload and read statistics; everyone else is politely refused."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import threading
from pathlib import Path

import pytest
from botapi_standin import PATIENCE_S, BotAPIStandIn
from faults_support import ROOT, load_running
from telegram import Update
from tg_harness import Harness, bot_settings, running

from bot.service import NewsService

NEW_ARTICLE = """Giant tortoise found alive on Galapagos island after a century

Monday, March 4, 2024

Scientists said on Monday that a giant tortoise of the species Chelonoidis phantasticus,
believed extinct for more than a century, was found alive on Fernandina island.

The female tortoise, named Fernanda by the rangers, is thought to be over one hundred years old.

Rangers from the Galapagos National Park plan a new expedition to look for a mate for Fernanda.
"""
TORTOISE_QUESTION = "What was the giant tortoise found on Fernandina named?"


async def test_admin_reload_reports_what_changed(tg: Harness) -> None:
    (tg.articles_dir / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    progress, report = await tg.send("/reload", user=tg.admin, count=2)
    assert "Reloading" in progress.text
    assert "added 1" in report.text
    assert "tortoise.txt" in report.text
    assert "26 articles" in report.text
    answer = await tg.say(TORTOISE_QUESTION)
    assert "Fernanda" in answer.text


async def test_a_reload_whose_notice_fails_still_reports_what_changed(tg: Harness) -> None:
    (tg.articles_dir / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    tg.api.fail_next("sendMessage", 500)  # "Reloading the articles…" is lost
    [report] = await tg.send("/reload", user=tg.admin)
    assert "added 1" in report.text


async def test_a_reload_during_a_cron_load_is_queued_and_both_finish(tg: Harness) -> None:
    # A long load holds the lock; cron's `python -m bot load` and the admin's /reload queue.
    (tg.articles_dir / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    with load_running(tg.service.kb.path):
        cron = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "load", "--db", str(tg.service.kb.path),
            "--articles", str(tg.articles_dir), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        assert cron.stderr is not None
        assert (await cron.stderr.readline()).startswith(b"waiting for another load since")
        notices = await tg.send("/reload", user=tg.admin, count=2)
        mark = tg.api.mark()
    texts = sorted(notice.text for notice in notices)
    assert texts[0].startswith("Queued behind a running load (waiting for another load since")
    assert "Reloading" in texts[1]
    [report] = await tg.api.wait_for("sendMessage", after=mark)
    out, err = await asyncio.wait_for(cron.communicate(), PATIENCE_S)
    assert cron.returncode == 0, err
    reports = [out.decode(), report.text]
    assert not any("locked" in text for text in [*reports, err.decode()])
    assert sum("added 1," in text for text in reports) == 1  # whichever ran first added it
    assert all("26 articles loaded" in text for text in reports)
    assert "Fernanda" in (await tg.say(TORTOISE_QUESTION)).text


async def test_non_admin_reload_is_refused_logged_and_changes_nothing(
        tg: Harness, caplog: pytest.LogCaptureFixture) -> None:
    (tg.articles_dir / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    refusal = await tg.say("/reload")
    assert "only the bot's admins" in refusal.text
    await tg.settle()  # the handler has returned: a reload after the refusal would show
    assert tg.service.kb.article_count() == 25
    assert "refused /reload for non-admin user 2002" in caplog.text


async def test_failed_reload_says_why_and_old_articles_keep_answering(tg: Harness) -> None:
    shutil.rmtree(tg.articles_dir)
    _, failure = await tg.send("/reload", user=tg.admin, count=2)
    assert "Reload failed" in failure.text
    assert "not found" in failure.text
    assert "previous articles are still being served" in failure.text
    answer = await tg.say("What caused the crane to fall in Mecca?")
    assert "crane" in answer.text
    assert tg.service.kb.article_count() == 25


async def test_reload_report_lists_files_that_failed(tg: Harness) -> None:
    (tg.articles_dir / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    _, report = await tg.send("/reload", user=tg.admin, count=2)
    assert "failed 1" in report.text
    assert "broken.txt" in report.text


async def test_a_slow_reload_does_not_stall_answers(tg: Harness) -> None:
    held = threading.Event()
    release = threading.Event()

    def hold_the_reload_lock() -> None:
        with tg.service._reload_lock:
            held.set()
            release.wait(PATIENCE_S)

    holder = threading.Thread(target=hold_the_reload_lock)
    holder.start()
    try:
        assert held.wait(PATIENCE_S)
        mark = tg.api.mark()
        await tg.say("/reload", user=tg.admin)  # "Reloading…", then it waits on the lock
        answer = await tg.say("What caused the crane to fall in Mecca?")
        assert "crane" in answer.text
        reports = [c for c in tg.api.calls_of("sendMessage", mark) if "Reload" in c.text
                   and "finished" in c.text]
        assert reports == []  # the reload is still waiting, yet the question was answered
    finally:
        release.set()
        holder.join()
    await tg.api.wait_for("sendMessage", after=mark, where=lambda c: "finished" in c.text)


async def test_edited_message_never_triggers_reload(tg: Harness) -> None:
    (tg.articles_dir / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    edited = tg.api.message("/reload", tg.admin, tg.admin_chat)
    edited["edit_date"] = edited["date"]
    mark = tg.api.mark()
    await tg.app.process_update(
        Update.de_json({"update_id": 999, "edited_message": edited}, tg.app.bot))
    await tg.silence(tg.admin_chat, mark)
    assert tg.service.kb.article_count() == 25


async def test_admin_upload_adds_the_article_and_it_answers(tg: Harness) -> None:
    document = tg.api.add_file("Tortoise news!.txt", NEW_ARTICLE.encode())
    reply = await tg.say(None, user=tg.admin, document=document)
    assert "Saved as upload_Tortoise_news.txt" in reply.text
    assert "added 1" in reply.text
    assert (tg.articles_dir / "upload_Tortoise_news.txt").read_text() == NEW_ARTICLE
    answer = await tg.say(TORTOISE_QUESTION)
    assert "Fernanda" in answer.text


async def test_upload_with_a_path_in_its_name_stays_in_the_folder(tg: Harness) -> None:
    document = tg.api.add_file("../../etc/_evil.md", NEW_ARTICLE.encode())
    reply = await tg.say(None, user=tg.admin, document=document)
    assert "Saved as upload_evil.md" in reply.text
    assert (tg.articles_dir / "upload_evil.md").exists()


async def test_upload_of_an_unsupported_file_is_refused(tg: Harness) -> None:
    document = tg.api.add_file("virus.exe", b"MZ\x90\x00")
    reply = await tg.say(None, user=tg.admin, document=document)
    assert "can't add that file" in reply.text
    assert ".txt" in reply.text
    assert not any(p.suffix == ".exe" for p in tg.articles_dir.iterdir())


async def test_upload_over_the_size_limit_is_refused(tg: Harness) -> None:
    document = tg.api.add_file("huge.txt", b"word " * 300_000)
    reply = await tg.say(None, user=tg.admin, document=document)
    assert "over 1,000,000 bytes" in reply.text
    assert not (tg.articles_dir / "upload_huge.txt").exists()


async def test_upload_by_a_non_admin_is_refused(tg: Harness) -> None:
    document = tg.api.add_file("tortoise.txt", NEW_ARTICLE.encode())
    reply = await tg.say(None, document=document)
    assert "only the bot's admins" in reply.text
    assert not (tg.articles_dir / "upload_tortoise.txt").exists()


async def test_stats_counts_questions_answers_and_unanswered(tg: Harness) -> None:
    await tg.say("What caused the crane to fall in Mecca?")
    await tg.say("What is the recipe for Hungarian goulash?")
    await tg.say("what is the recipe for hungarian goulash?")
    report = await tg.say("/stats", user=tg.admin)
    assert "Articles: 25" in report.text
    assert "Questions asked: 3" in report.text
    assert "Answered: 1 (33%)" in report.text
    assert "2× What is the recipe for Hungarian goulash?" in report.text
    assert "Engine: words + static vectors + MiniLM re-rank" in report.text


async def test_stats_says_when_answers_come_without_minilm(
        api: BotAPIStandIn, tmp_path: Path, loaded_template: tuple[Path, Path]) -> None:
    """A bot that lost MiniLM (not installed, or SEMANTIC=0) answers worse: the admin sees it."""
    articles, db = loaded_template
    shutil.copy(db, tmp_path / "kb.sqlite3")
    shutil.copytree(articles, tmp_path / "articles")
    service = NewsService(tmp_path / "kb.sqlite3", tmp_path / "articles", semantic=False)
    async with running(api, service, bot_settings(api, tmp_path)) as tg:
        report = await tg.say("/stats", user=tg.admin)
    assert "Engine: words + static vectors (no MiniLM re-rank" in report.text


async def test_stats_is_for_admins_only(tg: Harness) -> None:
    reply = await tg.say("/stats")
    assert "only the bot's admins" in reply.text
    assert "Questions asked" not in reply.text


async def test_stats_during_a_reload_count_one_version_of_the_articles(
        tg: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reload commits between /stats counting the articles and counting the facts: the
    two numbers still come from one version (not 25 articles with 26 articles' facts)."""
    (tg.articles_dir / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    before = tg.service.stats()
    reloaded = threading.Event()
    count_facts = tg.service.kb.fact_count

    def reload_then_count_facts() -> int:
        """The first count of facts waits for a reload to commit (on a connection of its
        own), after the articles were counted."""
        if not reloaded.is_set():
            reloaded.set()
            reload = threading.Thread(target=tg.service.reload)
            reload.start()
            reload.join()
        return count_facts()

    # Patched on the object, not on its connections: which thread (and so which
    # connection) the handler counts on is the executor's choice.
    monkeypatch.setattr(tg.service.kb, "fact_count", reload_then_count_facts)
    report = await tg.say("/stats", user=tg.admin)
    after = tg.service.stats()
    assert reloaded.is_set()
    assert after.articles == before.articles + 1
    shown = tuple(int(n) for n in re.findall(r"(?:Articles|Facts): (\d+)", report.text))
    assert shown in {(before.articles, before.facts), (after.articles, after.facts)}
