"""The node's Redis connection pools: bounded, named, and emptied of idle connections.

redis-py's pools keep every connection they ever opened, so one busy minute left a node
holding ~150 connections for good (the fan-out's 100 and the commands' 50). Each pool
here has a size from the settings; a caller past it waits its turn (up to `wait_seconds`)
rather than fail; a connection nobody used for `idle_seconds` is closed by `close_idle`
(the node's loop calls it), and reopened when next needed. Every connection names itself
`frontdesk:<node>:<pool>`, so Redis's CLIENT LIST says which node holds what.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import Any

from redis.asyncio import BlockingConnectionPool
from redis.asyncio.connection import AbstractConnection


class ReleasingPool(BlockingConnectionPool):
    """A blocking pool whose idle connections are closed after `idle_seconds`.

    It relies on two things redis-py's pools have done since 4.2 (and the lock pins the
    version): connections at rest are in `_available_connections`, taken and given back
    under `_lock`, and a closed one there reconnects when it is next taken."""

    def __init__(
        self,
        *,
        idle_seconds: float,
        now: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.idle_seconds = idle_seconds
        self._now = now
        self._resting_since: weakref.WeakKeyDictionary[AbstractConnection, float] = (
            weakref.WeakKeyDictionary()
        )

    @classmethod
    def for_url(
        cls,
        url: str,
        *,
        size: int,
        idle_seconds: float,
        wait_seconds: float,
        name: str,
        now: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> ReleasingPool:
        pool: ReleasingPool = cls.from_url(
            url,
            max_connections=size,
            timeout=wait_seconds,
            idle_seconds=idle_seconds,
            now=now,
            client_name=name,
            **options,
        )
        return pool

    async def release(self, connection: AbstractConnection) -> None:
        self._resting_since[connection] = self._now()
        await super().release(connection)

    async def close_idle(self) -> int:
        """Close the connections at rest for `idle_seconds` or more; how many."""
        cutoff = self._now() - self.idle_seconds
        closed = 0
        # Under the pool's lock nobody takes a resting connection while it closes.
        async with self._lock:
            for connection in self._available_connections:
                rested = self._resting_since.get(connection)
                if connection.is_connected and rested is not None and rested <= cutoff:
                    await connection.disconnect()
                    closed += 1
        return closed

    def open_connections(self) -> dict[str, int]:
        """Open connections by state: "in_use" (a command or a subscription holds it) and
        "idle" (open, at rest in the pool)."""
        idle = sum(1 for c in self._available_connections if c.is_connected)
        return {"in_use": len(self._in_use_connections), "idle": idle}
