"""The supervisor's hand on live chat: follow any chat read-only, offer a waiting chat to
a chosen agent, take an active chat from its agent (to another agent, or back to the
front of its queue), end a stuck chat.

Each action goes through the same steps as the agents' own (chat/lifecycle.py: the store
first, then the queue, then the people told) and is written to the case's activity, for
staff only, with who did it. Whatever a supervisor does is one more routing event: a chat
taken from an agent is offered to others before that agent, as if they had declined it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from frontdesk.accounts.models import User
from frontdesk.chat.agents import AgentSettings, AgentSettingsIn, served_groups
from frontdesk.chat.lifecycle import OPEN_IN_QUEUE, LiveChat, queue_entry
from frontdesk.chat.models import Chat, ChatStatus
from frontdesk.chat.protocol import ChatMoved, ChatOut, ChatTransferred, PresenceChanged
from frontdesk.errors import Code, Conflict, Invalid, NotFound
from frontdesk.events import agent, chat_customer
from frontdesk.queue.models import AgentState

# How long one monitor_chat has a chat's messages pushed; a dashboard following a chat
# asks again well before (also its catch-up).
FOLLOW_SECONDS = 120
FOLLOW = timedelta(seconds=FOLLOW_SECONDS)


def _not_found() -> NotFound:
    return NotFound("We could not find that chat", code=Code.CHAT_NOT_FOUND)


@dataclass
class SupervisorDesk:
    live: LiveChat

    async def monitor(
        self,
        supervisor: User,
        chat_id: str,
        after_seq: int,
        watch: Callable[[str], Awaitable[None]],
    ) -> dict[str, Any]:
        """What the agent sees of the chat (case, feed, messages after `after_seq`), and
        its messages and its end pushed for FOLLOW_SECONDS (asking again extends it):
        `watch` joins and the chat is marked followed before the read, so nothing said
        in between is missed."""
        await self._chat(chat_id)
        await watch(chat_id)
        await self.live.states.follow(chat_id, self.live.clock.now() + FOLLOW)
        return await self.live.agent_view(supervisor, chat_id, after_seq)

    async def assign(self, supervisor: User, chat_id: str, agent_id: int) -> dict[str, Any]:
        """Offer a waiting chat to the chosen agent, even one who passed on it or serves
        other groups; an offer out to someone else is withdrawn first."""
        live, now = self.live, self.live.clock.now()
        chat = await self._chat(chat_id)
        if chat.status not in OPEN_IN_QUEUE:
            raise Conflict("Only a waiting chat can be assigned", code=Code.CHAT_NOT_WAITING)
        name = await self._ready(agent_id)
        if await live.router.position(chat_id) is None:
            message = "The customer has left the line for now; try again when they are back"
            raise Conflict(message, code=Code.CUSTOMER_AWAY)
        current = await live.router.offer_of(chat_id)
        if current is not None and current.agent_id == agent_id:
            return self._assigned(chat, name, current.deadline.isoformat())
        if current is not None:
            await live.states.return_to_queue(chat_id)
            await live.withdraw(chat_id, reason="reassigned")
            await live.router.enqueue(queue_entry(chat), now)
        offer = await live.router.offer_to(chat_id, agent_id, now)
        if offer is None:  # taken meanwhile (another node routed it, the seat filled)
            await live.route_request(chat_id)
            raise _unavailable(name)
        await live.offered([offer])
        await live.states.log_desk_action(chat, supervisor, f"Offered the chat to {name}.", now)
        return self._assigned(chat, name, offer.deadline.isoformat())

    async def move(self, supervisor: User, chat_id: str, agent_id: int | None) -> dict[str, Any]:
        """Take an active chat from its agent: offered to `agent_id`, or with None back
        to the front of its queue (it keeps its place, ahead of everyone who came later)
        for the next agent other than the one it was taken from."""
        live, now = self.live, self.live.clock.now()
        chat = await self._chat(chat_id)
        if chat.status is not ChatStatus.ACTIVE or chat.agent_id is None:
            raise Conflict("Only an active chat can be moved", code=Code.CHAT_NOT_ACTIVE)
        if agent_id == chat.agent_id:
            message = "That agent has this chat already"
            raise Invalid(message, fields={"agent_id": message})
        to_name = await self._ready(agent_id) if agent_id is not None else None
        from_name = (await live.states.user_names([chat.agent_id])).get(chat.agent_id, "")
        back = await live.states.return_to_queue(chat_id)
        if back is None:
            raise Conflict("This chat has ended", code=Code.CHAT_ENDED)
        await live.free_seat(chat.agent_id, chat_id)
        where = f"to {to_name}" if to_name else "back to the front of the queue"
        told = f"{supervisor.display_name} moved this chat {where}."
        await live.publish(agent(chat.agent_id), ChatMoved(chat_id=chat_id, message=told))
        await live.publish(chat_customer(chat_id), ChatTransferred(chat_id=chat_id, same_team=True))
        # Others first, as if the agent it was taken from had declined it.
        await live.router.pass_on(chat_id, chat.agent_id, now)
        # A customer away for now rejoins the line when back (LiveChat.customer_back).
        if await live.router.customer_connections(chat.customer_id) > 0:
            await live.router.enqueue(queue_entry(back), now)
            offer = await live.router.offer_to(chat_id, agent_id, now) if agent_id else None
            if offer is not None:
                await live.offered([offer])
            else:
                await live.route_request(chat_id)
        what = f"Moved the chat from {from_name} {where}."
        await live.states.log_desk_action(chat, supervisor, what, now)
        live.figures.changed(chat.group_name)
        return {"chat": ChatOut.of(back).model_dump(mode="json")}

    async def stop(self, supervisor: User, chat_id: str, reason: str) -> dict[str, Any]:
        """End a chat, waiting or active, with the reason in its transcript; both sides
        are told who ended it and why."""
        live = self.live
        before = await self._chat(chat_id)
        if before.status is ChatStatus.ENDED:
            raise Conflict("This chat has ended", code=Code.CHAT_ENDED)
        by = f"{supervisor.display_name} (supervisor)"
        ended = await live.chats.end_chat(chat_id, supervisor, reason=f"Ended by {by}: {reason}")
        if ended.ended_by == supervisor.id:  # not ended by someone else meanwhile
            note = f"{by} ended this chat: {reason}"
            await live.after_end(before, ended, note=note if note[-1] in ".!?" else note + ".")
            await live.states.log_desk_action(
                before, supervisor, f"Ended the chat: {reason}", live.clock.now()
            )
        return {"chat": ChatOut.of(ended).model_dump(mode="json")}

    async def configure(
        self, agent_id: int, *, groups: list[str] | None, capacity: int
    ) -> AgentSettings:
        """Which customer groups an agent serves for chat (None: every group with chat)
        and how many chats it takes at once. Stored; an agent with a routing state is
        routed by it at once (a seat freed or a group added may bring an offer), and its
        console hears. Its presence is its own and stays."""
        live = self.live
        change = AgentSettingsIn(groups=groups, capacity=capacity)
        chat_groups = live.router.chat_groups()
        before = await live.router.agent(agent_id)
        settings = await live.agents.update(agent_id, change, chat_groups)
        if before is None:
            return settings
        served = served_groups(settings, chat_groups)
        state = await live.router.set_agent(
            agent_id, presence=before.presence, groups=served, capacity=settings.capacity,
            now=live.clock.now(), reason=before.reason,
        )  # fmt: skip
        if state.presence == "available":
            await live.fill_seats(agent_id)
        live.figures.changed(*before.groups, *served)
        told = PresenceChanged(
            settings=settings, active=state.active, reason=state.reason,
            closed_note=live.closed_note(settings),
        )  # fmt: skip
        await live.publish(agent(agent_id), told)
        return settings

    # Checks ------------------------------------------------------------------------------

    async def _chat(self, chat_id: str) -> Chat:
        chat = await self.live.states.chat(chat_id)
        if chat is None:
            raise _not_found()
        return chat

    async def _ready(self, agent_id: int) -> str:
        """The agent's name, if it can take a chat now: signed in with a free seat."""
        state: AgentState | None = await self.live.router.agent(agent_id)
        if state is None:
            message = "Not an agent who takes chats"
            raise Invalid(message, fields={"agent_id": message})
        name = (await self.live.states.user_names([agent_id])).get(agent_id, f"Agent {agent_id}")
        if state.presence == "offline" or state.active >= state.capacity:
            raise _unavailable(name)
        return name

    def _assigned(self, chat: Chat, name: str, deadline: str) -> dict[str, Any]:
        return {"chat_id": chat.public_id, "offered_to": name, "deadline": deadline}


def _unavailable(name: str) -> Conflict:
    return Conflict(
        f"{name} cannot take a chat now: signed out, or every seat is taken",
        code=Code.AGENT_UNAVAILABLE,
    )
