"""When things go wrong or time runs out: lapsed offers, requests that waited too long or
outlived their group's hours, agents who dropped, and a queue that lost its state.

Every node runs the same sweep. Deadlines live in the queue backend and are leased
while a node acts on them, so two nodes never both act and a node that dies mid-way
leaves its work to the others. Connections are noted per node ("node:sid").
"""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import uuid4

from frontdesk.accounts.models import Role, User
from frontdesk.chat.agents import served_groups
from frontdesk.chat.lifecycle import LiveChat, queue_entry
from frontdesk.chat.models import ChatStatus
from frontdesk.chat.protocol import (
    AgentDisconnected,
    AgentReconnected,
    ChatOut,
    ChatRequeued,
    ChatUnavailable,
    OfferWithdrawn,
    PresenceChanged,
    SetPresence,
)
from frontdesk.events import agent, chat_customer
from frontdesk.queue.models import Offer
from frontdesk.queue.router import CUSTOMER_GONE, GRACE, REOFFER, WAIT, Router

log = logging.getLogger(__name__)

# A node acting on a due deadline has this long before another node may try again.
LEASE_SECONDS = 30

UNANSWERED = {
    "closed": "Our chat team has closed for the day before an agent could answer.",
    "max_wait": "No agent could answer in time.",
}
# Why a chat ended when its customer's connection did not come back, by its state then.
CUSTOMER_LEFT = {
    "waiting": "The customer left before an agent answered.",
    "active": "The customer's connection was lost and they did not come back.",
}


class ChatTimeouts:
    def __init__(self, live: LiveChat, node_id: str, node_timeout_seconds: int = 15) -> None:
        self.live = live
        self.node_id = node_id
        self._node_timeout = timedelta(seconds=node_timeout_seconds)
        self._generation: str | None = None
        # This node's own agent and customer sockets: re-announced if the queue state is lost.
        self._sockets: dict[str, User] = {}

    @property
    def _router(self) -> Router:
        return self.live.router

    # The sweep ---------------------------------------------------------------------------

    async def sweep(self) -> None:
        """One pass: rebuild if the state was lost, then act on everything due."""
        if self._generation is None:
            # A node restarted under the same id: the sockets it held before are gone.
            await self.node_died(self.node_id)
        await self.check_generation()
        now = self.live.clock.now()
        known = await self._router.node_seen(self.node_id, now + self._node_timeout)
        if not known and self._generation is not None:
            await self._reannounce()  # taken for dead while busy: our sockets are live
        for node in await self._router.take_dead_nodes(now):
            await self.node_died(node)
        for offer in await self._router.expire_offers(now):
            await self.offer_lapsed(offer)
        for kind, key in await self._router.take_due(now, LEASE_SECONDS):
            try:
                await self._act(kind, key)
            except Exception:
                log.exception("acting on deadline %s %s failed; it fires again", kind, key)

    async def _act(self, kind: str, key: str) -> None:
        if kind == WAIT:
            await self.wait_due(key)
        elif kind == GRACE:
            await self.grace_lapsed(int(key))
        elif kind == CUSTOMER_GONE:
            await self.customer_grace_lapsed(int(key))
        elif kind == REOFFER:
            await self._router.drop_deadline(kind, key)
            await self.live.route_request(key)  # nothing happens unless it still waits
        else:
            await self._router.drop_deadline(kind, key)

    # Offers and waits --------------------------------------------------------------------

    async def offer_lapsed(self, offer: Offer) -> None:
        """Nobody answered in time: the chat goes to the next agent; the one who let it
        lapse is set away (an agent not at the desk should not be offered more)."""
        live = self.live
        live.figures.count_offer(offer.group, "lapsed")
        lapsed = OfferWithdrawn(chat_id=offer.chat_id, reason="lapsed")
        await live.publish(agent(offer.agent_id), lapsed)
        await live.states.return_to_queue(offer.chat_id)
        await self._set_away(offer.agent_id)
        await live.route_request(offer.chat_id)

    async def _set_away(self, agent_id: int) -> None:
        now = await self.live.set_presence(agent_id, SetPresence(presence="away"))
        changed = PresenceChanged(settings=now.settings, active=now.active)
        await self.live.publish(agent(agent_id), changed)

    async def wait_due(self, chat_id: str) -> None:
        """A request's time to wait is up, or its group closed: if it still waits, end it
        and make its case a message case; the customer is offered to leave a message."""
        live = self.live
        chat = await live.states.chat(chat_id)
        if chat is None or chat.status not in (ChatStatus.REQUESTED, ChatStatus.OFFERED):
            await self._router.stop_waiting(chat_id)
            return
        now = live.clock.now()
        reason = self._router.overdue(chat.group_name, chat.requested_at, now)
        if reason is None:  # the hours changed since: wait on
            await self._router.wait_on(chat_id, chat.group_name, chat.requested_at, now)
            return
        ended = await live.chats.end_unanswered(chat_id, UNANSWERED[reason])
        await live.withdraw(chat_id, reason="unanswered")
        if ended is not None:
            live.figures.count_abandoned(chat.group_name)
            case = await live.states.case_of(ended)
            await live.publish(
                chat_customer(chat_id),
                ChatUnavailable(chat_id=chat_id, reason=reason, message=UNANSWERED[reason],
                                case_number=case.number, reply_by=case.reply_by),
            )  # fmt: skip
        live.figures.changed(chat.group_name)

    # Agents' connections -----------------------------------------------------------------

    async def agent_connected(self, user: User, sid: str) -> list[dict[str, object]]:
        """An agent socket opened: back within its grace, its chats stay its own."""
        self._sockets[sid] = user
        await self._router.agent_connected(user.id, f"{self.node_id}:{sid}")
        chats = await self.live.states.agent_chats(user.id)
        if await self._router.end_grace(user.id):
            for chat in chats:
                back = AgentReconnected(chat_id=chat.public_id)
                await self.live.publish(chat_customer(chat.public_id), back)
        await self._restore_presence(user, active=len(chats))
        return [ChatOut.of(chat).model_dump(mode="json") for chat in chats]

    async def _restore_presence(self, user: User, active: int | None = None) -> None:
        settings = await self.live.agents.settings(user.id)
        groups = served_groups(settings, self._router.chat_groups())
        await self._router.set_agent(
            user.id, presence=settings.presence, groups=groups, capacity=settings.capacity,
            now=self.live.clock.now(), active=active,
            reason=await self._away_reason(user.id) if settings.presence == "away" else None,
        )  # fmt: skip
        if settings.presence == "available":
            await self.live.fill_seats(user.id)
        self.live.figures.changed(*groups)

    async def _away_reason(self, agent_id: int) -> str | None:
        """The agent's away reason, kept while its console is closed: back, it is away
        for the same reason."""
        state = await self._router.agent(agent_id)
        return None if state is None else state.reason

    async def agent_disconnected(self, user: User, sid: str) -> None:
        """The agent's last socket closed: no new offers, and a grace period to return
        before its chats go back to the queue."""
        self._sockets.pop(sid, None)
        left = await self._router.agent_disconnected(user.id, f"{self.node_id}:{sid}")
        if left == 0:
            await self._agent_gone(user.id)

    async def node_died(self, node_id: str) -> None:
        """Another node stopped without closing its sockets: its agents and customers are
        treated as disconnected (their browsers reconnect to a live node in the grace)."""
        left = await self._router.forget_node(node_id)
        for agent_id in left.agents:
            log.warning("node %s is gone; agent %s has its grace to come back", node_id, agent_id)
            await self._agent_gone(agent_id)
        for customer_id in left.customers:
            await self._customer_gone(customer_id)

    async def _agent_gone(self, agent_id: int) -> None:
        settings = await self.live.agents.settings(agent_id)
        groups = served_groups(settings, self._router.chat_groups())
        now = self.live.clock.now()
        await self._router.set_agent(
            agent_id, presence="offline", groups=groups, capacity=settings.capacity, now=now,
            reason=await self._away_reason(agent_id),
        )  # fmt: skip
        self.live.figures.changed(*groups)
        chats = await self.live.states.agent_chats(agent_id)
        if not chats:
            return
        until = await self._router.start_grace(agent_id, now)
        for chat in chats:
            gone = AgentDisconnected(chat_id=chat.public_id, back_by=until)
            await self.live.publish(chat_customer(chat.public_id), gone)

    async def grace_lapsed(self, agent_id: int) -> None:
        """The agent did not come back: each of its chats returns to the front of its
        queue with its original wait, for the next agent, who sees the transcript."""
        live = self.live
        if await self._router.connections(agent_id) > 0:
            await self._router.end_grace(agent_id)
            return
        for chat in await live.states.agent_chats(agent_id):
            back = await live.states.return_to_queue(chat.public_id)
            await self._router.release(agent_id, chat.public_id, live.clock.now())
            if back is None:
                continue
            if await self._router.customer_connections(back.customer_id) == 0:
                continue  # out of the line until the customer is back (or their grace ends)
            position = await self._router.enqueue(queue_entry(back), live.clock.now())
            requeued = ChatRequeued(chat_id=chat.public_id, position=position)
            await live.publish(chat_customer(chat.public_id), requeued)
            await live.route_request(chat.public_id)
            live.figures.changed(back.group_name)
        await self._router.end_grace(agent_id)

    # Customers' connections --------------------------------------------------------------

    def forget_socket(self, sid: str) -> None:
        """A socket refused as it connected: it will never disconnect."""
        self._sockets.pop(sid, None)

    async def customer_connected(self, user: User, sid: str) -> None:
        """A customer's chat socket opened: back within the grace, their chats go on."""
        self._sockets[sid] = user
        await self._customer_here(user.id, f"{self.node_id}:{sid}")

    async def _customer_here(self, customer_id: int, connection: str) -> None:
        await self._router.customer_connected(customer_id, connection)
        if await self._router.end_customer_grace(customer_id):
            await self.live.customer_back(customer_id)

    async def customer_disconnected(self, user: User, sid: str) -> None:
        self._sockets.pop(sid, None)
        left = await self._router.customer_disconnected(user.id, f"{self.node_id}:{sid}")
        if left == 0:
            await self._customer_gone(user.id)

    async def _customer_gone(self, customer_id: int) -> None:
        """No socket of the customer is left (a closed tab, a lost network): their open
        chats wait for them for the grace period, out of the line."""
        if not await self.live.states.customer_chats(customer_id):
            return
        until = await self._router.start_customer_grace(customer_id, self.live.clock.now())
        await self.live.customer_away(customer_id, until)

    async def customer_grace_lapsed(self, customer_id: int) -> None:
        if await self._router.customer_connections(customer_id) == 0:
            await self.live.customer_left(customer_id, CUSTOMER_LEFT)
        await self._router.end_customer_grace(customer_id)

    # A lost queue ------------------------------------------------------------------------

    async def check_generation(self) -> None:
        """If the queue state is gone (Redis restarted empty), one node rebuilds it from
        the store; every node then re-announces its own agents' sockets."""
        token = await self._router.generation()
        if token is None:
            token = uuid4().hex
            if await self._router.claim_generation(token):
                await self.rebuild()
            token = await self._router.generation()
        if token != self._generation:
            first = self._generation is None
            self._generation = token
            if not first:
                await self._reannounce()

    async def _reannounce(self) -> None:
        """Put this node's agent sockets back into a queue state that lost them."""
        users = {}
        for sid, user in list(self._sockets.items()):
            connection = f"{self.node_id}:{sid}"
            if user.role is Role.CUSTOMER:  # taken for gone meanwhile: back at once
                await self._customer_here(user.id, connection)
                continue
            await self._router.agent_connected(user.id, connection)
            users[user.id] = user
        for user in users.values():
            await self._router.end_grace(user.id)
            await self._restore_presence(user)

    async def rebuild(self) -> None:
        live = self.live
        now = live.clock.now()
        open_chats = await live.states.open_chats()
        active: dict[int, int] = {}
        for chat in open_chats:
            if chat.status is ChatStatus.ACTIVE and chat.agent_id is not None:
                active[chat.agent_id] = active.get(chat.agent_id, 0) + 1
                continue
            back = await live.states.return_to_queue(chat.public_id)
            if back is not None:
                await self._router.enqueue(queue_entry(back), now)
        groups = tuple(self._router.chat_groups())
        for settings in await live.agents.all_settings():
            seats = active.pop(settings.agent_id, 0)
            served = served_groups(settings, groups)
            # Offline until a socket of theirs is announced (a node's re-announce, or they
            # connect): an agent whose console is closed is offered nothing, and Contact
            # Us offers no chat on their account. Their chosen presence stays stored.
            await self._router.set_agent(
                settings.agent_id, presence="offline", groups=served,
                capacity=settings.capacity, now=now, active=seats,
            )  # fmt: skip
            if seats:  # connected agents cancel this as they are re-announced
                await self._router.start_grace(settings.agent_id, now)
        for agent_id, seats in active.items():  # agents who never set a presence
            await self._router.set_agent(
                agent_id, presence="offline", groups=groups,
                capacity=self._router.timings.capacity, now=now, active=seats,
            )  # fmt: skip
            await self._router.start_grace(agent_id, now)
        log.info("rebuilt the chat queue from the store: %d open chats", len(open_chats))
        for chat in open_chats:
            if chat.status is not ChatStatus.ACTIVE:
                await live.route_request(chat.public_id)
