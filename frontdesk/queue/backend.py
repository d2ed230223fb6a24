"""QueueBackend: the routing queue's storage contract; these docstrings are the spec.

States of a chat in the queue: *waiting* (in its group's line) -> *offered* (one agent's
seat reserved until a deadline) -> gone (accepted or withdrawn). Decline and lapse put
an offered chat back to waiting in its original place, and the agent is remembered as
having *passed* on it, with the time: routing prefers agents who never passed on a chat,
and offers it again to one who did only once the caller's cool-down (`passed_before`)
allows, so a desk of one agent is never stranded by a single missed offer.

Rules (office hours, who may serve what) are decided by callers before they call; a
backend only stores state and moves it between states, each method one atomic step: two
nodes sharing a backend never see half a transition, and never both win the same entry
or the same seat.

Ordering: a group's line is ordered by `enqueued_at`, ties by chat id. Agents are
ordered by `idle_since`, ties by the agent id as text; reserving a seat counts as
activity (idle_since = now), so equal agents take turns.

Times are always given by the caller (aware UTC) and stored to the millisecond; a
backend never reads a clock of its own, so tests control time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from frontdesk.queue.models import AgentState, Emptied, Offer, Presence, QueueEntry


class QueueBackend(Protocol):
    async def enqueue(
        self, entry: QueueEntry, *, deadline: tuple[str, datetime] | None = None
    ) -> int:
        """Put a chat in its group's line; return its 1-based position there.

        Idempotent per chat_id: enqueueing a chat already in the queue changes nothing
        and returns its current position (0 if it is offered right now). A `deadline`
        (kind, at) is set for the chat in the same step, as `set_deadline(kind,
        chat_id, at)` would, whether or not the chat was in the queue already."""
        ...

    async def withdraw(self, chat_id: str, *, ending: tuple[str, ...] = ()) -> bool:
        """Remove a waiting or offered chat (the customer left). An offered chat frees
        its agent's seat. False if the chat was not in the queue. The chat's deadlines
        of the kinds `ending` are forgotten in the same step, in the queue or not."""
        ...

    async def offer_of(self, chat_id: str) -> Offer | None:
        """The chat's live offer, or None if it is not offered right now."""
        ...

    async def position(self, chat_id: str) -> int | None:
        """1-based place of a waiting chat in its group's line; 0 while it is offered;
        None if it is not in the queue (never enqueued, accepted or withdrawn)."""
        ...

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
        """Create or update an agent's routing state; `active` seats are kept unless
        `active` is given (a rebuild restores the count of chats the store says it holds).

        `idle_since` becomes `now` for a new agent or one turning available; otherwise
        it is kept; `reason` is stored as given (callers that mean to keep it pass it
        back); `presence_since` becomes `now` when the presence or the reason changes.
        `last_activity` is kept. Does not touch the agent's live offers: callers
        decline them."""
        ...

    async def agents(self) -> list[AgentState]:
        """Every agent's routing state, by agent id."""
        ...

    async def agent(self, agent_id: int) -> AgentState | None:
        """One agent's routing state; None for an agent that has none."""
        ...

    async def note_activity(self, agent_id: int, at: datetime) -> None:
        """The agent's console reported activity at `at`: `last_activity` becomes the
        later of it and the one kept. Unknown agents are ignored (nothing is created)."""
        ...

    async def take_idle(self, idle_before: datetime, now: datetime, reason: str) -> list[int]:
        """Every agent that is available, holds nothing (no chat, no offer) and whose
        last sign of life (the later of `idle_since` and `last_activity`) is at or before
        `idle_before` turns away with `reason`, `presence_since` = `now`; their ids,
        sorted. Atomic: concurrent callers get disjoint lists, so one caller tells each."""
        ...

    async def route_request(
        self,
        chat_id: str,
        now: datetime,
        offer_seconds: int,
        passed_before: datetime | None = None,
    ) -> Offer | None:
        """Offer a waiting chat to the agent who has been idle longest among those that
        are available, serve its group, have a free seat and never passed on this chat;
        if there is none, to the longest idle of those who passed on it at or before
        `passed_before` (None: never again). Reserves that seat until `now + offer_seconds`.

        None if the chat is not waiting (unknown, already offered) or no agent fits."""
        ...

    async def route_agent(
        self,
        agent_id: int,
        now: datetime,
        offer_seconds: int,
        passed_before: datetime | None = None,
    ) -> Offer | None:
        """A seat came free or the agent became available: offer it the oldest chat
        waiting in any group it serves that it never passed on, or passed on at or before
        `passed_before`; reserves the seat.

        None if the agent is unknown, not available, full, or nothing fits."""
        ...

    async def fill_seats(
        self,
        agent_id: int,
        now: datetime,
        offer_seconds: int,
        passed_before: datetime | None = None,
    ) -> list[Offer]:
        """`route_agent` as long as it makes offers, in one step: one offer per free seat
        while chats fit, oldest first. Empty if none fits."""
        ...

    async def offer_to(
        self, chat_id: str, agent_id: int, now: datetime, offer_seconds: int
    ) -> Offer | None:
        """A supervisor's choice: offer a waiting chat to this agent, whatever groups it
        serves and whether it passed on the chat, if it is signed in (available or away)
        and has a free seat; reserves the seat until `now + offer_seconds`.

        None if the chat is not waiting, or the agent is unknown, offline or full."""
        ...

    async def accept(self, chat_id: str, agent_id: int, *, ending: tuple[str, ...] = ()) -> bool:
        """The offered agent takes the chat: it leaves the queue, the seat stays taken,
        and the chat's deadlines of the kinds `ending` are forgotten.

        False (nothing changes) if the chat is not offered to this agent. Deadlines are
        enforced by `expire_offers`, not here."""
        ...

    async def decline(self, chat_id: str, agent_id: int, now: datetime) -> QueueEntry | None:
        """The offered agent refuses: the chat goes back to waiting in its original place
        (by enqueued_at), the agent is remembered as having passed on it at `now`, its
        seat is freed. Returns the entry, or None if the chat is not offered to this agent."""
        ...

    async def pass_on(self, chat_id: str, agent_id: int, now: datetime) -> None:
        """Remember the agent as having passed on the chat at `now`, as a decline does
        (a supervisor took the chat from it); the chat need not be in the queue yet.
        Forgotten, as every pass is, when the chat is accepted or withdrawn."""
        ...

    async def expire_offers(self, now: datetime) -> list[Offer]:
        """Every offer whose deadline is at or before `now` lapses, with the same effect
        as a decline at `now`. Atomic: concurrent callers get disjoint lists."""
        ...

    async def release(self, agent_id: int, chat_id: str, now: datetime) -> None:
        """An accepted chat ended: free one seat (never below zero); when the agent has
        no chats left, idle_since = now. Unknown agents are ignored."""
        ...

    async def requeue_front(self, entry: QueueEntry) -> int:
        """Put back an accepted chat whose agent vanished, with its original enqueued_at,
        so it is ahead of everyone who came later. Same idempotency as `enqueue`."""
        ...

    async def line(self, group: str) -> list[str]:
        """The chat ids waiting in a group's line, head first (offered chats excluded)."""
        ...

    async def snapshot(self, group: str) -> dict[str, Any]:
        """Figures for one group: `waiting` count, `longest_waiting_since` (enqueued_at of
        the head, or None), `offered` count, and agents serving it, each counted once:
        `agents_busy` (signed in, holding a chat or an offer), `agents_available`
        (available, holding nothing), `agents_away` (away, holding nothing); and `seats`,
        the total capacity of its available agents."""
        ...

    # Deadlines -----------------------------------------------------------------------
    # Timers other than offers (an agent's reconnect grace, a request's maximum wait)
    # live here as (kind, key) -> due time, so any node can act on them when due.

    async def set_deadline(self, kind: str, key: str, at: datetime) -> None:
        """Create or move the deadline (kind, key) to `at`."""
        ...

    async def cancel_deadline(self, kind: str, key: str) -> bool:
        """Forget the deadline; False if there was none."""
        ...

    async def take_due(self, now: datetime, lease_seconds: int) -> list[tuple[str, str]]:
        """Deadlines due at or before `now`, earliest first, each leased: moved to
        `now + lease_seconds`, so a node that dies while acting on one leaves it to
        fire again. The taker cancels it when done. Concurrent callers get disjoint lists."""
        ...

    # Connections and rebuilds --------------------------------------------------------

    async def agent_connected(self, agent_id: int, connection: str) -> int:
        """Note one of the agent's open sockets, named "node:sid" (the node that holds
        it, then the socket's id); returns how many it has."""
        ...

    async def agent_disconnected(self, agent_id: int, connection: str) -> int:
        """Forget one of the agent's sockets; returns how many are left."""
        ...

    async def connections(self, agent_id: int) -> int:
        """How many sockets the agent has open."""
        ...

    async def customer_connected(self, customer_id: int, connection: str) -> int:
        """Note one of a customer's open chat sockets; returns how many it has."""
        ...

    async def customer_disconnected(self, customer_id: int, connection: str) -> int:
        """Forget one of the customer's sockets; returns how many are left."""
        ...

    async def customer_connections(self, customer_id: int) -> int:
        """How many chat sockets the customer has open."""
        ...

    async def node_seen(self, node_id: str, until: datetime) -> bool:
        """The node is alive, and counts as dead if not seen again by `until`. False if
        the node was not known: new, or taken for dead meanwhile."""
        ...

    async def take_dead_nodes(self, now: datetime) -> list[str]:
        """Nodes not seen by their `until`, each returned to one caller only, and forgotten
        as nodes (their sockets stay until `forget_node`)."""
        ...

    async def forget_node(self, node_id: str) -> Emptied:
        """Drop every socket the node held; the agents and customers left with none,
        each sorted."""
        ...

    async def generation(self) -> str | None:
        """The token of the state's current life, None when the state is empty (never
        built, or Redis restarted without its data)."""
        ...

    async def claim_generation(self, token: str) -> bool:
        """Start a new life with `token` if none exists; True for the one caller that
        won and must rebuild the queue from the store."""
        ...

    async def aclose(self) -> None:
        """Release connections; the stored state survives (another node sees it)."""
        ...
