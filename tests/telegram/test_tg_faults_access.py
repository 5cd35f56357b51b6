"""Access: admins are known by numeric id only; nobody else reloads, reads /stats or adds
files, however they look; uploads cannot lie their way past the size limit; the token
stays out of every log record even while the Bot API misbehaves.
"""

from __future__ import annotations

import logging
import time

import pytest
from telegram.error import NetworkError
from tg_harness import ADMIN_ID, TOKEN, Harness

NEW_ARTICLE = ("Giant tortoise found alive on Galapagos island\n\nMonday, March 4, 2024\n\n"
               "Scientists said on Monday that a giant tortoise was found alive on Fernandina "
               "island by park rangers.\n")
ANONYMOUS_ADMIN_BOT = 1087968824  # what Telegram puts in `from` for anonymous group admins


def impostor(tg: Harness) -> dict:
    """Same name and username as the admin; only the numeric id differs."""
    user = {**tg.admin, "id": 6666, "username": "ada_the_admin"}
    tg.admin["username"] = "ada_the_admin"
    return user


async def test_an_impostor_with_the_admins_name_is_refused_everything(
        tg: Harness, caplog: pytest.LogCaptureFixture) -> None:
    (tg.articles_dir / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    user = impostor(tg)
    chat = tg.api.chat(user["id"], user=user)
    for text in ["/reload", "/stats", "/reload@newsbot_test"]:
        refusal = await tg.say(text, user=user, chat=chat)
        assert "only the bot's admins" in refusal.text, text
    document = tg.api.add_file("tortoise.txt", NEW_ARTICLE.encode())
    refusal = await tg.say(None, user=user, chat=chat, document=document)
    assert "only the bot's admins" in refusal.text
    await tg.settle()  # every handler has returned: a late reload or save would show
    assert tg.service.kb.article_count() == 25
    assert not (tg.articles_dir / "upload_tortoise.txt").exists()
    assert "non-admin user 6666" in caplog.text
    # The real admin, same name, same username: allowed, by id.
    _, report = await tg.send("/reload", user=tg.admin, count=2)
    assert "added 1" in report.text


async def test_anonymous_group_admins_and_channels_cannot_reload(tg: Harness) -> None:
    (tg.articles_dir / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    anonymous = {"id": ANONYMOUS_ADMIN_BOT, "is_bot": True, "first_name": "Group",
                 "username": "GroupAnonymousBot"}
    message = tg.api.message("/reload", anonymous, tg.group)
    message["sender_chat"] = tg.group
    mark = tg.api.mark()
    tg.api.push({"message": message})
    refusal = (await tg.api.wait_for("sendMessage", after=mark))[0]
    assert "only the bot's admins" in refusal.text
    assert tg.service.kb.article_count() == 25


async def test_an_admin_in_a_group_can_reload_but_not_upload(tg: Harness) -> None:
    document = tg.api.add_file("tortoise.txt", NEW_ARTICLE.encode())
    mark = tg.api.mark()
    tg.api.push({"message": tg.api.message(None, tg.admin, tg.group, document=document)})
    await tg.silence(tg.group, mark)
    assert not (tg.articles_dir / "upload_tortoise.txt").exists()


async def test_an_upload_that_lies_about_its_size_is_still_refused(tg: Harness) -> None:
    document = tg.api.add_file("liar.txt", b"The council voted. " * 80_000)  # 1.5 MB
    document["file_size"] = 120
    reply = await tg.say(None, user=tg.admin, document=document)
    assert "too large" in reply.text
    assert sorted(p.name for p in tg.articles_dir.iterdir()
                  if p.name.startswith(("upload_", ".upload"))) == []


async def test_the_admin_id_in_another_field_grants_nothing(tg: Harness) -> None:
    """A message *forwarded from* the admin, or replying to the admin, is not the admin."""
    message = tg.api.message("/reload", tg.user, tg.private)
    message["forward_origin"] = {"type": "user", "date": int(time.time()),
                                 "sender_user": tg.admin}
    message["reply_to_message"] = tg.api.message("hi", tg.admin, tg.private)
    (tg.articles_dir / "tortoise.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    mark = tg.api.mark()
    tg.api.push({"message": message})
    refusal = (await tg.api.wait_for("sendMessage", after=mark))[0]
    assert "only the bot's admins" in refusal.text
    assert tg.service.kb.article_count() == 25


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


async def test_the_token_stays_out_of_logs_while_the_bot_api_misbehaves(
        debug_logs: pytest.LogCaptureFixture, tg: Harness) -> None:
    tg.expected_errors.append(NetworkError)
    tg.api.inject("getUpdates", "drop")
    tg.api.inject("getUpdates", "not_json")
    tg.api.fail_next("getUpdates", 502)
    tg.api.inject("sendMessage", "drop")
    tg.api.fail_next("sendMessage", 500)
    for _ in range(3):
        await tg.say("What caused the crane to fall in Mecca?")
    await tg.say("/reload")  # refused, logged with the user id
    document = tg.api.add_file("tortoise.txt", NEW_ARTICLE.encode())
    await tg.say(None, user=tg.admin, document=document)  # its URL holds it too
    records = debug_logs.records
    assert any(r.levelno == logging.DEBUG for r in records)
    assert any(r.exc_info or r.exc_text for r in records)  # failures with tracebacks logged
    secret = TOKEN.split(":")[1]
    formatter = logging.Formatter()
    for record in records:
        texts = [record.getMessage(), record.exc_text or "", record.stack_info or "",
                 formatter.format(record)]
        if record.exc_info:
            texts.append(formatter.formatException(record.exc_info))
        for text in texts:
            assert secret not in text, f"{record.name}: {text[:200]}"
    assert str(ADMIN_ID) not in TOKEN  # the check above means something
