"""SQLite writes on the event loop's thread (db/inline.py): writers of one process take
turns in order, and a writer that meets the lock held by another engine of the same file
waits without stopping the loop that engine needs to finish."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.db.engine import (
    dispose,
    driver_transaction,
    has_driver_writes,
    looking_up,
    make_engine,
    reading,
    transaction,
)


async def _table(url: str) -> None:
    engine = make_engine(url)
    async with transaction(engine) as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    await dispose(engine)


async def _bodies(engine: object) -> list[str]:
    async with reading(engine) as conn:  # type: ignore[arg-type]
        return list((await conn.execute(text("SELECT body FROM notes ORDER BY id"))).scalars())


def _insert_note(body: str) -> Callable[[sqlite3.Connection], int]:
    def work(conn: sqlite3.Connection) -> int:
        row_id = conn.execute("INSERT INTO notes (body) VALUES (?)", (body,)).lastrowid
        assert row_id is not None
        return row_id

    return work


async def _pooled_write(engine: AsyncEngine, body: str) -> None:
    async with transaction(engine) as conn:
        await conn.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})


async def _driver_write(engine: AsyncEngine, body: str) -> None:
    await driver_transaction(engine, _insert_note(body))


@pytest.mark.parametrize("write", [_pooled_write, _driver_write], ids=["pooled", "driver"])
async def test_a_writer_waits_for_another_engine_of_the_file_without_stopping_the_loop(
    tmp_path: Path, write: Callable[[AsyncEngine, str], Awaitable[None]]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    await _table(url)
    first, second = make_engine(url), make_engine(url)
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold_the_lock() -> None:
        async with transaction(first) as conn:
            await conn.execute(text("INSERT INTO notes (body) VALUES ('first')"))
            holding.set()
            await release.wait()  # the lock stays held until the loop runs this again

    holder = asyncio.create_task(hold_the_lock())
    await asyncio.wait_for(holding.wait(), 5)
    writer = asyncio.create_task(write(second, "second"))
    # Had the second writer slept in SQLite's busy handler, the loop would stop here and
    # the first could never commit: both would wait out the 30 s timeout, then fail.
    async with looking_up(second) as conn:
        assert (await conn.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0
    assert not writer.done()
    release.set()
    await asyncio.wait_for(asyncio.gather(holder, writer), 5)
    assert await _bodies(first) == ["first", "second"]
    await dispose(first)
    await dispose(second)


async def test_writers_of_one_engine_take_turns_in_order(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    await _table(url)
    engine = make_engine(url)

    async def write(n: int) -> None:
        async with transaction(engine) as conn:
            await conn.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": str(n)})
            await asyncio.sleep(0)  # others queue meanwhile, on the turn, not on the lock

    await asyncio.wait_for(asyncio.gather(*(write(n) for n in range(50))), 10)
    assert await _bodies(engine) == [str(n) for n in range(50)]
    await dispose(engine)


async def test_driver_and_pooled_writers_take_turns_and_a_failure_changes_nothing(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    await _table(url)
    engine = make_engine(url)
    assert has_driver_writes(engine)

    async def pooled(n: int) -> None:
        async with transaction(engine) as conn:
            await conn.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": str(n)})
            await asyncio.sleep(0)

    def half_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO notes (body) VALUES ('lost')")
        raise ValueError("the batch failed")

    writes = [
        pooled(n) if n % 2 else driver_transaction(engine, _insert_note(str(n))) for n in range(20)
    ]
    await asyncio.wait_for(asyncio.gather(*writes), 10)
    with pytest.raises(ValueError, match="the batch failed"):
        await driver_transaction(engine, half_then_fail)
    await driver_transaction(engine, _insert_note("after"))

    assert await _bodies(engine) == [*(str(n) for n in range(20)), "after"]
    await dispose(engine)
    assert not has_driver_writes(engine)
