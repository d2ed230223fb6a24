"""A node's background loops (the outbox, the chat sweep, heartbeats, purges), stopped
between two runs of their work rather than in the middle of one.

Cancelling a loop inside a store transaction can leave the transaction open on a
connection that nobody closes until the engine is disposed. On SQLite, such a connection
can keep the write lock, and the next writer waits out busy_timeout (30 s), which was
longer than a stop may take. So `stop` first asks the loops to end, lets the work in
progress finish (up to STOP_GRACE_SECONDS), and cancels only what is still running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10.0


class Loops:
    def __init__(self) -> None:
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def every(
        self,
        name: str,
        seconds: float,
        work: Callable[[], Awaitable[object]],
        woken_by: asyncio.Event | None = None,
    ) -> None:
        """Run `work` now and then every `seconds`, or sooner when `woken_by` is set. A
        run that fails is logged; the next one tries again."""
        loop = self._run(name, seconds, work, woken_by)
        self._tasks.append(asyncio.create_task(loop, name=name))

    async def _run(
        self,
        name: str,
        seconds: float,
        work: Callable[[], Awaitable[object]],
        woken_by: asyncio.Event | None,
    ) -> None:
        while not self._stopping.is_set():
            try:
                await work()
            except Exception:
                log.exception("%s failed; it runs again", name)
            await self._pause(seconds, woken_by)

    async def _pause(self, seconds: float, woken_by: asyncio.Event | None) -> None:
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if woken_by is not None:
            waits.append(asyncio.ensure_future(woken_by.wait()))
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        if woken_by is not None:
            woken_by.clear()

    async def stop(self, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        self._stopping.set()
        if not self._tasks:
            return
        _, still_running = await asyncio.wait(self._tasks, timeout=grace_seconds)
        for task in still_running:
            log.warning("%s did not stop in %.0f s; cancelled", task.get_name(), grace_seconds)
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
