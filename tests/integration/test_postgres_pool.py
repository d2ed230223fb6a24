"""PostgreSQL connections are kept, not churned (db/engine.make_engine): a burst of
transactions past the pool's size waits for a connection instead of opening one of its
own that is closed again as soon as it is given back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text

from frontdesk.db.engine import dispose, make_engine, transaction

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

SIZE = 3


async def test_bursts_past_the_pool_reuse_its_connections(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=SIZE)
    opened = 0

    def count(*_: Any) -> None:
        nonlocal opened
        opened += 1

    event.listen(engine.sync_engine, "connect", count)

    async def one(n: int) -> int:
        async with transaction(engine) as conn:
            await conn.execute(text("SELECT pg_sleep(0.02)"))
            return int(
                (await conn.execute(text("SELECT CAST(:n AS integer)"), {"n": n})).scalar_one()
            )

    try:
        for _ in range(2):  # the second burst finds the first one's connections
            answers = await asyncio.wait_for(asyncio.gather(*(one(n) for n in range(12))), 30)
            assert answers == list(range(12))
        assert opened == SIZE
    finally:
        await dispose(engine)
