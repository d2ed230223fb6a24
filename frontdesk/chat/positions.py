"""Each waiting customer's place in line and estimated wait, pushed as the line moves.

Positions go out at most once per POSITION_SECONDS per group: with a thousand waiting,
each change moves every one of them. What is owed after a pause is sent when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from typing import Any

from frontdesk.chat.protocol import QueueUpdated
from frontdesk.chat.states import ChatStates
from frontdesk.events import Notifier, chat_customer
from frontdesk.queue import policy
from frontdesk.queue.router import Router

log = logging.getLogger(__name__)

POSITION_SECONDS = 1.0
# Recent handle times change slowly; reading them once a while keeps estimates cheap.
HANDLE_TIMES_SECONDS = 30.0


class CustomerPositions:
    def __init__(self, router: Router, states: ChatStates, notifier: Notifier) -> None:
        self.notifier = notifier
        self._router = router
        self._states = states
        self._sent_at: dict[str, float] = {}
        self._owed: dict[str, asyncio.Task[None]] = {}
        self._handle_times: dict[str, tuple[float, list[timedelta]]] = {}

    async def line_moved(self, group: str, seats: int) -> None:
        """Tell everyone waiting in `group` where they are now, or once the pause ends."""
        wait = POSITION_SECONDS - (time.monotonic() - self._sent_at.get(group, 0.0))
        if wait <= 0:
            await self._publish(group, seats)
        elif group not in self._owed:
            self._owed[group] = asyncio.create_task(self._publish_after(group, wait))

    async def place(self, group: str, chat_id: str) -> dict[str, Any]:
        """Where a chat is now: position (0 while offered) and estimated wait."""
        position = await self._router.position(chat_id)
        if position is None:
            return {"position": None, "estimated_wait_seconds": None}
        if position == 0:  # offered right now: no seat to wait for
            return _place(chat_id, 0, timedelta(0)).model_dump(mode="json")
        snapshot = await self._router.snapshot(group)
        handle_times = await self._recent_handle_times(group)
        wait = policy.estimated_wait(position, int(snapshot["seats"]), handle_times)
        return _place(chat_id, position, wait).model_dump(mode="json")

    async def aclose(self) -> None:
        tasks = list(self._owed.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _publish_after(self, group: str, delay: float) -> None:
        await asyncio.sleep(delay)
        del self._owed[group]
        try:
            snapshot = await self._router.snapshot(group)
            await self._publish(group, int(snapshot["seats"]))
        except Exception:
            log.exception("could not publish the positions in %s", group)

    async def _publish(self, group: str, seats: int) -> None:
        self._sent_at[group] = time.monotonic()
        handle_times = await self._recent_handle_times(group)
        for index, chat_id in enumerate(await self._router.line(group), start=1):
            wait = policy.estimated_wait(index, seats, handle_times)
            await self.notifier.publish(chat_customer(chat_id), _place(chat_id, index, wait))
            await asyncio.sleep(0)  # a long line must not hold the sockets' messages up

    async def _recent_handle_times(self, group: str) -> list[timedelta]:
        read_at, times = self._handle_times.get(group, (0.0, []))
        if time.monotonic() - read_at > HANDLE_TIMES_SECONDS:
            times = await self._states.handle_times(group)
            self._handle_times[group] = (time.monotonic(), times)
        return times


def _place(chat_id: str, position: int, wait: timedelta | None) -> QueueUpdated:
    seconds = None if wait is None else int(wait.total_seconds())
    return QueueUpdated(chat_id=chat_id, position=position, estimated_wait_seconds=seconds)
