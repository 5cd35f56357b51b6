"""Read article files safely: size, links, binary content and text encodings.

Every problem becomes an ArticleError with a reason a person can act on, so one bad
file is reported and skipped while the rest of the folder loads.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

MAX_FILE_BYTES = 5 * 1024 * 1024
BINARY_CONTROL_SHARE = 0.01  # more control bytes than this and it is not text
_TEXT_CONTROLS = {9, 10, 12, 13}
# Byte-order marks `decode` honours, UTF-32 before UTF-16 (whose mark begins UTF-32 LE's).
_BOMS = {codecs.BOM_UTF32_LE: "utf-32", codecs.BOM_UTF32_BE: "utf-32",
         codecs.BOM_UTF16_LE: "utf-16", codecs.BOM_UTF16_BE: "utf-16"}


class ArticleError(ValueError):
    """An article file that cannot be used, with the reason."""


def check_path(path: Path, root: Path) -> None:
    """Refuse links that leave the articles folder and files too big to be articles."""
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(Path(os.path.realpath(root))):
            raise ArticleError("symbolic link pointing outside the articles folder (not followed)")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArticleError(f"cannot read file: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise ArticleError(f"file too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")


def read_bytes(path: Path) -> bytes:
    """Read a file's bytes, turning OS errors into ArticleError.

    At most one byte past the limit is read, so a file that grew after check_path is
    still refused without reading it whole.
    """
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ArticleError(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ArticleError(f"file too large (over {MAX_FILE_BYTES:,} bytes)")
    return data


def decode(data: bytes) -> str:
    """Decode article bytes: BOMs honoured, UTF-8 first, Windows-1252 as the usual fallback."""
    if not data.strip():
        raise ArticleError("empty file")
    for bom, codec in _BOMS.items():
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise ArticleError(f"broken {codec.upper()} text") from None
    controls = sum(1 for b in data if b < 32 and b not in _TEXT_CONTROLS)
    if controls > BINARY_CONTROL_SHARE * len(data):
        raise ArticleError("binary content (control or NUL bytes), not a text article")
    # Bytes that are not UTF-8 are read as Windows-1252 one by one, so a UTF-8 file with a
    # stray byte keeps its curly quotes and a Windows-1252 file still reads right throughout.
    return data.decode("utf-8-sig", errors=_CP1252_FALLBACK)


def decoding_note(data: bytes) -> str | None:
    """How `decode` read bytes that are not UTF-8 (nor marked by a BOM), for the load report:
    an editor should know that a file was guessed to be Windows-1252."""
    if data.startswith(tuple(_BOMS)):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (f"not UTF-8 (byte {exc.start:,}): read as Windows-1252; save it as UTF-8 if "
                "letters look wrong")
    return None


def _cp1252_byte(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode the offending bytes as Windows-1252 (Latin-1 if undefined)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return bad.decode("cp1252", errors="ignore") or bad.decode("latin-1"), exc.end


_CP1252_FALLBACK = "newsbot-cp1252-fallback"
codecs.register_error(_CP1252_FALLBACK, _cp1252_byte)
