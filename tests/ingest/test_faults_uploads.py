"""Uploaded file names never escape ARTICLES_DIR, whatever the name (property-based)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.ingest.uploads import (
    MAX_UPLOAD_BYTES,
    UPLOAD_PREFIX,
    UPLOAD_SUFFIXES,
    UploadError,
    safe_article_name,
    save_upload,
)

TRICKS = ["../", "..\\", "/", "\\", "\x00", "..", ".", "~", "$HOME", "%2e%2e%2f", "C:",
          "\u202e", "\u2215", "\uff0f", "／", "..%c0%af", "\n", " ", "_", "-", "*", "?",
          "etc", "passwd", "CON", "a" * 300, "статья", "記事"]
names = st.one_of(
    st.text(max_size=400),
    st.builds(lambda parts, suffix: "".join(parts) + suffix,
              st.lists(st.sampled_from(TRICKS), max_size=12),
              st.sampled_from([*UPLOAD_SUFFIXES, ".TXT", ".exe", "", ".txt.exe", ".md\x00.txt"])),
)


def inside(folder: Path, path: Path) -> bool:
    return Path(os.path.realpath(path)).parent == Path(os.path.realpath(folder))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(name=names)
@example(name="../../etc/passwd.txt")
@example(name="/etc/cron.d/evil.txt")
@example(name="C:\\Windows\\win.ini.txt")
@example(name="evil\x00.txt")
@example(name="x" * 10_000 + ".md")
@example(name="..txt")
@example(name="／etc／passwd.txt")
def test_any_upload_name_becomes_a_plain_name_inside_the_folder(name: str) -> None:
    refusal = safe = None
    try:
        safe = safe_article_name(name)
    except UploadError as exc:
        refusal = str(exc)
    if safe is None:
        assert refusal is not None
        assert refusal.startswith("send a .txt")  # the one reason a name is refused
        return
    assert safe.startswith(UPLOAD_PREFIX)
    assert safe.endswith(UPLOAD_SUFFIXES)
    assert "/" not in safe
    assert "\\" not in safe
    assert "\x00" not in safe
    assert len(safe.encode()) <= 255  # a name every file system takes
    assert safe.isascii()
    assert safe_article_name(safe) == safe  # idempotent: re-sending replaces, not piles up
    with tempfile.TemporaryDirectory() as folder:
        path = save_upload(folder, name, b"Title\n\nThe council voted on Monday.\n")
        assert inside(Path(folder), path)
        assert sorted(p.name for p in Path(folder).iterdir()) == [safe]


def test_a_huge_upload_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(UploadError, match="too large"):
        save_upload(tmp_path, "huge.txt", b"x" * (MAX_UPLOAD_BYTES + 1))
    assert list(tmp_path.iterdir()) == []


def test_an_upload_never_follows_a_link_planted_in_the_folder(tmp_path: Path) -> None:
    folder, outside = tmp_path / "articles", tmp_path / "outside.txt"
    folder.mkdir()
    outside.write_text("precious", "utf-8")
    (folder / "upload_evil.txt").symlink_to(outside)
    path = save_upload(folder, "evil.txt", b"Title\n\nThe council voted on Monday.\n")
    assert outside.read_text("utf-8") == "precious"  # the link was replaced, not written through
    assert not path.is_symlink()
