"""Imports flow one way: only the transports (web/, chat/namespaces.py, fanout.py,
local_emit.py) and the wiring (app.py, asgi.py) may import Quart or socket.io; and a
migration imports no live code."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "frontdesk"
TRANSPORTS = ("web/", "chat/namespaces.py", "fanout.py", "local_emit.py", "app.py", "asgi.py")
FRAMEWORKS = {"quart", "quart_schema", "socketio", "engineio", "werkzeug"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


DOMAIN_MODULES = sorted(
    path
    for path in PACKAGE.rglob("*.py")
    if not str(path.relative_to(PACKAGE)).startswith(TRANSPORTS) and "migrations" not in path.parts
)


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_domain_module_imports_no_web_framework(path):
    assert not imported_roots(path) & FRAMEWORKS


def test_the_walk_found_the_domain():
    names = {str(path.relative_to(PACKAGE)) for path in DOMAIN_MODULES}
    assert {"accounts/service.py", "services.py", "mail.py"} <= names


def imported_modules(path: Path) -> set[str]:
    """Every module named by an absolute import anywhere in the file (functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


CHAT_MODULES = sorted((PACKAGE / "chat").glob("*.py"))


@pytest.mark.parametrize("path", CHAT_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_chat_writes_cases_only_through_their_verbs(path):
    """chat/ asks cases/ (cases.actions, inside its own transaction); it never reaches
    cases' store, so each case rule lives in one function."""
    assert not {name for name in imported_modules(path) if name.startswith("frontdesk.cases.store")}


QUEUE_STORAGE = ("frontdesk.queue.backend", "frontdesk.queue.memory_backend",
                 "frontdesk.queue.redis_backend")  # fmt: skip


def attributes_read(source: str) -> set[str]:
    return {n.attr for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Attribute)}


@pytest.mark.parametrize("path", CHAT_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_chat_reaches_the_queue_only_through_the_router(path):
    """Every routing step passes the Router's rules: chat/ neither imports a queue
    backend nor reaches for one behind the router."""
    assert not {name for name in imported_modules(path) if name.startswith(QUEUE_STORAGE)}
    assert not {"backend", "_backend"} & attributes_read(path.read_text())


def test_the_attribute_walk_sees_a_reach_through():
    assert "backend" in attributes_read("await live.router.backend.set_agent(1)")


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_domain_module_imports_the_web_layer(path):
    """Arrows run from web/ to the domain, never back (chat/namespaces.py included)."""
    assert not {name for name in imported_modules(path) if name.startswith("frontdesk.web")}


def test_the_socket_transport_imports_nothing_from_web():
    path = PACKAGE / "chat" / "namespaces.py"
    assert not {name for name in imported_modules(path) if name.startswith("frontdesk.web")}


# Migrations -------------------------------------------------------------------------------

MIGRATIONS = PACKAGE / "db" / "migrations" / "versions"
MIGRATION_FILES = sorted(MIGRATIONS.glob("*.py"))
# Column types are part of what a table is, and the migrations reference them by design
# (Alembic writes `frontdesk.db.types.UTCDateTime`); any other frontdesk code may change
# after a revision is written, and the revision's meaning with it.
COLUMN_TYPES = "frontdesk.db.types"


def frontdesk_imports(source: str) -> set[str]:
    """Every frontdesk name a module imports, wherever the import is (inside functions
    and classes too), as dotted paths: `from frontdesk.db import engine` is
    "frontdesk.db.engine". A relative import is frontdesk code, named by its dots;
    `import_module("frontdesk...")` and `__import__` with a literal count too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.ImportFrom):
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and (name := _dynamic_import(node)):
            found.add(name)
    return {name for name in found if name.startswith(".") or name.split(".")[0] == "frontdesk"}


def _dynamic_import(call: ast.Call) -> str | None:
    """The module named by `import_module("...")` or `__import__("...")`, if a literal."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    first = call.args[0] if call.args else None
    if called in {"import_module", "__import__"} and isinstance(first, ast.Constant):
        return str(first.value)
    return None


def live_code(names: set[str]) -> set[str]:
    return {n for n in names if n != COLUMN_TYPES and not n.startswith(f"{COLUMN_TYPES}.")}


@pytest.mark.parametrize("path", MIGRATION_FILES, ids=lambda p: p.name)
def test_a_migration_imports_no_frontdesk_code_but_column_types(path):
    assert live_code(frontdesk_imports(path.read_text())) == set()


def test_the_migration_walk_finds_every_revision_and_imports_at_any_depth():
    assert {"0001_accounts.py", "0006_search_at_scale.py"} <= {p.name for p in MIGRATION_FILES}
    source = """
import frontdesk.db.types
from frontdesk.db.types import UTCDateTime
import sqlalchemy as sa

def upgrade():
    from frontdesk.kb.text import title_key
    if True:
        import frontdesk.kb.store as store

class Later:
    def run(self):
        from frontdesk.db import engine, types
        from . import sibling
        importlib.import_module("frontdesk.kb.search")
"""
    assert live_code(frontdesk_imports(source)) == {
        "frontdesk.kb.text.title_key",
        "frontdesk.kb.store",
        "frontdesk.db.engine",
        ".",
        "frontdesk.kb.search",
    }


def load_migration(name: str) -> ModuleType:
    """A revision's module, loaded from its file as Alembic loads it."""
    path = MIGRATIONS / name
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# What migration 0006 wrote into kb_articles.title_key: fixed here, not computed from
# kb.text.title_key, which may differ from it later by a conscious decision.
TITLE_KEYS_0006 = {
    "UCI Numbers": " uci numbers ",
    "Entries: UK centre entry deadlines": " entries uk centre entry deadlines ",
    "Centre's results": " centre s results ",  # an apostrophe splits a word
    "Résultats d\u2019été 2026": " resultats d ete 2026 ",  # accents folded, U+2019 splits
    "Café naïve Ångström": " cafe naive angstrom ",
    "STRASSE Straße": " strasse strasse ",  # case folded, not only lowered
    "GCSE (9\u20131) grades": " gcse 9 1 grades ",
    "½ term dates": " 1 2 term dates ",  # folded to 1, a fraction slash, 2: split again
    "Ⅻ ① x²": " xii 1 x2 ",
    "snake_case and dash-case": " snake case and dash case ",
    "ﬁnal <b>results</b>": " final b results b ",
    "": "  ",
    "   ": "  ",
}


@pytest.mark.parametrize(("title", "key"), TITLE_KEYS_0006.items())
def test_migration_0006_keys_titles_as_when_it_was_written(title, key):
    assert load_migration("0006_search_at_scale.py")._title_key(title) == key
