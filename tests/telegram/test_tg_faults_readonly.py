"""The database folder turns read-only under the running bot: /reload tells the admin why,
the old articles keep answering, questions are still answered, and once the folder is
writable again the next /reload goes through.

A real `python -m bot run` process. An ordinary user makes the folder and the database
read-only with permissions; root ignores permissions, so as root they get the immutable
flag (chattr +i), which root cannot write through either. (A read-only remount is refused
by the kernel while the bot holds the database open for writing: "mount point is busy".)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from botapi_standin import BotAPIStandIn
from tg_harness import ADMIN_ID, SEEDS, USER_ID, bot_process, make_user

QUESTION = "What caused the crane to fall in Mecca?"
TORTOISE_QUESTION = "What was the tortoise on Fernandina named?"
NEW_ARTICLE = ("Giant tortoise found alive on Galapagos island after a century\n\n"
               "Monday, March 4, 2024\n\nScientists said on Monday that a giant tortoise, "
               "named Fernanda by the rangers, was found alive on Fernandina island.\n")


def read_only_tool() -> str | None:
    """As root, chattr (root ignores permissions, but not the immutable flag)."""
    if os.geteuid() != 0:
        return None
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("root without chattr: cannot make the folder read-only")
    return chattr


def set_read_only(folder: Path, read_only: bool, chattr: str | None) -> None:
    """The folder and the database file in it: no new files, no writes to the database."""
    targets = [folder / "kb.sqlite3", folder]
    if chattr is None:
        for path in targets:
            path.chmod((0o555 if path.is_dir() else 0o444) if read_only else 0o755)
        return
    done = subprocess.run([chattr, "+i" if read_only else "-i", *map(str, targets)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 and read_only:
        pytest.skip(f"this file system has no immutable flag: {done.stderr.strip()}")


async def test_read_only_database_folder_under_the_running_bot(
        api: BotAPIStandIn, tmp_path: Path) -> None:
    db_dir, articles = tmp_path / "db", tmp_path / "articles"
    db_dir.mkdir()
    shutil.copytree(SEEDS, articles)
    chattr = read_only_tool()
    admin, user = make_user(ADMIN_ID, "Ada"), make_user(USER_ID, "Bob")
    admin_chat, chat = api.chat(ADMIN_ID, user=admin), api.chat(USER_ID, user=user)

    async def exchange(text: str, who: dict, where: dict, count: int = 1) -> list:
        mark = api.mark()
        api.push({"message": api.message(text, who, where)})
        return await api.wait_for("sendMessage", after=mark, count=count,
                                  where=lambda c: c.params["chat_id"] == str(where["id"]))

    async with bot_process(api, tmp_path, DATABASE_PATH=str(db_dir / "kb.sqlite3"),
                           ARTICLES_DIR=str(articles)) as log:
        try:
            await api.wait_for("setMyCommands", count=2, wait_s=30)
            assert "crane" in (await exchange(QUESTION, user, chat))[0].text
            set_read_only(db_dir, True, chattr)
            (articles / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
            _, failure = await exchange("/reload", admin, admin_chat, count=2)
            assert "Reload failed" in failure.text
            assert "readonly database" in failure.text
            assert "previous articles are still being served" in failure.text
            assert "crane" in (await exchange(QUESTION, user, chat))[0].text
            tortoise = await exchange(TORTOISE_QUESTION, user, chat)
            assert "Fernanda" not in tortoise[0].text

            set_read_only(db_dir, False, chattr)
            _, report = await exchange("/reload", admin, admin_chat, count=2)
            assert "added 1" in report.text
            assert "Fernanda" in (await exchange(TORTOISE_QUESTION, user, chat))[0].text
        finally:
            set_read_only(db_dir, False, chattr)  # pytest must be able to remove it
    assert "handling a message failed" not in log[0]
