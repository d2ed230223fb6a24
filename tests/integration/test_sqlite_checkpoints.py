"""WAL checkpoints off the event loop (db/checkpoints.py): the writers on the loop's
thread never checkpoint; the checkpointer's thread does, soon after they write."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from sqlalchemy import text

from frontdesk.db.checkpoints import Checkpointer
from frontdesk.db.engine import checkpointer_of, dispose, make_engine, transaction

ROW = "x" * 4000  # about a page each: 50 rows are far past what one page holds


def _checkpointed(checkpointer: Checkpointer, db: Path, size: int) -> bool:
    """Wait for checkpoints (5 s at most) until the database file holds `size` bytes."""
    deadline = time.monotonic() + 5
    while db.stat().st_size < size:
        if time.monotonic() > deadline:
            return False
        checkpointer.ran.wait(0.5)
        checkpointer.ran.clear()
    return True


async def test_the_loop_s_writers_leave_checkpoints_to_the_checkpointer(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    checkpointer = checkpointer_of(engine)
    assert checkpointer is not None
    try:
        async with transaction(engine) as conn:
            await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            autocheckpoint = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar()
        assert autocheckpoint == 0  # a COMMIT on the loop's thread never copies the WAL
        for _ in range(50):
            async with transaction(engine) as conn:
                await conn.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": ROW})
        assert await asyncio.to_thread(_checkpointed, checkpointer, db, 50 * len(ROW))
        async with transaction(engine) as conn:
            count = (await conn.execute(text("SELECT count(*) FROM notes"))).scalar()
        assert count == 50
    finally:
        await dispose(engine)
    assert checkpointer.checkpoints >= 1
    assert not checkpointer.running  # dispose ends the thread


def test_without_the_checkpointer_the_wal_keeps_the_writes(tmp_path: Path) -> None:
    """What the checkpointer is for: with automatic checkpoints off, the database file
    gets nothing of the writes until a checkpoint runs."""
    db = tmp_path / "plain.db"
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    checkpointer = Checkpointer(str(db), delay=0)
    try:
        for _ in range(1200):  # past the 1,000 pages of an automatic checkpoint
            writer.execute("INSERT INTO notes (body) VALUES (?)", (ROW,))
        assert db.stat().st_size < 100_000
        checkpointer.wrote()
        assert _checkpointed(checkpointer, db, 1200 * len(ROW))
    finally:
        checkpointer.stop()
        writer.close()
    assert checkpointer.checkpoints >= 1
