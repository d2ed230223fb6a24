"""Figures of each customer group's queue, pushed to supervisors when they change; the
same figures as Prometheus metrics. Customers' positions move with them (positions.py).

A change only marks its group; one flush a moment later publishes it, so a burst of
routing steps costs one snapshot, not one per step. A slow flush (a busy node, many
agents) spaces out the next ones, so the dashboards never crowd out routing itself.
The desk (every open chat, with its last message and what the agent has not answered)
is announced as fast after routing, and at most once a second after messages alone; the
announcement carries no lists, each dashboard asks for them, so the read costs only
where someone is watching.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from frontdesk.business_hours import UK
from frontdesk.chat.case_board import CaseBoard
from frontdesk.chat.csat_board import CsatBoard
from frontdesk.chat.history import queue_history
from frontdesk.chat.models import Chat
from frontdesk.chat.positions import CustomerPositions
from frontdesk.chat.protocol import (
    ActiveChatOut,
    AgentOut,
    AgentsChanged,
    DeskChanged,
    DeskOut,
    GroupFigures,
    QueueChanged,
    WaitingChatOut,
)
from frontdesk.chat.states import ChatStates
from frontdesk.clock import Clock
from frontdesk.events import SUPERVISORS, Notifier
from frontdesk.metrics import Metrics
from frontdesk.queue.models import AgentState, Offer
from frontdesk.queue.router import Router

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.1
# A flush waits this many times as long as the last one took, so the dashboards take at
# most a tenth of a busy node's loop, yet hear of a change within FLUSH_MAX_SECONDS.
FLUSH_PAUSE_FACTOR = 9
FLUSH_MAX_SECONDS = 2.0
# The desk announced again after messages alone, no sooner: each dashboard then reads it.
DESK_AFTER_MESSAGES_SECONDS = 1.0
# Chats of each list on the desk; the totals count the rest.
DESK_PAGE = 200
# An agent's last chat ends this long ago at most to count as the start of its state.
AGENT_DAY = timedelta(hours=24)
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
        cases: CaseBoard,
        csat: CsatBoard,
    ) -> None:
        self.notifier = notifier
        self._cases = cases
        self.csat = csat
        self._router = router
        self._states = states
        self._positions = positions
        self._clock = clock
        self._metrics = metrics
        self._dirty: set[str] = set()
        # When the desk is due again (monotonic seconds): now after routing, later after
        # messages alone; None while nothing changed.
        self._desk_due: float | None = None
        self._flusher: asyncio.Task[None] | None = None

    # Marking changes ---------------------------------------------------------------------

    def changed(self, *groups: str) -> None:
        """Routing changed in these groups: their figures, the agents and the desk."""
        self._dirty.update(groups)
        self._desk_due = time.monotonic()
        self._flush()

    def talked(self) -> None:
        """A message was posted: the desk's last messages and unread counts move."""
        if self._desk_due is None:
            self._desk_due = time.monotonic() + DESK_AFTER_MESSAGES_SECONDS
            self._flush()

    def _flush(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon(), name="supervisor-feed")

    async def _flush_soon(self) -> None:
        pause = FLUSH_SECONDS
        while self._dirty or self._desk_due is not None:
            await asyncio.sleep(pause)  # gather the rest of the burst
            started = time.monotonic()
            groups, self._dirty = self._dirty, set()
            for group in sorted(groups):
                await self._try(self.publish_group(group), f"the figures of {group}")
            if groups:
                await self._try(self._publish_agents(), "the agents")
            if self._desk_due is not None and self._desk_due <= time.monotonic():
                self._desk_due = None
                await self._try(self._publish_desk(), "the desk")
            pause = pause_after(time.monotonic() - started)

    async def _try(self, publishing: Any, what: str) -> None:
        try:
            await publishing
        except Exception:
            log.exception("could not publish %s", what)

    async def _publish_agents(self) -> None:
        await self.notifier.publish(SUPERVISORS, AgentsChanged(agents=await self.agents()))

    async def _publish_desk(self) -> None:
        await self.notifier.publish(SUPERVISORS, DeskChanged())

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
        """Everything a supervisor's dashboard starts from: each group, each agent, the
        desk's open chats, each queue's cases by how due they are, and satisfaction."""
        groups = [await self.figures(group) for group in self._router.chat_groups()]
        agents = await self.agents()
        return {
            "groups": [figures.model_dump(mode="json") for figures in groups],
            "agents": [agent.model_dump(mode="json") for agent in agents],
            "desk": (await self.desk()).model_dump(mode="json"),
            "cases": [row.model_dump(mode="json") for row in await self._cases.current()],
            "csat": (await self.csat.current()).model_dump(mode="json"),
        }

    async def agents(self) -> list[AgentOut]:
        """Each agent with a routing state: its state and since when, chats and seats
        held of its capacity, groups."""
        states = await self._router.agents()
        ids = [s.agent_id for s in states]
        names = await self._states.user_names(ids)
        times = await self._states.agent_chat_times(ids, self._clock.now() - AGENT_DAY)
        return [_agent_out(s, names.get(s.agent_id), times.get(s.agent_id, {})) for s in states]

    async def desk(self) -> DeskOut:
        """Every open chat: who waits (and where, or with whom), who talks to whom."""
        totals, waiting, active = await self._states.desk(DESK_PAGE)
        places: dict[str, int] = {}  # chat id -> 1-based place in its group's line
        for group in {row["group"] for row in waiting}:
            line = await self._router.line(group)
            places.update((chat_id, place) for place, chat_id in enumerate(line, start=1))
        # Out of line: offered right now, or its customer is away.
        offers = [
            offer
            for row in waiting
            if row["chat_id"] not in places
            and (offer := await self._router.offer_of(row["chat_id"])) is not None
        ]
        names = await self._states.user_names(sorted({offer.agent_id for offer in offers}))
        offered = {offer.chat_id: offer.agent_id for offer in offers}
        return DeskOut(
            waiting=[
                WaitingChatOut(
                    **row, group_name=self._router.group_name(row["group"]),
                    position=places.get(row["chat_id"], 0 if row["chat_id"] in offered else None),
                    offered_to=names.get(offered.get(row["chat_id"], 0)),
                    offered_to_id=offered.get(row["chat_id"]),
                )
                for row in waiting
            ],
            active=[
                ActiveChatOut(**row, group_name=self._router.group_name(row["group"]))
                for row in active
            ],
            waiting_total=totals["waiting"],
            active_total=totals["active"],
        )  # fmt: skip

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


def pause_after(flush_seconds: float) -> float:
    """How long to gather changes before the next flush, after one that took this long."""
    return min(FLUSH_MAX_SECONDS, max(FLUSH_SECONDS, FLUSH_PAUSE_FACTOR * flush_seconds))


def _agent_out(state: AgentState, name: str | None, chat_times: dict[str, Any]) -> AgentOut:
    """The agent's state as supervisors count it (busy while holding a chat or an offer,
    unless offline) and since when: its first chat still going, else the later of its
    last presence change and its last chat's end."""
    busy = state.presence != "offline" and state.active > 0
    last_ended = chat_times.get("last_ended_at")
    since = max(state.presence_since, last_ended) if last_ended else state.presence_since
    if busy and chat_times.get("busy_since"):
        since = chat_times["busy_since"]
    return AgentOut(
        agent_id=state.agent_id, name=name or f"Agent {state.agent_id}",
        presence=state.presence, state="busy" if busy else state.presence, since=since,
        reason=state.reason if state.presence == "away" else None,
        active=state.active, chats=int(chat_times.get("chats") or 0),
        capacity=state.capacity, groups=list(state.groups),
    )  # fmt: skip
