"""The core stays light: importing it never pulls in Telegram (click's test_light_imports);
front ends stay thin: they never reach past NewsService into the knowledge base; each wing
of bot/ imports only the wings below it, and no module of bot/ imports itself in a circle."""

from __future__ import annotations

import ast
import shutil
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


# The wings of bot/, from the floor up (README, "Layout"): a module may import its own wing
# and the wings on the floors below, never one beside or above it. "bot" is the rest of the
# top (rendering, progress); the command line ("bot.cli": cli, __main__) is above the front
# end it starts (handlers, imported on `run` only); telegram is no part of bot/ at all.
FLOORS = [{"bot.text", "bot.config"}, {"bot.ingest"}, {"bot.store"}, {"bot.answer"},
          {"bot.service"}, {"bot.intake"}, {"bot"}, {"handlers"}, {"bot.cli"}]
FLOOR = {wing: floor for floor, wings in enumerate(FLOORS) for wing in wings}
PACKAGES = {"text", "config", "ingest", "store", "answer", "intake"}
TOP_MODULES = {"__init__", "__main__", "cli", "progress", "rendering", "service"}


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def wing_of(module: str) -> str | None:
    """The wing a module belongs to; None for the standard library and other packages."""
    first, *rest = module.split(".")
    if first in {"telegram", "handlers"}:
        return first
    if first != "bot":
        return None
    if rest and rest[0] in {"cli", "__main__"}:
        return "bot.cli"
    return f"bot.{rest[0]}" if rest and f"bot.{rest[0]}" in FLOOR else "bot"


def is_module(root: Path, module: str) -> bool:
    path = root.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(root: Path, path: Path) -> list[tuple[int, str]]:
    """Every module `path` imports, anywhere in it (functions, TYPE_CHECKING blocks too),
    relative imports resolved; `from package import module` names the module."""
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[:len(parts) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                inner = f"{target}.{alias.name}"
                found.append((node.lineno, inner if is_module(root, inner) else target))
    return found


def bot_modules(root: Path) -> list[Path]:
    return sorted((root / "bot").rglob("*.py"))


def import_problems(root: Path) -> list[str]:
    """Each import in bot/ (under `root`) of a wing beside or above the importer's, and of
    telegram anywhere."""
    problems = []
    for path in bot_modules(root):
        wing = wing_of(module_name(root, path))
        assert wing is not None
        for line, target in imports_of(root, path):
            to = wing_of(target)
            if to is None or to == wing:
                continue
            if to == "telegram" or FLOOR[to] >= FLOOR[wing]:
                problems.append(f"{path.relative_to(root)}:{line} ({wing}) imports {target}")
    return problems


def import_cycles(root: Path) -> list[list[str]]:
    """The circles among bot/'s modules, each from its first module in sorted order."""
    graph = {module_name(root, path): {t for _, t in imports_of(root, path)
                                       if t.startswith("bot.") or t == "bot"}
             for path in bot_modules(root)}
    cycles: list[list[str]] = []
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            circle = trail[trail.index(module):]
            first = circle.index(min(circle))
            circle = [*circle[first:], *circle[:first]]
            if [*circle, circle[0]] not in cycles:
                cycles.append([*circle, circle[0]])
            return
        if module in done or module not in graph:
            return
        for target in sorted(graph[module]):
            visit(target, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return cycles


def test_every_module_of_bot_is_in_a_wing_or_at_the_top() -> None:
    top = {path.stem for path in (ROOT / "bot").glob("*.py")}
    packages = {path.parent.name for path in (ROOT / "bot").glob("*/__init__.py")}
    assert top == TOP_MODULES
    assert packages == PACKAGES
    assert not [p for p in (ROOT / "bot").glob("*/*/") if p.name != "__pycache__"]


def test_no_module_of_bot_imports_a_wing_above_its_own_or_telegram() -> None:
    assert len(bot_modules(ROOT)) > 45
    assert import_problems(ROOT) == []


def test_no_import_circle_among_the_modules_of_bot() -> None:
    assert import_cycles(ROOT) == []


def planted(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of bot/'s code with `line` added at the end of `module` (a path in bot/)."""
    shutil.copytree(ROOT / "bot", tmp_path / "bot",
                    ignore=shutil.ignore_patterns("__pycache__", "*.json", "*.npz"))
    target = tmp_path / "bot" / module
    target.write_text(target.read_text(encoding="utf-8") + line, encoding="utf-8")
    return tmp_path


BAD_IMPORTS = {
    "store_imports_answer": ("store/knowledge.py", "from bot.answer import answers\n",
                             "bot/store/knowledge.py", "bot.answer.answers"),
    "ingest_imports_the_service": ("ingest/articles.py", "from bot.service import NewsService\n",
                                   "bot/ingest/articles.py", "bot.service"),
    "ingest_imports_store": ("ingest/pages.py", "import bot.store.knowledge\n",
                             "bot/ingest/pages.py", "bot.store.knowledge"),
    "relative_from_ingest_to_intake": ("ingest/reading.py", "from ..intake import feeds\n",
                                       "bot/ingest/reading.py", "bot.intake.feeds"),
    "relative_from_text_to_store": ("text/words.py", "from ..store.usage import UsageLog\n",
                                    "bot/text/words.py", "bot.store.usage"),
    "store_imports_handlers": ("store/usage.py", "import handlers.app\n",
                               "bot/store/usage.py", "handlers.app"),
    "answer_imports_intake": ("answer/scoring.py",
                              "def late():\n    from bot.intake.links import LINK_RE\n",
                              "bot/answer/scoring.py", "bot.intake.links"),
    "the_old_circle": ("answer/lookup.py", "from typing import TYPE_CHECKING\n\n"
                       "if TYPE_CHECKING:\n    from bot.service import NewsService\n",
                       "bot/answer/lookup.py", "bot.service"),
    "top_imports_telegram": ("rendering.py", "from telegram import Update\n",
                             "bot/rendering.py", "telegram"),
    "service_imports_intake": ("service.py", "from bot.intake import feeds\n",
                               "bot/service.py", "bot.intake.feeds"),
    "rendering_imports_handlers": ("rendering.py", "import handlers.formatting\n",
                                   "bot/rendering.py", "handlers.formatting"),
    "rendering_imports_the_command_line": ("rendering.py", "from . import cli\n",
                                           "bot/rendering.py", "bot.cli"),
    "command_line_imports_telegram": ("cli.py", "import telegram.ext\n",
                                      "bot/cli.py", "telegram.ext"),
}


@pytest.mark.parametrize("case", BAD_IMPORTS)
def test_the_import_rule_fails_on_a_planted_bad_import(tmp_path: Path, case: str) -> None:
    module, line, where, target = BAD_IMPORTS[case]
    root = planted(tmp_path, module, line)
    problems = import_problems(root)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{where}:")
    assert problems[0].endswith(f" imports {target}")


@pytest.mark.parametrize(("module", "line"), [
    ("ingest/dates.py", "from bot.text.words import words\n"),
    ("store/usage.py", "from .knowledge import KnowledgeBase\n"),
    ("answer/highlight.py", "from bot.ingest import keyfacts\nfrom bot.config import settings\n"),
    ("intake/feeds.py", "from ..service import NewsService\n"),
])
def test_the_import_rule_lets_a_wing_import_itself_and_those_below(
        tmp_path: Path, module: str, line: str) -> None:
    assert import_problems(planted(tmp_path, module, line)) == []


def test_a_planted_circle_is_found(tmp_path: Path) -> None:
    root = planted(tmp_path, "store/postings.py", "from bot.store import knowledge\n")
    assert import_problems(root) == []  # within one wing: only the circle is wrong
    assert ["bot.store.knowledge", "bot.store.postings", "bot.store.knowledge"] in \
        import_cycles(root)
    lookup = planted(tmp_path / "old", "answer/lookup.py",
                     "from bot.service import NewsService\n")
    assert ["bot.answer.lookup", "bot.service", "bot.answer.lookup"] in import_cycles(lookup)
