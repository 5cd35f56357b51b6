"""The core stays light: importing it never pulls in Telegram (click's test_light_imports);
front ends stay thin: they never reach past NewsService into the knowledge base."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = """
import sys
import {module}
loaded = [m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')]
assert not loaded, loaded
import {module} as m
print(m.__name__)
"""


@pytest.mark.parametrize(
    "module",
    ["bot", "bot.cli", "bot.service", "bot.answer.answers", "bot.store.loading",
     "bot.store.knowledge", "bot.config.settings", "bot.intake.feeds"],
)
def test_importing_the_core_does_not_import_telegram(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(module=module)], cwd=ROOT, capture_output=True,
        text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == module


def test_the_check_would_notice_telegram() -> None:
    probe = "import sys, telegram; print(any(m == 'telegram' for m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "True", result.stderr


FRONT_ENDS = [*sorted((ROOT / "handlers").glob("*.py")), ROOT / "bot" / "cli.py"]
# What NewsService keeps to itself: reads through these would skip its one-view snapshot.
CORE_INSIDES = {"kb", "engine"}


def test_front_ends_read_only_through_the_service() -> None:
    reached = [f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}"
               for path in FRONT_ENDS
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Attribute) and node.attr in CORE_INSIDES]
    assert len(FRONT_ENDS) > 5
    assert reached == []
