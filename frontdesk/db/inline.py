"""SQLite on the event loop's own thread: the part of aiosqlite's interface that
SQLAlchemy's aiosqlite dialect uses, each call made at once instead of on a thread.

Why: over aiosqlite every statement is four round trips between the loop and the
connection's thread (cursor, execute, fetch, close), each waiting its turn behind
everything else ready on a busy loop. A write transaction holds SQLite's one write lock
across all of them, so on a node serving hundreds of sockets a transaction of a few
statements held the lock for milliseconds of mostly waiting, and writers queued behind
it (chat requests at 100/s waited seconds to be offered on a node two thirds idle).
Called inline, a statement costs what SQLite takes to run it (microseconds for the
short writes of a transaction), and the lock is held only that long.

Used for writes (db/engine.transaction) and keyed reads (db/engine.looking_up); other
reads stay on aiosqlite's threads, so a long read (a search, a report) never holds up
the loop. make_engine builds both.

SQLite's busy handler would wait for a held write lock by sleeping on the loop's thread,
and the writer it waits for may be a coroutine of this same loop (another engine on the
same file: a test's, a command's, a second app in one process), which cannot finish
while the loop sleeps: both would wait until the timeout. So these connections do not
wait themselves (busy_timeout 0): a statement that meets the lock held is tried again
after an asyncio sleep, which lets the loop run, for up to the busy timeout.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from frontdesk.db.checkpoints import Checkpointer

T = TypeVar("T")
RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS = 0.001, 0.05


async def _patiently(busy_seconds: float, call: Callable[..., T], *args: Any) -> T:
    """`call(*args)`, tried again while SQLite says the database is locked."""
    delay, deadline = RETRY_FIRST_SECONDS, time.monotonic() + busy_seconds
    while True:
        try:
            return call(*args)
        except sqlite3.OperationalError as error:
            # A statement refused SQLITE_BUSY did nothing, so it may simply run again.
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, RETRY_MAX_SECONDS)


class _Cursor:
    __slots__ = ("_busy_seconds", "_cursor")

    def __init__(self, cursor: sqlite3.Cursor, busy_seconds: float) -> None:
        self._cursor = cursor
        self._busy_seconds = busy_seconds

    async def __aenter__(self) -> _Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> _Cursor:
        await _patiently(self._busy_seconds, self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Any) -> _Cursor:
        await _patiently(self._busy_seconds, self._cursor.executemany, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _AtOnce:
    """Stands in for aiosqlite's queue to its thread (the dialect sets the isolation
    level through it): runs the function now and settles its future."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Any]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class InlineConnection:
    def __init__(
        self, conn: sqlite3.Connection, busy_seconds: float, checkpointer: Checkpointer
    ) -> None:
        self._conn = conn
        self._busy_seconds = busy_seconds
        self._checkpointer = checkpointer
        self._connection: sqlite3.Connection | None = conn  # falsy once closed
        self._tx = _AtOnce()

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn.cursor(), self._busy_seconds)

    async def commit(self) -> None:
        await _patiently(self._busy_seconds, self._conn.commit)
        self._checkpointer.wrote()

    async def transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(conn)` in one write transaction on the driver itself: committed if it
        returns, rolled back if it raises."""
        await _patiently(self._busy_seconds, self._conn.execute, "BEGIN IMMEDIATE")
        try:
            result = work(self._conn)
            await self.commit()
        except BaseException:
            self._conn.rollback()
            raise
        return result

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        self._connection = None
        self._conn.close()


async def connect(path: str, busy_seconds: float, checkpointer: Checkpointer) -> InlineConnection:
    return InlineConnection(open_driver(path), busy_seconds, checkpointer)


def open_driver(path: str) -> sqlite3.Connection:
    """A driver connection that never waits itself (see the module's docstring)."""
    # check_same_thread off: the pool may close a connection from the garbage collector.
    return sqlite3.connect(path, timeout=0, check_same_thread=False)


def never_wait(dbapi_conn: Any, _record: Any) -> None:
    """After the shared PRAGMAs (busy_timeout 30 s): this connection retries instead,
    and leaves checkpoints to the checkpointer's thread (db/checkpoints.py)."""
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()
