"""MemoryQueueBackend: the QueueBackend contract in plain dicts, for one process.

Atomicity: no method awaits between reading state and writing it, so on one event loop
each call is a single uninterrupted step, as the Lua scripts are on Redis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from frontdesk.queue.models import (
    AgentState,
    Emptied,
    Offer,
    Presence,
    QueueEntry,
    emptied,
    holder,
    to_ms,
)


@dataclass
class _Agent:
    presence: Presence
    groups: tuple[str, ...]
    capacity: int
    active: int
    idle_since: datetime
    presence_since: datetime
    reason: str | None = None
    last_activity: datetime | None = None

    def has_seat(self) -> bool:
        return self.presence == "available" and self.active < self.capacity

    def state(self) -> str:
        """As supervisors count agents: busy while holding a chat or an offer, whatever
        the presence (unless offline); else the presence."""
        return "busy" if self.presence != "offline" and self.active > 0 else self.presence


@dataclass
class _State:
    waiting: dict[str, QueueEntry] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)
    agents: dict[int, _Agent] = field(default_factory=dict)
    # chat id -> agent id -> when the agent declined the chat or let its offer lapse
    passed: dict[str, dict[int, datetime]] = field(default_factory=dict)
    deadlines: dict[tuple[str, str], datetime] = field(default_factory=dict)
    # holder (models.holder: an agent's id, "customer:<id>") -> its "node:sid" sockets
    connections: dict[str, set[str]] = field(default_factory=dict)
    nodes: dict[str, datetime] = field(default_factory=dict)
    generation: str | None = None


def _line_key(entry: QueueEntry) -> tuple[int, str]:
    return to_ms(entry.enqueued_at), entry.chat_id


class MemoryQueueBackend:
    def __init__(self) -> None:
        self._s = _State()

    def _line(self, group: str) -> list[QueueEntry]:
        return sorted((e for e in self._s.waiting.values() if e.group == group), key=_line_key)

    def _position(self, chat_id: str) -> int | None:
        if chat_id in self._s.offers:
            return 0
        entry = self._s.waiting.get(chat_id)
        if entry is None:
            return None
        return 1 + sum(1 for e in self._line(entry.group) if _line_key(e) < _line_key(entry))

    async def enqueue(
        self, entry: QueueEntry, *, deadline: tuple[str, datetime] | None = None
    ) -> int:
        if entry.chat_id not in self._s.waiting and entry.chat_id not in self._s.offers:
            self._s.waiting[entry.chat_id] = entry
        if deadline is not None:
            kind, at = deadline
            await self.set_deadline(kind, entry.chat_id, at)
        position = self._position(entry.chat_id)
        assert position is not None
        return position

    async def requeue_front(self, entry: QueueEntry) -> int:
        return await self.enqueue(entry)

    async def withdraw(self, chat_id: str, *, ending: tuple[str, ...] = ()) -> bool:
        self._forget_deadlines(chat_id, ending)
        offer = self._s.offers.pop(chat_id, None)
        if offer is not None:
            self._free_seat(offer.agent_id)
        found = self._s.waiting.pop(chat_id, None) is not None or offer is not None
        self._s.passed.pop(chat_id, None)
        return found

    async def offer_of(self, chat_id: str) -> Offer | None:
        return self._s.offers.get(chat_id)

    async def position(self, chat_id: str) -> int | None:
        return self._position(chat_id)

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
        old = self._s.agents.get(agent_id)
        idle_since = since = now
        seats_taken = 0
        last_activity = None
        if old is not None:
            seats_taken, last_activity = old.active, old.last_activity
            if old.presence == "available" or presence != "available":
                idle_since = old.idle_since
            if old.presence == presence and old.reason == reason:
                since = old.presence_since
        if active is not None:
            seats_taken = active
        agent = _Agent(
            presence, tuple(groups), capacity, seats_taken, idle_since, since, reason, last_activity
        )
        self._s.agents[agent_id] = agent
        return AgentState(agent_id=agent_id, **agent.__dict__)

    async def agents(self) -> list[AgentState]:
        return [
            AgentState(agent_id=agent_id, **agent.__dict__)
            for agent_id, agent in sorted(self._s.agents.items())
        ]

    async def agent(self, agent_id: int) -> AgentState | None:
        agent = self._s.agents.get(agent_id)
        return None if agent is None else AgentState(agent_id=agent_id, **agent.__dict__)

    async def note_activity(self, agent_id: int, at: datetime) -> None:
        agent = self._s.agents.get(agent_id)
        if agent is not None and (agent.last_activity is None or agent.last_activity < at):
            agent.last_activity = at

    async def take_idle(self, idle_before: datetime, now: datetime, reason: str) -> list[int]:
        idle = []
        for agent_id, agent in sorted(self._s.agents.items()):
            seen = max(agent.idle_since, agent.last_activity or agent.idle_since)
            if agent.presence == "available" and agent.active == 0 and seen <= idle_before:
                agent.presence, agent.reason, agent.presence_since = "away", reason, now
                idle.append(agent_id)
        return idle

    def _offer(self, entry: QueueEntry, agent_id: int, now: datetime, seconds: int) -> Offer:
        agent = self._s.agents[agent_id]
        agent.active += 1
        agent.idle_since = now  # a reserved seat counts as activity: agents take turns
        del self._s.waiting[entry.chat_id]
        offer = Offer(
            chat_id=entry.chat_id,
            agent_id=agent_id,
            group=entry.group,
            enqueued_at=entry.enqueued_at,
            deadline=now + timedelta(seconds=seconds),
        )
        self._s.offers[entry.chat_id] = offer
        return offer

    def _may_have(self, chat_id: str, agent_id: int, passed_before: datetime | None) -> bool:
        passed = self._s.passed.get(chat_id, {}).get(agent_id)
        return passed is None or (passed_before is not None and passed <= passed_before)

    async def route_request(
        self,
        chat_id: str,
        now: datetime,
        offer_seconds: int,
        passed_before: datetime | None = None,
    ) -> Offer | None:
        entry = self._s.waiting.get(chat_id)
        if entry is None:
            return None
        passed = self._s.passed.get(chat_id, {})
        free = [
            (to_ms(agent.idle_since), str(agent_id), agent_id)
            for agent_id, agent in self._s.agents.items()
            if agent.has_seat() and entry.group in agent.groups
        ]
        fresh = [c for c in free if c[2] not in passed]
        again = [c for c in free if c[2] in passed and self._may_have(chat_id, c[2], passed_before)]
        candidates = fresh or again
        if not candidates:
            return None
        return self._offer(entry, min(candidates)[2], now, offer_seconds)

    async def route_agent(
        self,
        agent_id: int,
        now: datetime,
        offer_seconds: int,
        passed_before: datetime | None = None,
    ) -> Offer | None:
        agent = self._s.agents.get(agent_id)
        if agent is None or not agent.has_seat():
            return None
        candidates = [
            entry
            for entry in self._s.waiting.values()
            if entry.group in agent.groups
            and self._may_have(entry.chat_id, agent_id, passed_before)
        ]
        if not candidates:
            return None
        return self._offer(min(candidates, key=_line_key), agent_id, now, offer_seconds)

    async def fill_seats(
        self,
        agent_id: int,
        now: datetime,
        offer_seconds: int,
        passed_before: datetime | None = None,
    ) -> list[Offer]:
        offers = []
        while offer := await self.route_agent(agent_id, now, offer_seconds, passed_before):
            offers.append(offer)
        return offers

    async def offer_to(
        self, chat_id: str, agent_id: int, now: datetime, offer_seconds: int
    ) -> Offer | None:
        entry = self._s.waiting.get(chat_id)
        agent = self._s.agents.get(agent_id)
        if entry is None or agent is None or agent.presence == "offline":
            return None
        if agent.active >= agent.capacity:
            return None
        return self._offer(entry, agent_id, now, offer_seconds)

    async def accept(self, chat_id: str, agent_id: int, *, ending: tuple[str, ...] = ()) -> bool:
        offer = self._s.offers.get(chat_id)
        if offer is None or offer.agent_id != agent_id:
            return False
        del self._s.offers[chat_id]
        self._s.passed.pop(chat_id, None)
        self._forget_deadlines(chat_id, ending)
        return True

    def _forget_deadlines(self, chat_id: str, kinds: tuple[str, ...]) -> None:
        for kind in kinds:
            self._s.deadlines.pop((kind, chat_id), None)

    def _free_seat(self, agent_id: int) -> _Agent | None:
        agent = self._s.agents.get(agent_id)
        if agent is not None:
            agent.active = max(0, agent.active - 1)
        return agent

    def _revert(self, offer: Offer, now: datetime) -> QueueEntry:
        del self._s.offers[offer.chat_id]
        self._free_seat(offer.agent_id)
        self._s.passed.setdefault(offer.chat_id, {})[offer.agent_id] = now
        entry = offer.entry()
        self._s.waiting[entry.chat_id] = entry
        return entry

    async def decline(self, chat_id: str, agent_id: int, now: datetime) -> QueueEntry | None:
        offer = self._s.offers.get(chat_id)
        if offer is None or offer.agent_id != agent_id:
            return None
        return self._revert(offer, now)

    async def pass_on(self, chat_id: str, agent_id: int, now: datetime) -> None:
        self._s.passed.setdefault(chat_id, {})[agent_id] = now

    async def expire_offers(self, now: datetime) -> list[Offer]:
        lapsed = sorted(
            (o for o in self._s.offers.values() if o.deadline <= now),
            key=lambda o: (to_ms(o.deadline), o.chat_id),
        )
        for offer in lapsed:
            self._revert(offer, now)
        return lapsed

    async def release(self, agent_id: int, chat_id: str, now: datetime) -> None:
        agent = self._free_seat(agent_id)
        if agent is not None and agent.active == 0:
            agent.idle_since = now

    async def line(self, group: str) -> list[str]:
        return [entry.chat_id for entry in self._line(group)]

    async def snapshot(self, group: str) -> dict[str, Any]:
        line = self._line(group)
        agents = [a for a in self._s.agents.values() if group in a.groups]
        return {
            "group": group,
            "waiting": len(line),
            "longest_waiting_since": line[0].enqueued_at if line else None,
            "offered": sum(1 for o in self._s.offers.values() if o.group == group),
            "agents_available": sum(1 for a in agents if a.state() == "available"),
            "agents_busy": sum(1 for a in agents if a.state() == "busy"),
            "agents_away": sum(1 for a in agents if a.state() == "away"),
            "seats": sum(a.capacity for a in agents if a.presence == "available"),
        }

    async def set_deadline(self, kind: str, key: str, at: datetime) -> None:
        self._s.deadlines[kind, key] = at

    async def cancel_deadline(self, kind: str, key: str) -> bool:
        return self._s.deadlines.pop((kind, key), None) is not None

    async def take_due(self, now: datetime, lease_seconds: int) -> list[tuple[str, str]]:
        due = sorted(
            (to_ms(at), kind, key) for (kind, key), at in self._s.deadlines.items() if at <= now
        )
        lease = now + timedelta(seconds=lease_seconds)
        for _, kind, key in due:
            self._s.deadlines[kind, key] = lease
        return [(kind, key) for _, kind, key in due]

    def _connected(self, who: str, connection: str) -> int:
        connections = self._s.connections.setdefault(who, set())
        connections.add(connection)
        return len(connections)

    def _disconnected(self, who: str, connection: str) -> int:
        connections = self._s.connections.get(who, set())
        connections.discard(connection)
        return len(connections)

    async def agent_connected(self, agent_id: int, connection: str) -> int:
        return self._connected(holder("agent", agent_id), connection)

    async def agent_disconnected(self, agent_id: int, connection: str) -> int:
        return self._disconnected(holder("agent", agent_id), connection)

    async def connections(self, agent_id: int) -> int:
        return len(self._s.connections.get(holder("agent", agent_id), ()))

    async def customer_connected(self, customer_id: int, connection: str) -> int:
        return self._connected(holder("customer", customer_id), connection)

    async def customer_disconnected(self, customer_id: int, connection: str) -> int:
        return self._disconnected(holder("customer", customer_id), connection)

    async def customer_connections(self, customer_id: int) -> int:
        return len(self._s.connections.get(holder("customer", customer_id), ()))

    async def node_seen(self, node_id: str, until: datetime) -> bool:
        known = node_id in self._s.nodes
        self._s.nodes[node_id] = until
        return known

    async def take_dead_nodes(self, now: datetime) -> list[str]:
        dead = sorted(node for node, until in self._s.nodes.items() if until <= now)
        for node in dead:
            del self._s.nodes[node]
        return dead

    async def forget_node(self, node_id: str) -> Emptied:
        left_with_none = []
        for who, connections in self._s.connections.items():
            held = {c for c in connections if c.partition(":")[0] == node_id}
            if held:
                connections -= held
                if not connections:
                    left_with_none.append(who)
        return emptied(left_with_none)

    async def generation(self) -> str | None:
        return self._s.generation

    async def claim_generation(self, token: str) -> bool:
        if self._s.generation is not None:
            return False
        self._s.generation = token
        return True

    async def aclose(self) -> None:
        return None
