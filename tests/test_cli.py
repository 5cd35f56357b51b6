"""The command-line contract, run the way other tools run it: as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from bot.store.conversation import conversation_path_for

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_TITLE = (
    "‘Resist temptations’: China’s top spy agency warns overseas staff are being targeted "
    "for hi-tech secrets"
)
QUESTION = "Who is Zhang Xiangbin?"
UNANSWERABLE = "What is the boiling point of liquid nitrogen on Neptune?"
TIMEOUT = 60


def bot_env(db: Path, articles: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_PATH", "ARTICLES_DIR")}
    env.update(PYTHONPATH=str(ROOT), DATABASE_PATH=str(db), ARTICLES_DIR=str(articles),
               PYTHONIOENCODING="utf-8")
    return env


def run_bot(*args: str, db: Path, articles: Path = SEEDS, stdin: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in a folder of its own (so no stray `.env` is read)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        encoding="utf-8", env=bot_env(db, articles), cwd=cwd or db.parent, timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database loaded once by the CLI itself, shared by the read-only tests."""
    db = tmp_path_factory.mktemp("cli") / "bot.sqlite3"
    result = run_bot("load", db=db)
    assert result.returncode == 0, result.stderr
    return db


def assert_answer_object(data: dict, question: str) -> None:
    assert set(data) >= {"question", "answered", "confidence", "facts", "summary"}
    assert data["question"] == question
    assert isinstance(data["answered"], bool)
    assert isinstance(data["confidence"], float)
    assert 0.0 <= data["confidence"] <= 1.0
    assert isinstance(data["facts"], list)
    assert data["summary"] is None or isinstance(data["summary"], str)
    for fact in data["facts"]:
        assert set(fact) == {"text", "article_id", "article_title", "score"}
        assert isinstance(fact["text"], str)
        assert fact["text"]
        assert isinstance(fact["article_id"], int)
        assert isinstance(fact["article_title"], str)
        assert fact["article_title"]
        assert isinstance(fact["score"], float)
    # Best first: the runners-up by score; the first may score lower when the best only says
    # what would have happened (docs/ANSWERING.md, step 7).
    scores = [fact["score"] for fact in data["facts"]]
    assert scores[1:] == sorted(scores[1:], reverse=True)


def test_load_prints_the_report_and_exits_0(tmp_path: Path) -> None:
    result = run_bot("load", db=tmp_path / "bot.sqlite3")
    assert result.returncode == 0, result.stderr
    assert "added 25" in result.stdout
    assert "failed 0" in result.stdout
    assert "added: 000_a398690ca2ed8d76.txt" in result.stdout


def test_load_twice_reports_everything_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    run_bot("load", db=db)
    result = run_bot("load", "--json", db=db)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["added"], report["updated"], report["removed"]) == ([], [], [])
    assert len(report["unchanged"]) == 25
    assert report["total_articles"] == 25


def test_load_flags_override_the_environment(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "one.md").write_text(
        "# Lighthouse keeper retires\n\nMargaret Quill retired on Sunday after forty years.\n",
        "utf-8",
    )
    flagged_db = tmp_path / "flagged.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "load", "--db", str(flagged_db), "--articles", str(folder)],
        capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=TIMEOUT,
        env=bot_env(tmp_path / "env.sqlite3", SEEDS), check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "added 1," in result.stdout
    assert flagged_db.exists()
    assert not (tmp_path / "env.sqlite3").exists()


def test_load_of_only_bad_files_exits_non_zero_with_reasons(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (folder / "slides.pdf").write_bytes(b"%PDF-1.4")
    result = run_bot("load", db=tmp_path / "bot.sqlite3", articles=folder)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for name in ("empty.txt", "binary.txt", "slides.pdf"):
        assert name in output
    assert "Traceback" not in result.stderr


def test_load_of_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    result = run_bot("load", db=tmp_path / "bot.sqlite3", articles=tmp_path / "nowhere")
    assert result.returncode != 0
    assert "nowhere" in result.stderr
    assert "Traceback" not in result.stderr


def test_ask_json_prints_one_answer_object(seeded_db: Path) -> None:
    result = run_bot("ask", "--json", QUESTION, db=seeded_db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert_answer_object(data, QUESTION)
    assert data["answered"] is True
    assert data["facts"]
    assert any("translator" in fact["text"] for fact in data["facts"])
    assert data["facts"][0]["article_title"] == SEED_TITLE
    assert isinstance(data["summary"], str)


def test_ask_json_takes_a_question_in_several_words(seeded_db: Path) -> None:
    result = run_bot("ask", "--json", "Who", "is", "Zhang", "Xiangbin?", db=seeded_db)
    assert json.loads(result.stdout)["question"] == QUESTION


def test_ask_json_for_something_not_in_the_articles_is_not_answered(seeded_db: Path) -> None:
    result = run_bot("ask", "--json", UNANSWERABLE, db=seeded_db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert_answer_object(data, UNANSWERABLE)
    assert data["answered"] is False


def test_ask_json_reads_questions_from_stdin_one_json_line_each(seeded_db: Path) -> None:
    questions = [QUESTION, UNANSWERABLE, "When was Zhang sentenced to death?"]
    result = run_bot("ask", "--json", db=seeded_db, stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    for line, question in zip(lines, questions, strict=True):
        assert_answer_object(json.loads(line), question)


def start_ask_json(db: Path) -> tuple[subprocess.Popen[str], IO[str], IO[str], IO[str]]:
    """`python -m bot ask --json` reading questions from a pipe we hold."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env=bot_env(db, SEEDS), cwd=db.parent,
    )
    if process.stdin is None or process.stdout is None or process.stderr is None:
        raise RuntimeError("pipes were not created")
    return process, process.stdin, process.stdout, process.stderr


def test_ask_reads_stdin_and_prints_exactly_one_line_per_line(seeded_db: Path) -> None:
    questions = [QUESTION, "", UNANSWERABLE]
    plain = run_bot("ask", db=seeded_db, stdin="\n".join(questions) + "\n")
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert len(lines) == 3
    assert "translator" in lines[0]
    as_json = run_bot("ask", "--json", db=seeded_db, stdin="\n".join(questions) + "\n")
    assert [json.loads(line)["question"] for line in as_json.stdout.splitlines()] == questions


def test_ask_answers_each_stdin_question_as_it_arrives(seeded_db: Path) -> None:
    process, stdin, stdout, stderr = start_ask_json(seeded_db)
    try:
        stdin.write(QUESTION + "\n")
        stdin.flush()
        first = stdout.readline()  # before stdin is closed: no waiting for EOF
        assert json.loads(first)["question"] == QUESTION
        stdin.close()
        assert process.wait(TIMEOUT) == 0
    finally:
        process.kill()
        process.wait()
        for stream in (stdout, stderr, stdin):
            if not stream.closed:
                stream.close()


CRANE = "What caused the crane to fall in Mecca?"
# Alone, answered (unsure) from the Hajj stampede article; after CRANE, from the crane one.
FOLLOW_UP = "how many people did it kill?"


def test_ask_json_conversation_reads_follow_ups_in_the_topic_until_a_blank_line(
        seeded_db: Path) -> None:
    turns = [CRANE, FOLLOW_UP, "", FOLLOW_UP]
    result = run_bot("ask", "--json", "--conversation", db=seeded_db,
                     stdin="\n".join(turns) + "\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == turns  # still one line per line read
    for answer, turn in zip(answers, turns, strict=True):
        assert_answer_object(answer, turn)
    crane = answers[0]["facts"][0]["article_id"]
    assert answers[1]["facts"][0]["article_id"] == crane
    assert "107" in answers[1]["facts"][0]["text"]
    assert answers[2]["answered"] is False
    afresh = answers[3]["facts"]
    assert not afresh or afresh[0]["article_id"] != crane  # the blank line ended the topic
    assert not conversation_path_for(seeded_db).exists()  # kept in memory, gone at exit


def test_ask_without_conversation_answers_each_line_alone(seeded_db: Path) -> None:
    result = run_bot("ask", "--json", db=seeded_db, stdin=f"{CRANE}\n{FOLLOW_UP}\n")
    crane, follow_up = (json.loads(line) for line in result.stdout.splitlines())
    assert follow_up["facts"][0]["article_id"] != crane["facts"][0]["article_id"]


def test_console_chat_follows_up_and_forgets_on_new(seeded_db: Path) -> None:
    result = run_bot("chat", db=seeded_db, stdin=f"{CRANE}\n{FOLLOW_UP}\n/new\n{FOLLOW_UP}\n")
    assert result.returncode == 0, result.stderr
    _, _, follow_up, afresh, after_new, _ = result.stdout.split("you> ")  # one per prompt
    assert "killing 107" in follow_up
    assert "killed in Mecca crane collapse" in follow_up
    assert "\033[" not in follow_up  # no terminal bold in a pipe
    assert "Starting afresh" in afresh
    assert "Hundreds dead in Hajj stampede" in after_new
    assert "killed in Mecca crane collapse" not in after_new


def test_plain_ask_prints_text_not_json(seeded_db: Path) -> None:
    result = run_bot("ask", QUESTION, db=seeded_db)
    assert result.returncode == 0, result.stderr
    assert "translator" in result.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)


def test_plain_ask_leaves_out_a_summary_that_repeats_the_fact(tmp_path: Path) -> None:
    """A one-sentence article's summary is its only fact: shown once, as Telegram does
    (tests/telegram/test_tg_commands.py)."""
    fact = "A giant tortoise was found alive on Fernandina island on Monday."
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tortoise.txt").write_text(f"Tortoise found\n\n{fact}\n", "utf-8")
    result = run_bot("ask", "Where was the giant tortoise found?", db=tmp_path / "bot.sqlite3",
                     articles=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(fact) == 1
    assert "Summary:" not in result.stdout
    assert "Tortoise found" in result.stdout


def test_articles_lists_the_25_titles(seeded_db: Path) -> None:
    result = run_bot("articles", db=seeded_db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 25
    assert any(SEED_TITLE in line for line in lines)
    assert any("Hundreds dead in Hajj stampede" in line for line in lines)
    assert len(set(lines)) == 25


def test_ask_loads_a_missing_database_first(tmp_path: Path) -> None:
    db = tmp_path / "data" / "fresh.sqlite3"
    assert not db.exists()
    result = run_bot("ask", "--json", QUESTION, db=db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["answered"] is True
    assert db.exists()
    assert "25" in result.stderr  # the first-start note, kept off stdout's JSON


def test_chat_from_a_pipe_answers_and_exits_on_eof(seeded_db: Path) -> None:
    result = run_bot("chat", db=seeded_db, stdin=QUESTION + "\n")
    assert result.returncode == 0, result.stderr
    assert "translator" in result.stdout
    assert "Traceback" not in result.stderr


def test_chat_loads_a_missing_database_first(tmp_path: Path) -> None:
    result = run_bot("chat", db=tmp_path / "fresh.sqlite3", stdin=QUESTION + "\n")
    assert result.returncode == 0, result.stderr
    assert "translator" in result.stdout


def test_a_file_that_is_not_a_database_is_a_clean_error(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    db.write_text("these are my notes, not a database\n" * 100, "utf-8")
    result = run_bot("ask", "--json", QUESTION, db=db)
    assert result.returncode != 0
    assert str(db) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_ask_stops_quietly_when_its_reader_goes_away(seeded_db: Path) -> None:
    process, stdin, stdout, stderr = start_ask_json(seeded_db)
    stdin.write(QUESTION + "\n")
    stdin.flush()
    stdout.readline()
    stdout.close()  # like `| head -1`
    try:
        stdin.write((QUESTION + "\n") * 50)
        stdin.close()
    except BrokenPipeError:
        pass  # it has already stopped: that is fine too
    process.wait(TIMEOUT)
    errors = stderr.read()
    stderr.close()
    assert "Traceback" not in errors
    assert "BrokenPipeError" not in errors


def test_load_on_a_terminal_shows_a_progress_bar_and_in_a_pipe_none(tmp_path: Path) -> None:
    done, shown = on_a_terminal("load", "stderr", bot_env(tmp_path / "tty.sqlite3", SEEDS),
                                tmp_path)
    assert done.returncode == 0
    assert "25/25 files" in shown
    piped = run_bot("load", db=tmp_path / "pipe.sqlite3")
    assert "files," not in piped.stderr
    assert "added 25" in piped.stdout


def test_console_chat_on_a_terminal_shows_the_answering_part_bold(seeded_db: Path) -> None:
    """As Telegram shows it bold; in a pipe (test above) the text stays plain."""
    env = {k: v for k, v in bot_env(seeded_db, SEEDS).items() if k != "NO_COLOR"}
    done, shown = on_a_terminal("chat", "stdout", env, seeded_db.parent,
                                "How many people were killed in the Mecca crane collapse?\n")
    assert done.returncode == 0, done.stderr
    assert "killing \033[1m107\033[0m or more" in shown


def on_a_terminal(command: str, stream: str, env: dict[str, str], cwd: Path,
                  stdin: str = "") -> tuple[subprocess.CompletedProcess[str], str]:
    """Run `python -m bot <command>` with its `stream` ("stdout" or "stderr") on a pseudo
    terminal, the other in a pipe; what the terminal showed, decoded."""
    import pty

    controller, terminal = pty.openpty()
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, stream: terminal}
    try:
        done = subprocess.run([sys.executable, "-m", "bot", command], input=stdin, text=True,
                              env=env, cwd=cwd, timeout=TIMEOUT, check=False, **streams)
        os.close(terminal)
        shown = b""
        while chunk := _read_or_empty(controller):
            shown += chunk
    finally:
        os.close(controller)
    return done, shown.decode("utf-8", "replace")


def _read_or_empty(fd: int) -> bytes:
    """Read a pseudo-terminal; Linux raises EIO once the other end is closed."""
    try:
        return os.read(fd, 65536)
    except OSError:
        return b""


def test_importing_the_main_module_again_does_not_run_the_command_line(tmp_path: Path) -> None:
    """A spawned or fork-server worker process (bot.store.loading parses in them) may import the
    main module again under another name: it must not run the command line once more."""
    reimport = "import runpy; runpy.run_module('bot.__main__', run_name='__mp_main__')"
    result = subprocess.run(
        [sys.executable, "-c", reimport], capture_output=True, text=True,
        env=bot_env(tmp_path / "bot.sqlite3", SEEDS), cwd=tmp_path, timeout=TIMEOUT, check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_latest_lists_the_newest_articles_with_date_title_and_summary(seeded_db: Path) -> None:
    result = run_bot("latest", "-n", "2", db=seeded_db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("23 Feb 2023  Reports: 'streamlined' UK asylum process")
    assert lines[1].strip().startswith("The United Kingdom Home Office")  # its summary
    assert lines[2].startswith("18 Jun 2018  FIFA World Cup 2018 day five")
    assert "not listed: 1 without a date" in result.stdout  # the seed article has none
    refused = run_bot("latest", "-n", "0", db=seeded_db)
    assert refused.returncode == 2
    assert "not a positive whole number" in refused.stderr


def test_an_answer_shows_its_article_site_and_date(seeded_db: Path) -> None:
    result = run_bot("ask", "What caused the crane to fall in Mecca?", db=seeded_db)
    assert result.returncode == 0, result.stderr
    assert "— At least 107 killed in Mecca crane collapse (Wikinews, 12 Sep 2015)" in result.stdout
