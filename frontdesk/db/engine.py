"""Engine construction and the one way to run a unit of work."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from frontdesk.db import inline
from frontdesk.db.checkpoints import Checkpointer

T = TypeVar("T")


def dialect_insert(conn: AsyncConnection) -> Any:
    """The store's own INSERT construct, which knows ON CONFLICT (both stores have it;
    SQLAlchemy's portable insert does not)."""
    return sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert


# PostgreSQL connections one engine holds at most, and how long a caller past them waits.
POOL_SIZE = 20
POOL_WAIT_SECONDS = 5


def make_engine(database_url: str, *, pool_size: int = POOL_SIZE, **kwargs: Any) -> AsyncEngine:
    """An engine for SQLite (WAL, foreign keys on) or PostgreSQL (`pool_size`
    connections at most)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, connect_args={"timeout": 30}, **kwargs)
        if url.database not in (None, "", ":memory:"):
            # Writes run on the loop's own thread (db/inline.py), reads on aiosqlite's.
            path, timeout = url.database, 30.0
            checkpointer = Checkpointer(path)
            writer = _sqlite_engine(
                url, async_creator=lambda: inline.connect(path, timeout, checkpointer), **kwargs
            )
            event.listen(writer.sync_engine, "connect", inline.never_wait)
            _writers[engine] = writer
            _driver_targets[engine] = (path, timeout)
            _checkpointers[engine] = checkpointer
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # A fixed pool, no overflow: SQLAlchemy closes an overflow connection as soon as it is
    # given back, so with its default (5, and 10 more) every burst past five transactions
    # opened and closed a PostgreSQL connection for each (a forked backend, asyncpg's
    # set-up), which slowed the node, which made the bursts longer: 12-49 new sessions a
    # second on two nodes under the chat bench, request-to-offer p50 157-550 ms in four
    # runs of six; with the connections kept, 8-15 ms in three of three. A caller past
    # the size waits its turn (up to POOL_WAIT_SECONDS, then 503: outages.py).
    kwargs.setdefault("pool_size", pool_size)
    kwargs.setdefault("max_overflow", 0)
    kwargs.setdefault("pool_timeout", POOL_WAIT_SECONDS)
    return create_async_engine(url, **kwargs)


def _sqlite_engine(url: URL, **kwargs: Any) -> AsyncEngine:
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    # Writers take the write lock at BEGIN, so two of them queue instead of failing
    # mid-way on the upgrade from a read to a write; readers (see `reading`) begin
    # deferred and run side by side under WAL.
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


# The engine that writes for each SQLite file engine, and its checkpointer: see make_engine.
_writers: weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine] = weakref.WeakKeyDictionary()
_checkpointers: weakref.WeakKeyDictionary[AsyncEngine, Checkpointer] = weakref.WeakKeyDictionary()


# Where each SQLite file engine's driver_transaction connects, and its connection per
# event loop (a loop's writers take turns on it; two loops never share one).
_driver_targets: weakref.WeakKeyDictionary[AsyncEngine, tuple[str, float]]
_driver_targets = weakref.WeakKeyDictionary()
_driver_connections: weakref.WeakKeyDictionary[
    AsyncEngine, dict[asyncio.AbstractEventLoop, inline.InlineConnection]
] = weakref.WeakKeyDictionary()


def checkpointer_of(engine: AsyncEngine) -> Checkpointer | None:
    """The thread that checkpoints a SQLite file engine's WAL (None for other stores)."""
    return _checkpointers.get(engine)


async def dispose(engine: AsyncEngine) -> None:
    """Close the engine's connections, and those of its writer."""
    _driver_targets.pop(engine, None)
    for connection in _driver_connections.pop(engine, {}).values():
        connection.stop()
    writer = _writers.pop(engine, None)
    if writer is not None:
        await writer.dispose()
    checkpointer = _checkpointers.pop(engine, None)
    if checkpointer is not None:
        await asyncio.to_thread(checkpointer.stop)
    await engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is off; SQLAlchemy emits BEGIN itself.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


READ_ONLY = "frontdesk_read_only"


def _sqlite_begin(conn: Any) -> None:
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    # Straight to the driver: exec_driver_sql would run SQLAlchemy's whole execution
    # machinery for it, ~90 us a transaction, more than the keyed read it begins.
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")
    cursor.close()


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reads only: on SQLite it does not take the write lock."""
    async with _read_only(engine).connect() as conn:
        yield conn


# Each engine's read-only twin, sharing its pool: setting the option per connection
# cost a round of SQLAlchemy's machinery (~80 us) on every read.
_read_only_engines: weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine]
_read_only_engines = weakref.WeakKeyDictionary()


def _read_only(engine: AsyncEngine) -> AsyncEngine:
    twin = _read_only_engines.get(engine)
    if twin is None:
        twin = _read_only_engines[engine] = engine.execution_options(**{READ_ONLY: True})
    return twin


@asynccontextmanager
async def looking_up(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Reads of a few rows found by key (a chat, a session, a case and its feed), on the
    hot paths of live chat and of every request. On SQLite they run on the loop's own
    thread (db/inline.py): a read over aiosqlite cost ~0.75 ms of the loop's time in
    round trips, inline ~0.15 ms, and a keyed read is too short to hold anyone up. Use
    `reading` for anything that scans (searches, lists, reports): it runs on a thread."""
    async with reading(_writers.get(engine, engine)) as conn:
        yield conn


# One lock per SQLite engine and event loop: see `transaction`.
_write_locks: weakref.WeakKeyDictionary[AsyncEngine, dict[asyncio.AbstractEventLoop, asyncio.Lock]]
_write_locks = weakref.WeakKeyDictionary()


def write_turn(engine: AsyncEngine) -> asyncio.Lock | nullcontext[None]:
    """This process's writers to a SQLite store, one at a time, first come first served.

    SQLite has one write lock. Writers that meet it held wait in its busy handler, which
    sleeps 1, 2, 5, ... up to 100 ms between tries and wakes nobody when the lock frees:
    under a burst some writers lost every race for seconds (chat requests at 100/s waited
    2-4 s to be offered, on a node two thirds idle). Queueing here first, in order, means
    a writer of this process finds the lock free; one held by another process or engine
    is waited for by retrying (db/inline.py). PostgreSQL locks rows: no turn there."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    loop = asyncio.get_running_loop()
    per_loop = _write_locks.setdefault(engine, {})
    lock = per_loop.get(loop)
    if lock is None:
        lock = per_loop[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One unit of work: committed when the block ends, rolled back if it raises."""
    async with write_turn(engine), _writers.get(engine, engine).begin() as conn:
        yield conn


def has_driver_writes(engine: AsyncEngine) -> bool:
    """Whether `driver_transaction` can run on this engine (a SQLite file's)."""
    return engine in _driver_targets


async def driver_transaction(engine: AsyncEngine, work: Callable[[sqlite3.Connection], T]) -> T:
    """`work(conn)` in one write transaction straight on the SQLite driver, in the
    engine's write turn, for a write too hot for SQLAlchemy's execution machinery (a
    chat message batch: chat/messages.py). Only where `has_driver_writes`.

    On a connection of its own, kept open: a pooled one cost a checkout and, on its
    return, SQLAlchemy's close in a task of its own, awaited, so each batch waited a
    turn or two of a busy loop. Here nothing awaits unless the lock is held elsewhere."""
    async with write_turn(engine):
        connection = _driver_connection(engine)
        try:
            return await connection.transaction(work)
        finally:
            if connection.in_transaction:  # a failure left it unusable: open another
                _driver_connections[engine].pop(asyncio.get_running_loop(), None)
                connection.stop()


def _driver_connection(engine: AsyncEngine) -> inline.InlineConnection:
    per_loop = _driver_connections.setdefault(engine, {})
    loop = asyncio.get_running_loop()
    connection = per_loop.get(loop)
    if connection is None:
        path, timeout = _driver_targets[engine]
        driver = inline.open_driver(path)
        _sqlite_pragmas(driver, None)
        inline.never_wait(driver, None)
        connection = per_loop[loop] = inline.InlineConnection(
            driver, timeout, _checkpointers[engine]
        )
    return connection
