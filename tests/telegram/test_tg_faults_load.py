"""Reload under load through Telegram: people keep asking while the admin reloads again and
again and the articles flip between two versions; every question is answered, and each
answer's fact and summary come from the same version.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
from pathlib import Path

from faults_support import article_text, town_name
from tg_harness import Harness

TOWNS = 40
ASKERS = 30
RELOADS = 4


def write_version(folder: Path, version: int) -> None:
    """Every town article at `version`, each file replaced atomically (old or new bytes)."""
    for index in range(TOWNS):
        rng = random.Random(index * 31 + version)
        tmp = folder / f".tmp_town_{index:03d}"
        tmp.write_text(article_text(index, version, rng), encoding="utf-8")
        os.replace(tmp, folder / f"town_{index:03d}.txt")


def version_seen(text: str) -> set[int]:
    """The versions an answer's text shows: the mayor's year and the council's votes."""
    seen = {int(y) - 2025 for y in re.findall(r"would open in (\d{4})", text)}
    seen |= {1 if int(v) >= 100 else 0 for v in re.findall(r"voted (\d+) to", text)}
    return seen


async def test_questions_while_the_admin_reloads_again_and_again(tg: Harness) -> None:
    write_version(tg.articles_dir, 0)
    await tg.send("/reload", user=tg.admin, count=2, wait_s=15)
    people = []
    for n in range(ASKERS):
        user = {"id": 8000 + n, "is_bot": False, "first_name": f"A{n}"}
        people.append((user, tg.api.chat(user["id"], user=user)))
    mark = tg.api.mark()

    async def ask_in_waves() -> None:
        for wave in range(4):
            for n, (user, chat) in enumerate(people):
                question = f"What did the mayor of {town_name((n + wave) % TOWNS)} say?"
                tg.api.push({"message": tg.api.message(question, user, chat)})
            await asyncio.sleep(0.3)

    async def reload_again_and_again() -> None:
        for n in range(RELOADS):
            write_version(tg.articles_dir, 1 - n % 2)
            await tg.send("/reload", user=tg.admin, count=2, wait_s=15)

    await asyncio.gather(ask_in_waves(), reload_again_and_again())
    ids = {chat["id"] for _, chat in people}
    answers = await tg.api.wait_for("sendMessage", after=mark, count=4 * ASKERS, wait_s=30,
                                    where=lambda c: int(c.params["chat_id"]) in ids)
    versions = set()
    for answer in answers:
        assert "went wrong" not in answer.text
        seen = version_seen(answer.text)
        assert len(seen) == 1, f"a mix of versions: {answer.text}"
        versions |= seen
    assert versions == {0, 1}, "the reloads happened while the questions were answered"
    reports = [c for c in tg.api.calls_of("sendMessage", mark) if "Reload finished" in c.text]
    assert len(reports) == RELOADS
