"""The core stays light: importing it never pulls in Telegram (click's test_light_imports)."""

from __future__ import annotations

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
    ["bot", "bot.cli", "bot.service", "bot.answers", "bot.loading", "bot.knowledge",
     "bot.settings"],
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
