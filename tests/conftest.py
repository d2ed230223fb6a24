"""Shared fixtures: stores, settings, apps, clients, a live server, users."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from frontdesk.app import create_app
from frontdesk.clock import FixedClock
from frontdesk.services import Services
from frontdesk.settings import Settings
from tests.live import LiveServer
from tests.services import (
    POSTGRES_URL,
    REDIS_URL,
    chromium_problem,
    postgres_problem,
    redis_problem,
    require,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.usefixtures("_needs_postgres"))
        if item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.usefixtures("_needs_redis"))
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.usefixtures("_needs_chromium"))


@pytest.fixture
def _needs_postgres() -> None:
    require(postgres_problem())


@pytest.fixture
def _needs_redis() -> None:
    require(redis_problem())


@pytest.fixture
def _needs_chromium() -> None:
    require(chromium_problem())


# Stores ----------------------------------------------------------------------------------


async def _create_postgres_database() -> tuple[str, str]:
    import asyncpg

    name = f"frontdesk_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


async def _drop_postgres_database(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[str]:
    """A fresh, empty store for each test: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}"
        return
    name, url = await _create_postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


def make_settings(database_url: str, tmp_path: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": "test-secret-key-" + "x" * 32,
        "public_url": "http://127.0.0.1:8000",
        "data_dir": tmp_path / "data",
        "auto_migrate": True,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return make_settings(database_url, tmp_path)


# Apps and clients ------------------------------------------------------------------------


@pytest.fixture
async def web_app(settings: Settings, clock: FixedClock) -> AsyncIterator[Any]:
    """The Quart app, started (migrated, background tasks running) and stopped around
    the test."""
    asgi = create_app(settings, clock)
    quart_app = asgi.other_asgi_app
    async with quart_app.test_app():
        yield quart_app


@pytest.fixture
def services(web_app: Any) -> Services:
    found: Services = web_app.extensions["frontdesk"]
    return found


@pytest.fixture
def client(web_app: Any) -> Any:
    return web_app.test_client()


@pytest.fixture
def redis_url() -> str:
    require(redis_problem())
    return REDIS_URL


@pytest.fixture
def live_server(settings: Settings, clock: FixedClock) -> Iterator[LiveServer]:
    """The whole ASGI app (socket.io and Quart) under uvicorn on a free port."""
    server = LiveServer(create_app(settings, clock))
    server.start()
    try:
        yield server
    finally:
        server.stop()
