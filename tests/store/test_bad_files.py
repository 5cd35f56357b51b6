"""Bad input files are reported with a reason and never stop the good ones from loading."""

from __future__ import annotations

import codecs
import os
import shutil
from pathlib import Path

import pytest

from bot.ingest.reading import MAX_FILE_BYTES
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import LoadReport, load_directory

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_a398690ca2ed8d76.txt"
GOOD_TEXT = (
    "Harbour bridge repair approved\n\n"
    "The city council approved a new budget of 12 million dollars on Monday.\n\n"
    "Mayor Jane Ortiz said the money will repair the old harbour bridge.\n"
)


def load(kb: KnowledgeBase, folder: Path) -> tuple[LoadReport, dict[str, str]]:
    report = load_directory(kb, folder)
    return report, dict(report.failed)


def with_good_files(folder: Path) -> None:
    """Two good articles that must load whatever else is in the folder."""
    shutil.copy(SEED, folder / "seed.txt")
    (folder / "bridge.txt").write_text(GOOD_TEXT, encoding="utf-8")


def assert_good_files_loaded(kb: KnowledgeBase, report: LoadReport) -> None:
    assert {"seed.txt", "bridge.txt"} <= set(report.added)
    loaded = titles(kb)
    assert "Harbour bridge repair approved" in loaded
    assert any(title.startswith("‘Resist temptations’") for title in loaded)


def titles(kb: KnowledgeBase) -> set[str]:
    return {article.title for article in kb.articles()}


@pytest.mark.parametrize("content", [b"", b"   \n\r\n\t  \n"])
def test_empty_file_is_reported_and_others_load(
    empty_dir: Path, kb: KnowledgeBase, content: bytes
) -> None:
    with_good_files(empty_dir)
    (empty_dir / "empty.txt").write_bytes(content)
    report, failed = load(kb, empty_dir)
    assert "empty" in failed["empty.txt"]
    assert_good_files_loaded(kb, report)


def test_binary_file_is_reported_as_binary(empty_dir: Path, kb: KnowledgeBase) -> None:
    with_good_files(empty_dir)
    (empty_dir / "image.txt").write_bytes(bytes(range(256)) * 40)
    report, failed = load(kb, empty_dir)
    assert "binary" in failed["image.txt"]
    assert_good_files_loaded(kb, report)


def test_text_full_of_nul_bytes_is_reported_as_binary(empty_dir: Path, kb: KnowledgeBase) -> None:
    with_good_files(empty_dir)
    (empty_dir / "nuls.txt").write_bytes(GOOD_TEXT.encode("utf-8").replace(b" ", b"\x00"))
    report, failed = load(kb, empty_dir)
    assert "binary" in failed["nuls.txt"]
    assert_good_files_loaded(kb, report)


def test_a_stray_nul_byte_is_dropped_and_the_article_loads(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    text = GOOD_TEXT.replace("Harbour bridge", "Ferry service").replace("bridge.", "ferry.")
    (empty_dir / "stray.txt").write_bytes(text.encode("utf-8").replace(b"city ", b"city\x00 "))
    report, _ = load(kb, empty_dir)
    assert report.added == ["stray.txt"]
    (article,) = kb.articles()
    assert all("\x00" not in fact for fact in kb.facts_of(article.id))
    assert any("city council" in fact for fact in kb.facts_of(article.id))


def test_utf8_bom_loads_without_the_bom_in_the_title(empty_dir: Path, kb: KnowledgeBase) -> None:
    (empty_dir / "bom.txt").write_bytes(codecs.BOM_UTF8 + GOOD_TEXT.encode("utf-8"))
    report, _ = load(kb, empty_dir)
    assert report.added == ["bom.txt"]
    assert titles(kb) == {"Harbour bridge repair approved"}


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom_load(empty_dir: Path, kb: KnowledgeBase, codec: str) -> None:
    data = GOOD_TEXT.replace("Mayor", "Mayor Zoë").encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    (empty_dir / "wide.txt").write_bytes(data)
    report, _ = load(kb, empty_dir)
    assert report.added == ["wide.txt"]
    assert titles(kb) == {"Harbour bridge repair approved"}
    (article,) = kb.articles()
    assert any("Mayor Zoë Jane Ortiz" in fact for fact in kb.facts_of(article.id))


def test_broken_utf16_is_reported_not_raised(empty_dir: Path, kb: KnowledgeBase) -> None:
    with_good_files(empty_dir)
    (empty_dir / "broken16.txt").write_bytes(codecs.BOM_UTF16_LE + b"T\x00i\x00\x00\xd8")
    report, failed = load(kb, empty_dir)
    assert "UTF-16" in failed["broken16.txt"]
    assert_good_files_loaded(kb, report)


def test_windows_1252_text_is_decoded_sensibly(empty_dir: Path, kb: KnowledgeBase) -> None:
    text = (
        "Caf\xe9 owners protest new rent rules\n\n"
        "The owners of a small caf\xe9 in the old town said the new rules would cost them "
        "€ 2,000 a month.\n"
    )
    data = text.encode("cp1252")
    assert b"caf\xe9" in data
    assert b"\x80 2,000" in data
    (empty_dir / "cafe.txt").write_bytes(data)
    report, _ = load(kb, empty_dir)
    assert report.added == ["cafe.txt"]
    assert titles(kb) == {"Café owners protest new rent rules"}
    (article,) = kb.articles()
    assert any("small café" in fact and "€2,000" in fact for fact in kb.facts_of(article.id))


def test_oversized_file_is_rejected_before_reading(empty_dir: Path, kb: KnowledgeBase) -> None:
    with_good_files(empty_dir)
    with (empty_dir / "huge.txt").open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used, and all NUL bytes if read
    report, failed = load(kb, empty_dir)
    assert "too large" in failed["huge.txt"]
    assert "binary" not in failed["huge.txt"]
    assert_good_files_loaded(kb, report)


def test_file_of_exactly_the_limit_is_not_rejected_for_size(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    with (empty_dir / "limit.txt").open("wb") as f:
        f.truncate(MAX_FILE_BYTES)
    _, failed = load(kb, empty_dir)
    assert "too large" not in failed["limit.txt"]


def test_a_duplicate_is_skipped_naming_the_file_it_repeats(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    with_good_files(empty_dir)
    shutil.copy(SEED, empty_dir / "seed_copy.txt")
    report, failed = load(kb, empty_dir)
    assert failed == {}
    assert dict(report.skipped)["seed_copy.txt"] == "duplicate of seed.txt (same text)"
    assert "skipped 1" in report.lines()[0]
    assert_good_files_loaded(kb, report)
    assert report.total_articles == 2


def test_the_folders_own_files_are_skipped_by_name_not_failed(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    with_good_files(empty_dir)
    (empty_dir / "README.md").write_text("# Our articles\n\nThis folder holds the news we "
                                         "publish, one file per article.\n", "utf-8")
    (empty_dir / "LICENSE.txt").write_text("Licence\n\nAll articles are CC BY 4.0.\n", "utf-8")
    (empty_dir / "meta.json").write_text('[{"file": "seed.txt", "title": "x"}]', "utf-8")
    report, failed = load(kb, empty_dir)
    assert failed == {}
    assert sorted(dict(report.skipped)) == ["LICENSE.txt", "README.md", "meta.json"]
    assert report.total_articles == 2
    assert_good_files_loaded(kb, report)


def test_a_file_that_is_not_utf8_loads_with_a_note_saying_how_it_was_read(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    cafe = "Caf\xe9 opens downtown\n\nA new caf\xe9 opened downtown on Monday morning.\n"
    (empty_dir / "cafe.txt").write_bytes(cafe.encode("cp1252"))
    (empty_dir / "bridge.txt").write_text(GOOD_TEXT, encoding="utf-8")
    report, _ = load(kb, empty_dir)
    assert sorted(report.added) == ["bridge.txt", "cafe.txt"]
    (note,) = [note for name, note in report.notes if name == "cafe.txt"]
    assert "Windows-1252" in note
    assert "Café opens downtown" in titles(kb)


def test_symlink_leaving_the_folder_is_not_followed(
    tmp_path: Path, empty_dir: Path, kb: KnowledgeBase
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(GOOD_TEXT.replace("Harbour", "Secret"), "utf-8")
    with_good_files(empty_dir)
    (empty_dir / "link.txt").symlink_to(outside / "secret.txt")
    (empty_dir / "linked_dir").symlink_to(outside, target_is_directory=True)
    report, failed = load(kb, empty_dir)
    assert "symbolic link" in failed["link.txt"]
    assert "symbolic link" in failed["linked_dir"]
    assert "Secret bridge repair approved" not in titles(kb)
    assert_good_files_loaded(kb, report)


def test_dangling_symlink_is_reported(empty_dir: Path, kb: KnowledgeBase) -> None:
    with_good_files(empty_dir)
    (empty_dir / "gone.txt").symlink_to(empty_dir / "missing.txt")
    report, failed = load(kb, empty_dir)
    assert failed["gone.txt"]
    assert_good_files_loaded(kb, report)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file_is_reported(empty_dir: Path, kb: KnowledgeBase) -> None:
    with_good_files(empty_dir)
    locked = empty_dir / "locked.txt"
    locked.write_text(GOOD_TEXT.replace("Harbour", "Locked"), "utf-8")
    locked.chmod(0)
    try:
        report, failed = load(kb, empty_dir)
    finally:
        locked.chmod(0o644)
    assert "cannot read" in failed["locked.txt"]
    assert_good_files_loaded(kb, report)


def test_title_only_file_is_reported(empty_dir: Path, kb: KnowledgeBase) -> None:
    with_good_files(empty_dir)
    (empty_dir / "title.txt").write_text("Harbour bridge closes for good\n", "utf-8")
    report, failed = load(kb, empty_dir)
    assert "no article text" in failed["title.txt"]
    assert_good_files_loaded(kb, report)


def test_every_bad_file_at_once_is_reported_and_the_load_completes(
    tmp_path: Path, empty_dir: Path, kb: KnowledgeBase
) -> None:
    with_good_files(empty_dir)
    (tmp_path / "outside.txt").write_text(GOOD_TEXT, "utf-8")
    (empty_dir / "a_empty.txt").write_bytes(b"")
    (empty_dir / "b_binary.txt").write_bytes(b"\x00\xff\x10\x02" * 500)
    (empty_dir / "c_dup.txt").write_text(GOOD_TEXT, "utf-8")
    (empty_dir / "d_link.txt").symlink_to(tmp_path / "outside.txt")
    (empty_dir / "e_title.txt").write_text("Just a title\n", "utf-8")
    (empty_dir / "f_broken.json").write_text("{not json", "utf-8")
    (empty_dir / "g_slides.pdf").write_bytes(b"%PDF-1.4")
    with (empty_dir / "h_huge.txt").open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    cafe = "Caf\xe9 news today\n\nA new caf\xe9 opened downtown.\n"
    (empty_dir / "z_cp1252.txt").write_bytes(cafe.encode("cp1252"))
    report, failed = load(kb, empty_dir)
    assert set(failed) >= {"a_empty.txt", "b_binary.txt", "d_link.txt", "e_title.txt",
                           "f_broken.json", "g_slides.pdf", "h_huge.txt"}
    # Files load in name order: bridge.txt first, c_dup.txt repeats it.
    assert dict(report.skipped)["c_dup.txt"] == "duplicate of bridge.txt (same text)"
    assert all(reason.strip() for reason in failed.values())
    assert "z_cp1252.txt" in report.added
    assert_good_files_loaded(kb, report)
    assert report.total_articles == 3
    assert kb.article_count() == 3


def test_utf8_with_a_stray_windows_byte_keeps_its_curly_quotes(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    data = SEED.read_bytes().replace(b"Leave a Reply", b"Caf\xe9 Reply")
    (empty_dir / "mixed.txt").write_bytes(data)
    report, _ = load(kb, empty_dir)
    assert report.added == ["mixed.txt"]
    (title,) = titles(kb)
    assert title.startswith("‘Resist temptations’: China’s")


def test_file_name_that_is_not_utf8_is_reported_not_fatal(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    with_good_files(empty_dir)
    odd = Path(os.fsdecode(os.fsencode(empty_dir) + b"/caf\xe9.txt"))
    try:
        odd.write_text(GOOD_TEXT.replace("Harbour", "Odd"), "utf-8")
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses non-UTF-8 names")
    report, failed = load(kb, empty_dir)
    assert "caf\ufffd.txt" in failed
    assert "UTF-8" in failed["caf\ufffd.txt"]
    assert_good_files_loaded(kb, report)
    "\n".join(report.lines()).encode("utf-8")  # the report prints on any console


def test_broken_sources_sidecar_is_reported_and_articles_still_load(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    with_good_files(empty_dir)
    (empty_dir / "_sources.json").write_text("{broken", "utf-8")
    report, failed = load(kb, empty_dir)
    assert "_sources.json" in failed
    assert_good_files_loaded(kb, report)


def test_json_nested_too_deep_for_the_parser_is_reported(
    empty_dir: Path, kb: KnowledgeBase
) -> None:
    with_good_files(empty_dir)
    (empty_dir / "deep.json").write_text("[" * 200_000 + "]" * 200_000, "utf-8")
    report, failed = load(kb, empty_dir)
    assert "nested too deeply" in failed["deep.json"]
    assert_good_files_loaded(kb, report)
