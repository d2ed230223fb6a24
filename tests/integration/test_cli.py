"""The frontdesk command: migrate, demo (idempotent), user add, refusals."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import func, select

from frontdesk.__main__ import main
from frontdesk.db.engine import make_engine
from frontdesk.db.tables import users

# On both stores: the commands run against either store.
pytestmark = pytest.mark.both_stores


@pytest.fixture(autouse=True)
def _restore_logging():
    """main() points the root logger at this test's captured stderr; put it back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("FRONTDESK_ENV", "demo")
    monkeypatch.chdir(tmp_path)
    return database_url


def count_users(database_url: str, **where: str) -> int:
    async def count() -> int:
        engine = make_engine(database_url)
        try:
            query = select(func.count()).select_from(users)
            for column, value in where.items():
                query = query.where(users.c[column] == value)
            async with engine.connect() as conn:
                return int((await conn.execute(query)).scalar_one())
        finally:
            await engine.dispose()

    return asyncio.run(count())


def test_demo_creates_each_account_once_and_prints_sign_ins(env, capsys):
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert "[4/4]" in first
    assert "ann.example@school.sch.uk" in first and "Customer123" in first
    assert main(["demo"]) == 0
    assert "(exists)" in capsys.readouterr().out
    assert count_users(env) == 4


def test_user_add_creates_a_verified_user_with_the_role(env, capsys):
    assert main(["migrate"]) == 0
    argv = ["user", "add", "kim@centre.ac.uk", "--role", "agent", "--first-name", "Kim"]
    assert main([*argv, "--last-name", "Lee", "--password", "Secret1tree"]) == 0
    assert "added agent kim@centre.ac.uk" in capsys.readouterr().out
    assert count_users(env, role="agent", username_key="kim@centre.ac.uk") == 1


def test_user_add_refuses_a_weak_password_and_adds_nothing(env, capsys):
    assert main(["migrate"]) == 0
    argv = ["user", "add", "kim@centre.ac.uk", "--first-name", "Kim", "--last-name", "Lee"]
    assert main([*argv, "--password", "weak"]) == 2
    assert "8 or more characters" in capsys.readouterr().err
    assert count_users(env) == 0


def test_user_add_refuses_a_duplicate(env, capsys):
    assert main(["migrate"]) == 0
    argv = ["user", "add", "kim@centre.ac.uk", "--first-name", "Kim", "--last-name", "Lee"]
    assert main([*argv, "--password", "Secret1tree"]) == 0
    assert main([*argv, "--password", "Secret1tree"]) == 1
    assert "exists already" in capsys.readouterr().err
    assert count_users(env) == 1


def test_production_refuses_the_demo_secret_key(monkeypatch, capsys):
    monkeypatch.setenv("FRONTDESK_ENV", "production")
    monkeypatch.delenv("FRONTDESK_SECRET_KEY", raising=False)
    assert main(["migrate"]) == 2
    assert "demo key" in capsys.readouterr().err


def test_demo_data_is_refused_in_production(monkeypatch, capsys):
    monkeypatch.setenv("FRONTDESK_ENV", "production")
    monkeypatch.setenv("FRONTDESK_SECRET_KEY", "s" * 40)
    assert main(["demo"]) == 2
    assert "refusing" in capsys.readouterr().err
