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
ASKERS = 20  # per wave, a wave a second: under the 30 messages/s Telegram lets a bot send
RELOADS = 3  # odd: the articles end at version 1, having started at version 0


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
    await tg.send("/reload", user=tg.admin, count=2)
    people = []
    for n in range(ASKERS):
        user = {"id": 8000 + n, "is_bot": False, "first_name": f"A{n}"}
        people.append((user, tg.api.chat(user["id"], user=user)))
    ids = {chat["id"] for _, chat in people}

    def ask_wave(wave: int) -> None:
        for n, (user, chat) in enumerate(people):
            question = f"What did the mayor of {town_name((n + wave) % TOWNS)} say?"
            tg.api.push({"message": tg.api.message(question, user, chat)})

    async def answers_since(mark: int, count: int) -> list[str]:
        calls = await tg.api.wait_for("sendMessage", after=mark, count=count, wait_s=60,
                                      where=lambda c: int(c.params["chat_id"]) in ids)
        for call in calls:
            assert "went wrong" not in call.text
        return [call.text for call in calls]

    def versions_of(answers: list[str]) -> set[int]:
        versions: set[int] = set()
        for answer in answers:
            seen = version_seen(answer)
            assert len(seen) == 1, f"a mix of versions: {answer}"
            versions |= seen
        return versions

    mark = tg.api.mark()
    ask_wave(0)
    assert versions_of(await answers_since(mark, ASKERS)) == {0}, "before any reload"

    reloads_done = asyncio.Event()

    async def ask_until_reloaded() -> int:
        waves = 0
        while not reloads_done.is_set():
            ask_wave(waves + 1)
            waves += 1
            await asyncio.sleep(1.0)
        return waves

    async def reload_again_and_again() -> None:
        for n in range(RELOADS):
            write_version(tg.articles_dir, 1 - n % 2)
            await tg.send("/reload", user=tg.admin, count=2, wait_s=30)
        reloads_done.set()

    mark = tg.api.mark()
    waves, _ = await asyncio.gather(ask_until_reloaded(), reload_again_and_again())
    versions_of(await answers_since(mark, waves * ASKERS))  # each from one version, none failed

    mark = tg.api.mark()
    ask_wave(0)
    assert versions_of(await answers_since(mark, ASKERS)) == {1}, "after the last reload"
    reports = [c for c in tg.api.calls_of("sendMessage") if "Reload finished" in c.text]
    assert len(reports) == RELOADS + 1
