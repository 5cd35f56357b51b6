"""The Telegram-free helpers the bot uses: usage log, article lookup, safe upload names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.answer.lookup import best_matches
from bot.ingest.uploads import UploadError, safe_article_name, save_upload
from bot.service import NewsService
from bot.store.usage import UsageLog, usage_path_for


def test_usage_log_lives_next_to_the_knowledge_base() -> None:
    assert usage_path_for(Path("data/bot.sqlite3")) == Path("data/bot.usage.sqlite3")


def test_usage_stats_count_questions_feedback_and_top_unanswered(tmp_path: Path) -> None:
    log = UsageLog(tmp_path / "usage.sqlite3")
    try:
        first = log.record_question("Who won?", answered=True)
        for text in ["capital of Mongolia?", "Capital of  Mongolia?", "goulash?"]:
            log.record_question(text, answered=False)
        assert log.record_feedback(first, helpful=True)
        assert not log.record_feedback(9999, helpful=False)
        stats = log.stats()
    finally:
        log.close()
    assert (stats.questions, stats.answered) == (4, 1)
    assert (stats.helpful, stats.not_helpful) == (1, 0)
    assert stats.top_unanswered[0][1] == 2
    assert stats.top_unanswered[0][0].lower() == "capital of mongolia?"
    columns = " ".join(str(c) for c in stats.top_unanswered)
    assert "2002" not in columns  # no user ids are ever stored


def test_find_article_by_number_typo_and_nonsense(tg_service: NewsService) -> None:
    first = tg_service.kb.articles(limit=1)[0]
    assert tg_service.find_article("1") == first
    assert tg_service.find_article("0") is None
    found = tg_service.find_article("crain")
    assert found is not None
    assert "crane" in found.title
    assert tg_service.find_article("zzyzx qwertyuiop") is None


def test_title_lookups_read_the_titles_once_per_knowledge_base_generation(
        tg_service: NewsService) -> None:
    statements: list[str] = []
    tg_service.kb.db.conn.set_trace_callback(statements.append)

    def whole_list_reads() -> list[str]:
        return [s for s in statements if "FROM articles" in s and "WHERE" not in s
                and "count(" not in s]

    assert "crane" in tg_service.find_article("crain").title
    assert "Mecca" in tg_service.find_article("Mecca crane").title
    assert len(whole_list_reads()) == 1
    (tg_service.articles_dir / "tortoise.txt").write_text(
        "Tortoise found\n\nA giant tortoise was found alive on Fernandina island.\n", "utf-8")
    tg_service.reload()
    statements.clear()
    assert tg_service.find_article("tortoise").title == "Tortoise found"  # the new titles
    assert "crane" in tg_service.find_article("crain").title
    assert len(whole_list_reads()) == 1


def test_best_matches_are_one_per_article(tg_service: NewsService) -> None:
    matches = best_matches(tg_service.kb, tg_service.engine, "crane Mecca pilgrims")
    ids = [m.article.id for m in matches]
    assert len(ids) == len(set(ids))
    assert "crane" in matches[0].article.title
    assert len(best_matches(tg_service.kb, tg_service.engine, "", limit=50)) == 25


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.txt", "upload_passwd.txt"),
    ("_hidden.md", "upload_hidden.md"),
    ("My Article (1).HTML", "upload_My_Article_1.html"),
    ("..\\..\\win.json", "upload_win.json"),
    ("upload_again.txt", "upload_again.txt"),
])
def test_safe_article_names(name: str, expected: str) -> None:
    assert safe_article_name(name) == expected


def test_unsupported_or_oversized_uploads_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UploadError):
        safe_article_name("program.exe")
    with pytest.raises(UploadError):
        save_upload(tmp_path, "big.txt", b"x" * 2_000_000)
    with pytest.raises(UploadError):
        save_upload(tmp_path, "blank.txt", b"   \n")
    assert list(tmp_path.iterdir()) == []


def test_the_core_never_imports_telegram() -> None:
    code = ("import sys, bot.cli, bot.service, bot.store.usage, bot.answer.lookup, "
            "bot.ingest.uploads; "
            "sys.exit('telegram' in sys.modules)")
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0
