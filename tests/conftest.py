"""Shared fixtures: stores, settings, apps, clients, a live server, users."""

from __future__ import annotations

import asyncio
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from quart.testing.app import TestApp
from sqlalchemy.engine import make_url

from frontdesk.app import create_app
from frontdesk.clock import FixedClock
from frontdesk.db.engine import make_engine
from frontdesk.db.migrate import migrate
from frontdesk.services import Services
from frontdesk.settings import Settings
from tests.live import LiveServer, running, serve_at_own_url
from tests.own_redis import OwnRedis
from tests.services import (
    POSTGRES_URL,
    REDIS_URL,
    chromium_problem,
    postgres_problem,
    redis_problem,
    require,
)
from tests.threads import is_aiosqlite_shutdown_race


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Forgive aiosqlite's one known shutdown race, and nothing else.

    A query still on aiosqlite's worker thread when its task is cancelled at a test's end
    hands its unwanted result to a loop that has closed since, and the thread raises
    "Event loop is closed" (omnilib/aiosqlite#241, open upstream). The result was already
    abandoned; every other thread error still fails the test that caused it."""
    report = threading.excepthook

    def excepthook(args: threading.ExceptHookArgs) -> None:
        if not is_aiosqlite_shutdown_race(args):
            report(args)

    threading.excepthook = excepthook


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test on both stores only when what it checks depends on the store.

    Most tests check HTTP, sockets or policy, which read the same on either store; they
    run on SQLite. A test (or module) marked `both_stores` runs on SQLite and PostgreSQL:
    SQL the two dialects write or order differently, search, locks and unique races,
    migrations, and what several nodes share through the store."""
    if not metafunc.definition.get_closest_marker("both_stores"):
        return
    for name in STORE_FIXTURES:
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, STORES, indirect=True)


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


async def _create_postgres_database(template: str | None = None) -> tuple[str, str]:
    import asyncpg

    name = f"frontdesk_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""))
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
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


STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
# The fixtures that pytest_generate_tests gives both stores to.
STORE_FIXTURES = ("database_url", "empty_database_url")


def _store_of(request: pytest.FixtureRequest) -> str:
    """The store a test asked for: SQLite unless it was given both (`both_stores`)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[str]:
    """A fresh, empty store: a SQLite file, or a new PostgreSQL database."""
    if _store_of(request) == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}"
        return
    name, url = await _create_postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(name)


async def _migrated(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once; each test gets a copy (migrating per test
    costs far more than copying a file)."""
    path = tmp_path_factory.mktemp("template") / "frontdesk.db"
    asyncio.run(_migrated(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str]:
    """A migrated PostgreSQL database, made once; each test's database is created from
    it with CREATE DATABASE ... TEMPLATE, a file-level copy."""
    require(postgres_problem())
    name, url = asyncio.run(_create_postgres_database())
    asyncio.run(_migrated(url))
    yield name
    asyncio.run(_drop_postgres_database(name))


@pytest.fixture(scope="session")
def _postgres_worker_database(_postgres_template: str) -> Iterator[str]:
    """This test worker's PostgreSQL database, copied from the template once; each test
    empties it instead of copying anew. Measured: a copy and a drop took 0.6-1.1 s a
    test, emptying 0.03-0.2 s (350 tests on PostgreSQL)."""
    name, url = asyncio.run(_create_postgres_database(template=_postgres_template))
    yield url
    asyncio.run(_drop_postgres_database(name))


async def _emptied_postgres_database(url: str) -> None:
    """Every row gone and every sequence back at 1, as in a fresh copy of the template
    (the migrations add no rows). What connections a test left are ended first, as
    DROP DATABASE ... WITH (FORCE) would."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        tables = await connection.fetch(
            "SELECT quote_ident(tablename) AS name FROM pg_tables"
            " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        sequences = await connection.fetch(
            "SELECT quote_ident(sequencename) AS name FROM pg_sequences WHERE schemaname = 'public'"
        )
        async with connection.transaction():
            # Deleting in any order: the foreign keys' triggers stay quiet meanwhile.
            await connection.execute("SET LOCAL session_replication_role = replica")
            for table in tables:
                # The name is the catalogue's own, through quote_ident.
                await connection.execute(f"DELETE FROM {table['name']}")  # noqa: S608
            for sequence in sequences:
                await connection.execute("SELECT setval($1::regclass, 1, false)", sequence["name"])
    finally:
        await connection.close()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A fresh store at the newest schema for each test: SQLite, or also PostgreSQL for
    a test marked `both_stores`.

    Synchronous on purpose: it sets up outside the test's event loop, so the templates
    it asks for can be made with asyncio.run."""
    if _store_of(request) == "sqlite":
        path = tmp_path / "frontdesk.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("_postgres_worker_database")
    asyncio.run(_emptied_postgres_database(url))
    yield url


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
        # Cheap hashes: the cost is argon2's business, not what these tests check.
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        # Easy human checks: tests solve them in Python, not in a browser's WebCrypto. At
        # Contact Us's 2,000 every case a test opened cost 0.3 s of PBKDF2, a quarter of
        # the suite's time.
        "sign_in_check_max_counter": 50,
        "contact_check_max_counter": 50,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return make_settings(database_url, tmp_path)


# Apps and clients ------------------------------------------------------------------------


# Quart's test harness allows 6 s to stop; under three xdist workers on two cores a
# PostgreSQL pool can take longer to close, which is no failure of the test.
STOP_TIMEOUT_SECONDS = 30


def started(quart_app: Any) -> Any:
    """The app's lifespan around a block, as Quart's test_app() with a longer stop."""
    return TestApp(quart_app, shutdown_timeout=STOP_TIMEOUT_SECONDS)


@pytest.fixture
async def web_app(settings: Settings, clock: FixedClock) -> AsyncIterator[Any]:
    """The Quart app, started (migrated, background tasks running) and stopped around
    the test."""
    asgi = create_app(settings, clock)
    quart_app = asgi.other_asgi_app
    async with started(quart_app):
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
def own_redis() -> Iterator[OwnRedis]:
    """A redis-server of this test's own, to kill and start again empty."""
    redis = OwnRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.kill()


@pytest.fixture
def live_server(settings: Settings, clock: FixedClock) -> Iterator[LiveServer]:
    """The whole ASGI app (socket.io and Quart) under uvicorn on a free port, which is
    its public URL's (so sockets accept its pages, and links in emails point at it)."""
    with running(
        serve_at_own_url(
            lambda url: create_app(settings.model_copy(update={"public_url": url}), clock)
        )
    ) as server:
        yield server
