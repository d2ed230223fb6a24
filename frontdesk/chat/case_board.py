"""The dashboard's cases by queue (open, unassigned, overdue, due soon), counted from the
store and pushed to supervisors only when the counts change.

Counted again when a case changes on this node (`changed`, called after the commit) and
every few seconds on every node (`recount` on a background loop), so a reply-by passing
is pushed without any case changing, and a change made on another node is pushed from
there. Each node remembers what it last pushed; two nodes may each push the same new
counts once, which a dashboard shows as no change.
"""

from __future__ import annotations

import asyncio

from frontdesk.cases.finder import CaseFinder, QueueCases
from frontdesk.chat.protocol import CasesChanged
from frontdesk.events import SUPERVISORS, Notifier
from frontdesk.metrics import Metrics


class CaseBoard:
    def __init__(self, finder: CaseFinder, notifier: Notifier, metrics: Metrics) -> None:
        self._finder = finder
        self._notifier = notifier
        self._metrics = metrics
        self._last: list[QueueCases] | None = None
        # Set by `changed`: the recount loop wakes for it instead of waiting its turn.
        self.wake = asyncio.Event()

    def changed(self) -> None:
        """A case changed here (committed): count again soon."""
        self.wake.set()

    async def current(self) -> list[QueueCases]:
        """The counts now, for a dashboard that starts watching."""
        return await self._finder.queue_cases()

    async def recount(self) -> bool:
        """Count; push to supervisors if the counts moved since this node last pushed.
        Whether it pushed."""
        counts = await self._finder.queue_cases()
        for row in counts:
            self._metrics.cases_open.labels(queue=row.queue).set(row.open)
            self._metrics.cases_overdue.labels(queue=row.queue).set(row.overdue)
        if counts == self._last:
            return False
        self._last = counts
        await self._notifier.publish(SUPERVISORS, CasesChanged(queues=counts))
        return True
