"""The suite forgives aiosqlite's shutdown race, as aiosqlite really raises it, and no other."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import aiosqlite

from tests.threads import is_aiosqlite_shutdown_race


def _raise_the_race(*, forward: bool = False) -> threading.ExceptHookArgs:
    """A query outlives its cancelled task and the loop; capture what its thread raises.

    Forwarded, the error also reaches the hook the suite installed, as it would in a run."""
    caught: list[threading.ExceptHookArgs] = []
    raised = threading.Event()
    release = threading.Event()

    def capture(args: threading.ExceptHookArgs) -> None:
        caught.append(args)
        if forward:
            previous(args)
        raised.set()

    def blocking_query(connection: sqlite3.Connection) -> None:
        release.wait(timeout=10)
        # Closed here, on its own thread, as the thread will not live to close it.
        connection.close()

    async def start() -> aiosqlite.Connection:
        connection = await aiosqlite.connect(":memory:")
        waiting = asyncio.ensure_future(connection._execute(blocking_query, connection._conn))
        await asyncio.sleep(0)
        waiting.cancel()
        return connection

    previous = threading.excepthook
    threading.excepthook = capture
    try:
        loop = asyncio.new_event_loop()
        connection = loop.run_until_complete(start())
        loop.close()
        release.set()
        assert raised.wait(timeout=10), "the worker thread raised nothing"
        connection._thread.join(timeout=10)
    finally:
        threading.excepthook = previous
    connection._connection = None  # closed by the query; nothing left to warn about
    return caught[0]


def test_the_aiosqlite_race_is_recognised() -> None:
    assert is_aiosqlite_shutdown_race(_raise_the_race())


def test_the_suite_lets_a_test_survive_the_race() -> None:
    """Pytest fails this test at its end if the suite's hook passed the race on."""
    assert is_aiosqlite_shutdown_race(_raise_the_race(forward=True))


def test_other_thread_errors_are_not() -> None:
    caught: list[threading.ExceptHookArgs] = []
    previous = threading.excepthook
    threading.excepthook = caught.append
    try:
        thread = threading.Thread(target=_fail)
        thread.start()
        thread.join(timeout=10)
    finally:
        threading.excepthook = previous
    assert len(caught) == 1
    assert not is_aiosqlite_shutdown_race(caught[0])


def _fail() -> None:
    raise RuntimeError("Event loop is closed")
