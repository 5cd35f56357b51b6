"""Save an article file someone sent into the articles folder, under a safe name."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from bot.ingest.formats import SUPPORTED_SUFFIXES

MAX_UPLOAD_BYTES = 1_000_000  # far above any news article; keeps a chat from filling the disk
UPLOAD_SUFFIXES = (".txt", ".md", ".json", ".html")
MAX_NAME_CHARS = 80
UPLOAD_PREFIX = "upload_"  # uploads stand apart from the shipped files and never shadow them
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(ValueError):
    """An upload refused, with a reason to show the person who sent it."""


def safe_article_name(name: str) -> str:
    """A plain file name inside the folder: no path parts, no leading dot; idempotent."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    suffix = suffix.lower()
    if suffix not in UPLOAD_SUFFIXES or suffix not in SUPPORTED_SUFFIXES:
        raise UploadError(f"send a {', '.join(UPLOAD_SUFFIXES)} file")
    stem = _UNSAFE_RE.sub("_", stem).strip("._-") or "article"
    if not stem.startswith(UPLOAD_PREFIX):
        stem = UPLOAD_PREFIX + stem
    # Cut after the prefix is on, so that a second pass changes nothing: the handler names
    # the file in its reply, and save_upload must then write exactly that name.
    return stem[:MAX_NAME_CHARS].rstrip("._-") + suffix


def save_upload(articles_dir: str | Path, name: str, data: bytes) -> Path:
    """Write the file atomically (a half-written article is never loaded); returns its path."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"the file is too large (limit {MAX_UPLOAD_BYTES:,} bytes)")
    if not data.strip():
        raise UploadError("the file is empty")
    folder = Path(articles_dir)
    if not folder.is_dir():
        raise UploadError("the articles folder is missing")
    return write_atomically(folder / safe_article_name(name), data)


def write_atomically(target: Path, data: bytes) -> Path:
    """Write through a hidden temporary file and rename it into place, so that a reload
    running meanwhile sees the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
