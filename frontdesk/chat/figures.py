"""Figures of each customer group's queue, pushed to supervisors when they change; the
same figures as Prometheus metrics. Customers' positions move with them (positions.py).

A change only marks its group; one flush a moment later publishes it, so a burst of
routing steps costs one snapshot, not one per step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

from frontdesk.business_hours import UK
from frontdesk.chat.history import queue_history
from frontdesk.chat.models import Chat
from frontdesk.chat.positions import CustomerPositions
from frontdesk.chat.protocol import AgentOut, AgentsChanged, GroupFigures, QueueChanged
from frontdesk.chat.states import ChatStates
from frontdesk.clock import Clock
from frontdesk.events import SUPERVISORS, Notifier
from frontdesk.metrics import Metrics
from frontdesk.queue.models import Offer
from frontdesk.queue.router import Router

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.1
HISTORY_STEP = timedelta(minutes=5)
HISTORY_LOOKBACK = timedelta(hours=1)


class SupervisorFigures:
    def __init__(
        self,
        router: Router,
        states: ChatStates,
        positions: CustomerPositions,
        clock: Clock,
        metrics: Metrics,
        notifier: Notifier,
    ) -> None:
        self.notifier = notifier
        self._router = router
        self._states = states
        self._positions = positions
        self._clock = clock
        self._metrics = metrics
        self._dirty: set[str] = set()
        self._flusher: asyncio.Task[None] | None = None

    # Marking changes ---------------------------------------------------------------------

    def changed(self, *groups: str) -> None:
        self._dirty.update(groups)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon(), name="supervisor-feed")

    async def _flush_soon(self) -> None:
        while self._dirty:
            await asyncio.sleep(FLUSH_SECONDS)  # gather the rest of the burst
            groups, self._dirty = self._dirty, set()
            for group in sorted(groups):
                try:
                    await self.publish_group(group)
                except Exception:
                    log.exception("could not publish the figures of %s", group)
            try:
                agents = await self.agents()
                await self.notifier.publish(SUPERVISORS, AgentsChanged(agents=agents))
            except Exception:
                log.exception("could not publish the agents")

    async def aclose(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher

    # Figures -----------------------------------------------------------------------------

    async def figures(self, group: str) -> GroupFigures:
        now = self._clock.now()
        snapshot = await self._router.snapshot(group)
        since = snapshot.pop("longest_waiting_since")
        start_of_day = datetime.combine(now.astimezone(UK).date(), datetime.min.time(), UK)
        day = await self._states.day_figures(group, start_of_day)
        return GroupFigures(
            **snapshot,
            **day,
            longest_wait_seconds=0 if since is None else int((now - since).total_seconds()),
            chats_offered=snapshot["offered"],
        )

    async def watch(self) -> dict[str, Any]:
        """Everything a supervisor's dashboard starts from: each group, each agent."""
        groups = [await self.figures(group) for group in self._router.chat_groups()]
        agents = await self.agents()
        return {
            "groups": [figures.model_dump(mode="json") for figures in groups],
            "agents": [agent.model_dump(mode="json") for agent in agents],
        }

    async def agents(self) -> list[AgentOut]:
        """Each agent with a routing state: presence, chats held of capacity, groups."""
        states = await self._router.agents()
        names = await self._states.user_names([s.agent_id for s in states])
        return [
            AgentOut(agent_id=s.agent_id, name=names.get(s.agent_id, f"Agent {s.agent_id}"),
                     presence=s.presence, active=s.active, capacity=s.capacity,
                     groups=list(s.groups))
            for s in states
        ]  # fmt: skip

    async def history(self, group: str, hours: int) -> list[dict[str, Any]]:
        now = self._clock.now()
        # Chats asked for before the window may still wait at its start.
        since = now - timedelta(hours=hours) - HISTORY_LOOKBACK
        times = await self._states.group_times(group, since)
        return queue_history(times, now, hours, HISTORY_STEP)

    async def publish_group(self, group: str) -> None:
        figures = await self.figures(group)
        self._set_gauges(group, figures)  # first: whoever hears of the change can scrape it
        await self.notifier.publish(SUPERVISORS, QueueChanged(**figures.model_dump()))
        await self._positions.line_moved(group, figures.seats)

    # Counting (this node's share; Prometheus sums the nodes) ------------------------------

    def count_request(self, group: str) -> None:
        self._metrics.chat_requests.labels(group=group).inc()

    def count_abandoned(self, group: str) -> None:
        self._metrics.chat_abandoned.labels(group=group).inc()

    def offer_made(self, offer: Offer) -> None:
        self._metrics.chat_offers.labels(group=offer.group, outcome="made").inc()

    def count_offer(self, group: str, outcome: str) -> None:
        self._metrics.chat_offers.labels(group=group, outcome=outcome).inc()

    def count_answered(self, chat: Chat) -> None:
        self.count_offer(chat.group_name, "accepted")
        if chat.accepted_at is not None:
            waited = (chat.accepted_at - chat.requested_at).total_seconds()
            self._metrics.chat_wait.labels(group=chat.group_name).observe(waited)

    def count_handled(self, chat: Chat) -> None:
        if chat.accepted_at is not None and chat.ended_at is not None:
            handled = (chat.ended_at - chat.accepted_at).total_seconds()
            self._metrics.chat_handle.labels(group=chat.group_name).observe(handled)

    def _set_gauges(self, group: str, figures: GroupFigures) -> None:
        m = self._metrics
        m.chat_waiting.labels(group=group).set(figures.waiting)
        m.chat_longest_wait.labels(group=group).set(figures.longest_wait_seconds)
        m.chat_offered.labels(group=group).set(figures.offered)
        m.chat_active.labels(group=group).set(figures.chats_active)
        for state in ("available", "busy", "away"):
            m.chat_agents.labels(group=group, state=state).set(getattr(figures, f"agents_{state}"))
