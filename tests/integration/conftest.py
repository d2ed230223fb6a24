"""Local fixtures for integration tests: apps with settings of their own, row counts."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from frontdesk.accounts.models import Role, User
from frontdesk.app import create_app
from frontdesk.clock import FixedClock
from frontdesk.db.tables import metadata
from frontdesk.services import Services
from tests.conftest import make_settings, started
from tests.factories import make_user
from tests.kb_factories import knowledge_base


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


# Personas: a module may define its own of the same name, which then takes precedence.


@pytest.fixture
async def customer(services: Services) -> User:
    return await make_user(services, first_name="Ann", last_name="Example")


@pytest.fixture
async def agent(services: Services) -> User:
    return await make_user(services, Role.AGENT, first_name="Sam", last_name="Agent")


@pytest.fixture
async def kb(database_url: str, clock: FixedClock) -> AsyncIterator[Any]:
    """A KnowledgeBase over a fresh, empty store of this test's own."""
    async for knowledge_base_ in knowledge_base(database_url, clock):
        yield knowledge_base_
