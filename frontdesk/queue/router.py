"""The router: office hours and waits decided first (policy), then one backend call each.

It is the only door to the queue backend: chat/ calls these verbs and never the backend
itself, so every routing step passes the same rules. It knows chats only by their public
id and group; what a step means for a chat in the store, and who is told, is the live
chat service's business (chat/lifecycle.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from frontdesk.business_hours import UK, BusinessCalendar
from frontdesk.errors import Code, Conflict
from frontdesk.intake.taxonomy import Group
from frontdesk.queue import policy
from frontdesk.queue.backend import QueueBackend
from frontdesk.queue.models import AgentState, Emptied, Offer, Presence, QueueEntry

# Deadline kinds kept in the backend besides offers.
WAIT = "wait"  # a waiting request reaches its group's maximum wait, or the group closes
GRACE = "grace"  # a disconnected agent's time to come back to its chats
REOFFER = "reoffer"  # a passed-on chat's cool-down is over: those who passed may have it
CUSTOMER_GONE = "customer"  # a customer with no socket left: its time to come back
# A chat's deadlines while it is in the queue, ended with it (accepted or withdrawn).
QUEUED = (WAIT, REOFFER)


@dataclass(frozen=True)
class Timings:
    offer_seconds: int = 20
    grace_seconds: int = 60
    reoffer_seconds: int = 10
    customer_grace_seconds: int = 60
    max_wait: timedelta = policy.DEFAULT_MAX_WAIT
    capacity: int = 3


class Router:
    def __init__(
        self,
        backend: QueueBackend,
        calendar: BusinessCalendar,
        groups: Callable[[], Mapping[str, Group]],
        timings: Timings,
    ) -> None:
        self._backend = backend
        self.timings = timings
        self._calendar = calendar
        self._groups = groups

    # Policy ------------------------------------------------------------------------------

    def chat_groups(self) -> list[str]:
        return sorted(key for key, group in self._groups().items() if group.chat)

    def group_name(self, group_key: str) -> str:
        """The group's name for people; its key if the taxonomy no longer has it."""
        group = self._groups().get(group_key)
        return group.name if group is not None else group_key

    def admit(self, group_key: str, now: datetime) -> None:
        """Refuse a request its group cannot take now, saying when chat opens again."""
        group = self._groups().get(group_key)
        if group is None or not group.chat:
            raise Conflict("Live chat is not offered for this case", code=Code.CHAT_NOT_OFFERED)
        admission = policy.admission(self._calendar, group.hours, now)
        if admission.open:
            return
        message = "Our chat team is away now."
        fields = {}
        if admission.next_opening is not None:
            opening = admission.next_opening.astimezone(UK)
            message += f" Chat opens again {opening:%A %d %B at %H:%M} (UK time)."
            fields["next_opening"] = admission.next_opening.isoformat()
        raise Conflict(message, code=Code.OUTSIDE_OFFICE_HOURS, fields=fields)

    def closed_note(self, served: tuple[str, ...], now: datetime) -> str | None:
        """None while a group of `served` takes chats; else why no chat will be offered,
        and when the first of them opens again."""
        groups = [g for key in served if (g := self._groups().get(key)) and g.chat]
        if any(self._calendar.is_open(group.hours, now) for group in groups):
            return None
        openings = [o for g in groups if (o := self._calendar.next_opening(g.hours, now))]
        note = "Every chat group you serve is closed now, so no chats will be offered"
        if not openings:
            return note + "."
        return note + f" until {min(openings).astimezone(UK):%A %d %B at %H:%M} (UK time)."

    def leave_by(self, group_key: str, enqueued_at: datetime, now: datetime) -> datetime:
        """When a waiting request must give up: its maximum wait, or its group's closing
        if that comes first."""
        give_up = enqueued_at + self.timings.max_wait
        group = self._groups().get(group_key)
        closing = group and self._calendar.closing_time(group.hours, now)
        return min(give_up, closing) if closing else give_up

    def overdue(
        self, group_key: str, enqueued_at: datetime, now: datetime
    ) -> Literal["closed", "max_wait"] | None:
        """Why a waiting request must stop waiting now ("closed", "max_wait"), or None."""
        group = self._groups().get(group_key)
        if group is None or not group.chat or not self._calendar.is_open(group.hours, now):
            return "closed"
        if policy.waited_too_long(enqueued_at, now, self.timings.max_wait):
            return "max_wait"
        return None

    async def estimated_wait(
        self, group_key: str, position: int, handle_times: list[timedelta]
    ) -> timedelta | None:
        snapshot = await self._backend.snapshot(group_key)
        return policy.estimated_wait(position, int(snapshot["seats"]), handle_times)

    # What the queue holds ----------------------------------------------------------------

    async def snapshot(self, group_key: str) -> dict[str, Any]:
        return await self._backend.snapshot(group_key)

    async def line(self, group_key: str) -> list[str]:
        """The group's waiting chat ids, first in line first."""
        return await self._backend.line(group_key)

    async def position(self, chat_id: str) -> int | None:
        return await self._backend.position(chat_id)

    async def offer_of(self, chat_id: str) -> Offer | None:
        return await self._backend.offer_of(chat_id)

    async def agents(self) -> list[AgentState]:
        return await self._backend.agents()

    # Requests ----------------------------------------------------------------------------

    async def enqueue(self, entry: QueueEntry, now: datetime) -> int:
        """Join the line (idempotent) with a deadline to give up by."""
        leave_by = self.leave_by(entry.group, entry.enqueued_at, now)
        return await self._backend.enqueue(entry, deadline=(WAIT, leave_by))

    def _passed_before(self, now: datetime) -> datetime:
        """Agents who passed on a chat this long ago or more may be offered it again."""
        return now - timedelta(seconds=self.timings.reoffer_seconds)

    async def route_request(self, chat_id: str, now: datetime) -> Offer | None:
        """Offer the chat to an agent who never passed on it, else to one whose cool-down
        since passing is over."""
        return await self._backend.route_request(
            chat_id, now, self.timings.offer_seconds, self._passed_before(now)
        )

    async def withdraw(self, chat_id: str) -> bool:
        return await self._backend.withdraw(chat_id, ending=QUEUED)

    async def wait_on(
        self, chat_id: str, group_key: str, enqueued_at: datetime, now: datetime
    ) -> None:
        """Give a waiting request a new deadline (its group's hours changed)."""
        await self._backend.set_deadline(WAIT, chat_id, self.leave_by(group_key, enqueued_at, now))

    async def stop_waiting(self, chat_id: str) -> None:
        """Drop a request's deadline: it no longer waits."""
        await self._backend.cancel_deadline(WAIT, chat_id)

    # Deadlines and lapsed offers ---------------------------------------------------------

    async def expire_offers(self, now: datetime) -> list[Offer]:
        lapsed = await self._backend.expire_offers(now)
        for offer in lapsed:
            await self._reoffer_later(offer.chat_id, now)
        return lapsed

    async def _reoffer_later(self, chat_id: str, now: datetime) -> None:
        """When the cool-down ends, route the chat again: with no other agent free, the
        one who passed on it may have it then, with nothing else to set routing off."""
        at = now + timedelta(seconds=self.timings.reoffer_seconds)
        await self._backend.set_deadline(REOFFER, chat_id, at)

    async def take_due(self, now: datetime, lease_seconds: int) -> list[tuple[str, str]]:
        return await self._backend.take_due(now, lease_seconds)

    async def drop_deadline(self, kind: str, key: str) -> bool:
        return await self._backend.cancel_deadline(kind, key)

    # Agents ------------------------------------------------------------------------------

    async def set_agent(
        self,
        agent_id: int,
        *,
        presence: Presence,
        groups: tuple[str, ...],
        capacity: int,
        now: datetime,
        active: int | None = None,
        reason: str | None = None,
    ) -> AgentState:
        return await self._backend.set_agent(
            agent_id, presence=presence, groups=groups, capacity=capacity, now=now,
            active=active, reason=reason,
        )  # fmt: skip

    async def agent(self, agent_id: int) -> AgentState | None:
        return await self._backend.agent(agent_id)

    async def note_activity(self, agent_id: int, at: datetime) -> None:
        await self._backend.note_activity(agent_id, at)

    async def take_idle(self, idle_for: timedelta, now: datetime, reason: str) -> list[int]:
        """Set away, with `reason`, every available agent holding nothing that showed no
        sign of life for `idle_for`; their ids, each to one caller of any node."""
        return await self._backend.take_idle(now - idle_for, now, reason)

    async def fill_seats(self, agent_id: int, now: datetime) -> list[Offer]:
        """Offer the agent the oldest waiting chats it serves, one per free seat."""
        seconds, passed_before = self.timings.offer_seconds, self._passed_before(now)
        return await self._backend.fill_seats(agent_id, now, seconds, passed_before)

    async def offer_to(self, chat_id: str, agent_id: int, now: datetime) -> Offer | None:
        """A supervisor offers a waiting chat to one agent (signed in, with a free seat)."""
        return await self._backend.offer_to(chat_id, agent_id, now, self.timings.offer_seconds)

    async def accept(self, chat_id: str, agent_id: int) -> bool:
        return await self._backend.accept(chat_id, agent_id, ending=QUEUED)

    async def decline(self, chat_id: str, agent_id: int, now: datetime) -> QueueEntry | None:
        entry = await self._backend.decline(chat_id, agent_id, now)
        if entry is not None:
            await self._reoffer_later(chat_id, now)
        return entry

    async def pass_on(self, chat_id: str, agent_id: int, now: datetime) -> None:
        """The agent counts as having passed on the chat (a supervisor took it from it):
        others are offered it first, and it may have it again after the cool-down."""
        await self._backend.pass_on(chat_id, agent_id, now)
        await self._reoffer_later(chat_id, now)

    async def release(self, agent_id: int, chat_id: str, now: datetime) -> None:
        await self._backend.release(agent_id, chat_id, now)

    async def start_grace(self, agent_id: int, now: datetime) -> datetime:
        until = now + timedelta(seconds=self.timings.grace_seconds)
        await self._backend.set_deadline(GRACE, str(agent_id), until)
        return until

    async def end_grace(self, agent_id: int) -> bool:
        return await self._backend.cancel_deadline(GRACE, str(agent_id))

    # Connections and nodes ---------------------------------------------------------------

    async def agent_connected(self, agent_id: int, connection: str) -> int:
        return await self._backend.agent_connected(agent_id, connection)

    async def agent_disconnected(self, agent_id: int, connection: str) -> int:
        return await self._backend.agent_disconnected(agent_id, connection)

    async def connections(self, agent_id: int) -> int:
        return await self._backend.connections(agent_id)

    async def node_seen(self, node_id: str, until: datetime) -> bool:
        return await self._backend.node_seen(node_id, until)

    async def take_dead_nodes(self, now: datetime) -> list[str]:
        return await self._backend.take_dead_nodes(now)

    async def forget_node(self, node_id: str) -> Emptied:
        return await self._backend.forget_node(node_id)

    async def customer_connected(self, customer_id: int, connection: str) -> int:
        return await self._backend.customer_connected(customer_id, connection)

    async def customer_disconnected(self, customer_id: int, connection: str) -> int:
        return await self._backend.customer_disconnected(customer_id, connection)

    async def customer_connections(self, customer_id: int) -> int:
        return await self._backend.customer_connections(customer_id)

    async def start_customer_grace(self, customer_id: int, now: datetime) -> datetime:
        until = now + timedelta(seconds=self.timings.customer_grace_seconds)
        await self._backend.set_deadline(CUSTOMER_GONE, str(customer_id), until)
        return until

    async def end_customer_grace(self, customer_id: int) -> bool:
        return await self._backend.cancel_deadline(CUSTOMER_GONE, str(customer_id))

    # The queue's generation: which copy of the state this is -----------------------------

    async def generation(self) -> str | None:
        return await self._backend.generation()

    async def claim_generation(self, token: str) -> bool:
        return await self._backend.claim_generation(token)
