"""Local fixtures for integration tests: apps with settings of their own, row counts."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.accounts.models import Role, User
from frontdesk.app import create_app
from frontdesk.clock import FixedClock
from frontdesk.db.engine import make_engine
from frontdesk.db.tables import metadata
from frontdesk.kb.community import Community
from frontdesk.kb.service import KnowledgeBase
from frontdesk.services import Services
from tests.conftest import make_settings, started
from tests.factories import make_user
from tests.integration.chat_clients import Servers


@pytest.fixture
def servers(database_url: str, tmp_path: Any, clock: FixedClock) -> Iterator[Servers]:
    """Live servers with settings of their own on this test's store and clock; stopped,
    and their Redis keys dropped, at the end."""
    made = Servers(database_url, tmp_path, clock)
    try:
        yield made
    finally:
        made.stop()


@pytest.fixture
def own_servers(database_url: str, tmp_path: Any, clock: FixedClock) -> Iterator[Servers]:
    """`servers` for a Redis of the test's own (`own_redis`), which may be down by the
    end: its keys go with it, so only the servers are stopped."""
    made = Servers(database_url, tmp_path, clock)
    try:
        yield made
    finally:
        made.stop_servers()


@pytest.fixture
async def start_app(
    database_url: str, tmp_path: Any, clock: FixedClock
) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """Start a Quart app on this test's store with settings overrides; stopped at the end.

    `quart_app = await start_app(throttle_per_address=3)`
    """
    async with contextlib.AsyncExitStack() as stack:

        async def start(**overrides: Any) -> Any:
            settings = make_settings(database_url, tmp_path, **overrides)
            quart_app = create_app(settings, clock).other_asgi_app
            await stack.enter_async_context(started(quart_app))
            return quart_app

        yield start


@pytest.fixture
def store_counts(services: Services) -> Callable[[], Awaitable[dict[str, int]]]:
    """Rows per table of the app's store, to show that a refused request changed nothing."""

    async def counts() -> dict[str, int]:
        async with services.engine.connect() as conn:
            return {
                table.name: int(
                    (await conn.execute(select(func.count()).select_from(table))).scalar_one()
                )
                for table in metadata.sorted_tables
            }

    return counts


def stored_files(settings: Any) -> list[Path]:
    """Every file under the data directory (attachments), sorted."""
    root = Path(settings.data_dir)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def unchanged(
    store_counts: Callable[[], Awaitable[dict[str, int]]], settings: Any
) -> Callable[[], Awaitable[tuple[dict[str, int], list[Path]]]]:
    """Call before and after: rows per table and files under the data directory."""

    async def snapshot() -> tuple[dict[str, int], list[Path]]:
        return await store_counts(), stored_files(settings)

    return snapshot


# Personas: a module may define its own of the same name, which then takes precedence.


@pytest.fixture
async def customer(services: Services) -> User:
    return await make_user(services, first_name="Ann", last_name="Example")


@pytest.fixture
async def agent(services: Services) -> User:
    return await make_user(services, Role.AGENT, first_name="Sam", last_name="Agent")


@pytest.fixture
async def kb_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine over a fresh, empty store of this test's own: `kb` and `community`
    share it, as on a node."""
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def kb(kb_engine: AsyncEngine, clock: FixedClock) -> KnowledgeBase:
    """A KnowledgeBase over a fresh, empty store of this test's own."""
    return KnowledgeBase(kb_engine, clock)


@pytest.fixture
def community(kb_engine: AsyncEngine, clock: FixedClock) -> Community:
    """Community discussions over the same store as `kb`."""
    return Community(kb_engine, clock)
