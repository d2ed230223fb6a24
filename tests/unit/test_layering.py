"""Imports flow one way: only the transports (web/, chat/namespaces.py) and the wiring
(app.py, asgi.py) may import Quart or socket.io."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "frontdesk"
TRANSPORTS = ("web/", "chat/namespaces.py", "app.py", "asgi.py")
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


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_domain_module_imports_the_web_layer(path):
    """Arrows run from web/ to the domain, never back (chat/namespaces.py included)."""
    assert not {name for name in imported_modules(path) if name.startswith("frontdesk.web")}


def test_the_socket_transport_imports_nothing_from_web():
    path = PACKAGE / "chat" / "namespaces.py"
    assert not {name for name in imported_modules(path) if name.startswith("frontdesk.web")}
