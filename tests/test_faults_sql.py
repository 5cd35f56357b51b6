"""No SQL is ever built from user or article text.

A static check reads every module of bot/ and handlers/ (AST, not grep): SQL handed to
execute()/executemany()/executescript() is a literal, or an f-string whose only holes are
module constants (UPPER_CASE), int(...) or a run of "?" placeholders; sqlite-utils' where=,
order_by=, select=, limit= and offset= (pasted into SQL as they are) take literals only.
A behavioural check then loads articles whose titles, bodies and file names look like SQL
and asks SQL-looking questions: everything is stored and shown verbatim, nothing breaks.
"""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest

from bot.service import NewsService
from bot.store.knowledge import KnowledgeBase
from bot.store.usage import UsageLog

ROOT = Path(__file__).resolve().parents[1]
EXECUTE = {"execute", "executemany", "executescript"}
# sqlite-utils methods whose where / order_by / select / limit / offset become SQL text.
SQLITE_UTILS = {"rows_where", "pks_and_rows_where", "count_where", "delete_where", "search",
                "search_sql", "update", "delete", "rows", "query", "create_view"}
PASTED = {"where", "order_by", "select", "limit", "offset"}
WHERE_FIRST = {"rows_where", "pks_and_rows_where", "count_where", "delete_where"}


def is_constant_name(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id.isupper()


def is_int_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "int")


def is_placeholders(node: ast.AST) -> bool:
    """', '.join('?' * n) and the like: only '?' and separators can come out of it."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join" and isinstance(node.func.value, ast.Constant)
            and isinstance(node.func.value.value, str)
            and not node.func.value.value.strip(", ")):
        return False
    strings = [n.value for arg in node.args for n in ast.walk(arg)
               if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return bool(strings) and all(s == "?" for s in strings)


class Scanner:
    """Collects SQL built from anything but constants, in one module's source."""

    def __init__(self, source: str, name: str) -> None:
        self.tree = ast.parse(source)
        self.name = name
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent
        self.problems: list[str] = []

    def where(self, node: ast.AST) -> str:
        return f"{self.name}:{getattr(node, 'lineno', '?')}"

    def functions_around(self, node: ast.AST) -> list[ast.AST]:
        found = []
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                found.append(node)
        return found

    def safe_sql(self, node: ast.AST, around: ast.AST, depth: int = 0) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str)
        if is_constant_name(node):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.safe_hole(v.value, around, depth) for v in node.values
                       if isinstance(v, ast.FormattedValue))
        if isinstance(node, ast.Name) and depth < 3:
            return self.safe_origin(node.id, around, depth)
        return False  # + and % concatenation, .format(), calls: not provably constant

    def safe_hole(self, node: ast.AST, around: ast.AST, depth: int) -> bool:
        if is_constant_name(node) or is_int_call(node) or is_placeholders(node):
            return True
        if isinstance(node, ast.Name) and depth < 3:
            return self.safe_origin(node.id, around, depth, hole=True)
        return False

    def safe_origin(self, name: str, around: ast.AST, depth: int, hole: bool = False) -> bool:
        """Every assignment of `name` in the enclosing functions gives safe SQL (or a hole)."""
        origins: list[bool] = []
        for scope in self.functions_around(around):
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == name for t in node.targets):
                    value = node.value
                    origins.append(is_placeholders(value) or is_int_call(value) if hole
                                   else self.safe_sql(value, node, depth + 1))
                elif (isinstance(node, ast.For) and isinstance(node.target, ast.Name)
                      and node.target.id == name):
                    # for statement in split(SCHEMA): the statements of a constant script
                    call = node.iter
                    origins.append(isinstance(call, ast.Call) and bool(call.args) and all(
                        is_constant_name(a) or isinstance(a, ast.Constant) for a in call.args))
            if origins:
                break
        return bool(origins) and all(origins)

    def scan(self) -> list[str]:
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            method = node.func.attr
            if method in EXECUTE and node.args and not self.safe_sql(node.args[0], node):
                self.problems.append(f"{self.where(node)}: {method}() with SQL built from "
                                     f"a variable: {ast.unparse(node.args[0])[:80]}")
            if method in SQLITE_UTILS:
                for keyword in node.keywords:
                    if keyword.arg in PASTED and not (
                            isinstance(keyword.value, ast.Constant) or (is_int_call(keyword.value)
                            and keyword.arg in {"limit", "offset"})):
                        self.problems.append(f"{self.where(node)}: {method}({keyword.arg}=...) "
                                             f"pasted into SQL: {ast.unparse(keyword.value)}")
                if method in WHERE_FIRST and node.args and not isinstance(node.args[0],
                                                                           ast.Constant):
                    self.problems.append(f"{self.where(node)}: {method}() where clause built "
                                         f"from a variable")
        return self.problems


def scan_source(source: str, name: str = "<test>") -> list[str]:
    return Scanner(source, name).scan()


def test_no_sql_in_bot_or_handlers_is_built_from_variables() -> None:
    files = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")])
    assert len(files) > 20
    problems = [p for path in files
                for p in scan_source(path.read_text("utf-8"), str(path.relative_to(ROOT)))]
    assert problems == []


UNSAFE = {
    "f_string": 'def f(db, q):\n    db.execute(f"SELECT * FROM t WHERE x = \'{q}\'")\n',
    "percent": 'def f(db, q):\n    db.execute("SELECT * FROM t WHERE x = %s" % q)\n',
    "plus": 'def f(db, q):\n    db.execute("SELECT * FROM t WHERE x = " + q)\n',
    "format": 'def f(db, q):\n    db.execute("SELECT {}".format(q))\n',
    "via_variable": 'def f(db, q):\n    sql = f"DELETE FROM t WHERE x = {q}"\n'
                    '    db.execute(sql)\n',
    "hole_from_parameter": 'def f(db, marks):\n    db.execute(f"SELECT 1 IN ({marks})")\n',
    "where_kw": 'def f(db, q):\n    db["t"].rows_where(where=f"x = {q}")\n',
    "where_positional": 'def f(db, q):\n    db["t"].rows_where("x = " + q)\n',
    "order_by": 'def f(db, col):\n    db["t"].rows_where("x = ?", [1], order_by=col)\n',
    "limit": 'def f(db, n):\n    db["t"].rows_where("x = ?", [1], limit=n)\n',
    "executescript": 'def f(conn, text):\n    conn.executescript(text)\n',
}
SAFE = {
    "literal": 'def f(db, q):\n    db.execute("SELECT * FROM t WHERE x = ?", [q])\n',
    "constant": 'COLS = "a, b"\ndef f(db, q):\n    db.execute(f"SELECT {COLS} FROM t")\n',
    "placeholders": 'def f(db, ids):\n    marks = ", ".join("?" * len(ids))\n'
                    '    db.execute(f"SELECT 1 FROM t WHERE id IN ({marks})", ids)\n',
    "int_hole": 'def f(db, n):\n    db.execute(f"PRAGMA max_page_count = {int(n)}")\n',
    "schema_loop": 'SCHEMA = "..."\ndef f(db):\n    for s in split(SCHEMA):\n'
                   '        db.execute(s)\n',
}


@pytest.mark.parametrize("name", UNSAFE)
def test_the_scan_catches_sql_built_from_variables(name: str) -> None:
    assert scan_source(UNSAFE[name]), name


@pytest.mark.parametrize("name", SAFE)
def test_the_scan_passes_bound_values_and_constants(name: str) -> None:
    assert scan_source(SAFE[name]) == [], name


SQL_TITLES = [
    "Robert'); DROP TABLE articles;-- wins the election",
    '" OR 1=1 -- council votes on the bridge',
    "Mayor reads SELECT name FROM users WHERE id = 1 UNION SELECT token in speech",
]


def test_sql_looking_articles_and_questions_are_stored_and_shown_verbatim(
        tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for n, title in enumerate(SQL_TITLES):
        body = (f"The clerk typed '{n}' OR '1'='1' -- DELETE FROM facts into the council "
                f"website on Monday.\n\nOfficials voted {n + 7} to 2 for the bridge after "
                "reading SELECT * FROM vocabulary aloud.\n")
        (folder / f"x{n}'; DROP TABLE facts; --.txt").write_text(f"{title}\n\n{body}", "utf-8")
    service = NewsService(tmp_path / "kb.sqlite3", folder)
    report = service.reload()
    assert report.failed == []
    assert len(report.added) == len(SQL_TITLES)
    titles = sorted(a.title for a in service.kb.articles())
    assert titles == sorted(SQL_TITLES)
    assert all("DROP TABLE facts" in a.source_file for a in service.kb.articles())
    facts = service.kb.facts_of(service.kb.articles()[0].id)
    assert any("'1'='1' -- DELETE FROM facts" in f for f in facts)

    for question in ["'; DROP TABLE facts; --", "Robert'); DROP TABLE articles;--",
                     "SELECT * FROM vocabulary", '" OR 1=1 --', "%s {0} ? :name"]:
        service.ask(question)
        found = service.find_article(question)
        assert found is None or found.title in SQL_TITLES
    answer = service.ask("How many officials voted for the bridge after reading aloud?")
    assert answer.answered
    assert "SELECT * FROM vocabulary" in answer.facts[0].text

    usage = UsageLog(tmp_path / "usage.sqlite3")
    usage.record_question("'); DROP TABLE questions; --", answered=False)
    assert usage.stats().top_unanswered == [("'); DROP TABLE questions; --", 1)]
    usage.close()

    conn = sqlite3.connect(tmp_path / "kb.sqlite3")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert {"articles", "facts", "vocabulary", "meta"} <= tables
    assert KnowledgeBase(tmp_path / "kb.sqlite3").fact_count() == sum(
        a.fact_count for a in service.kb.articles())
