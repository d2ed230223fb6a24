"""Live chat: each step of a chat's life, in the store, the queue and to the people in it.

Order within every step: the store first (what must survive), then the queue backend
(who gets what next), then the notifications; so a client that hears of something can
always read it back, and a step cut short by a crash is redone from the store.
Routing is driven only by events: a new request, a seat freed (decline, lapse, end,
transfer), an agent turning available; deadlines are handled in chat/timeouts.py.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk.accounts.models import Role, User
from frontdesk.chat.agents import AgentSettings, AgentSettingsIn, ChatAgents, served_groups
from frontdesk.chat.chats import ChatService, ChatView
from frontdesk.chat.figures import SupervisorFigures
from frontdesk.chat.files import ChatFiles
from frontdesk.chat.models import Chat, ChatMessage, ChatStatus, MessageIn
from frontdesk.chat.positions import CustomerPositions
from frontdesk.chat.protocol import (
    BeingOffered,
    CaseOut,
    ChatAccepted,
    ChatEnded,
    ChatOffered,
    ChatOut,
    ChatTransferred,
    CustomerDisconnected,
    CustomerReconnected,
    MessageCreated,
    MessageOut,
    OfferWithdrawn,
    PresenceOut,
    SetPresence,
    TranscriptEmailed,
    TypingShown,
    WithdrawReason,
)
from frontdesk.chat.states import ChatStates
from frontdesk.chat.transcripts import render_transcript, transcript_filename
from frontdesk.clock import Clock
from frontdesk.errors import Code, Conflict, Forbidden, FrontdeskError, Invalid
from frontdesk.events import Audience, Notifier, Push, agent, chat_customer, chat_monitors
from frontdesk.queue.models import Offer, QueueEntry
from frontdesk.queue.router import Router
from frontdesk.ratings.models import RatingIn, RatingOut
from frontdesk.ratings.service import Ratings

log = logging.getLogger(__name__)

OPEN_IN_QUEUE = (ChatStatus.REQUESTED, ChatStatus.OFFERED)


def _offer_gone() -> Conflict:
    return Conflict("This chat is no longer offered to you", code=Code.OFFER_GONE)


@dataclass
class LiveChat:
    chats: ChatService
    states: ChatStates
    agents: ChatAgents
    router: Router
    figures: SupervisorFigures
    positions: CustomerPositions
    clock: Clock
    notifier: Notifier
    files: ChatFiles
    ratings: Ratings

    async def publish(self, audience: Audience, push: Push) -> None:
        try:
            await self.notifier.publish(audience, push)
        except Exception:  # the change is stored; a client catches up when it resumes
            log.exception("could not publish %s", push.event)

    # Customer ----------------------------------------------------------------------------

    async def request_chat(
        self,
        customer: User,
        case_number: str,
        watch: Callable[[str], Awaitable[None]] | None = None,
    ) -> dict[str, Any]:
        """Join the queue of the case's customer group, inside its office hours. Asking
        again for a case whose chat is open returns that chat: a retry is safe.

        `watch(chat_id)` subscribes the customer to the chat's events; it runs before
        the chat is routed, so an offer accepted at once still reaches the customer."""

        def admit(group: str) -> None:
            self.router.admit(group, self.clock.now())

        open_chat, created = await self.chats.open_or_request(customer, case_number, admit)
        if created:
            self.figures.count_request(open_chat.group_name)
        if watch is not None:
            await watch(open_chat.public_id)
        if open_chat.status in OPEN_IN_QUEUE:
            await self.router.enqueue(queue_entry(open_chat), self.clock.now())
            await self.route_request(open_chat.public_id)
        return await self.chat_state(open_chat.public_id, customer)

    async def chat_state(self, chat_id: str, viewer: User, after_seq: int = 0) -> dict[str, Any]:
        """The chat, its agent's name once answered, the messages after `after_seq`, and
        its place in the queue while it waits."""
        return await self._state(await self.chats.view(viewer, chat_id, after_seq))

    async def _state(self, view: ChatView) -> dict[str, Any]:
        chat = view.chat
        state: dict[str, Any] = {
            "chat": ChatOut.of(chat).model_dump(mode="json"),
            "messages": [MessageOut.of(m).model_dump(mode="json") for m in view.messages],
        }
        if view.agent_name is not None:
            state["agent_name"] = view.agent_name
        if chat.status in OPEN_IN_QUEUE:
            state.update(await self.positions.place(chat.group_name, chat.public_id))
        return state

    async def save_chat(self, chat_id: str, viewer: User) -> dict[str, str]:
        """The transcript so far as a file: name and text, stamped with case and times."""
        chat = await self.chats.access_chat(viewer, chat_id)
        case = await self.states.case_of(chat)
        messages = await self.chats.messages_after(chat_id, viewer, 0)
        return {
            "filename": transcript_filename(case.number, chat.requested_at),
            "text": render_transcript(case.number, chat, messages),
        }

    async def leave_message(
        self,
        customer: User,
        body: str,
        *,
        chat_id: str | None = None,
        case_number: str | None = None,
    ) -> dict[str, Any]:
        """The customer writes instead of waiting (or after nobody answered, or while chat
        is closed): a waiting chat leaves the queue and ends, and the case, now a message
        case, says by when we reply."""
        case, ended = await self.chats.leave_message(
            customer, body, chat_id=chat_id, case_number=case_number
        )
        if ended is not None:
            await self.withdraw(ended.public_id, reason="cancelled")
            self.figures.count_abandoned(ended.group_name)
            await self.publish(chat_customer(ended.public_id), ChatEnded(chat=ChatOut.of(ended)))
            self.figures.changed(ended.group_name)
        return {
            "case_number": case.number,
            "reply_by": case.reply_by.isoformat(),
        }

    async def rate_chat(self, customer: User, chat_id: str, given: RatingIn) -> RatingOut:
        """The customer rates a chat an agent answered, once it ended (ratings/)."""
        return await self.ratings.rate_chat(customer, chat_id, given)

    # Both sides --------------------------------------------------------------------------

    async def send_message(self, sender: User, message: MessageIn, chat_id: str) -> ChatMessage:
        chat, stored = await self.chats.post(chat_id, sender, message)
        followed = chat.monitored_at(self.clock.now())
        await self.tell_both(chat, MessageCreated.of(stored), followed=followed)
        self.figures.talked()
        return stored

    async def share_file(
        self,
        sender: User,
        chat_id: str,
        filename: str,
        chunks: AsyncIterator[bytes],
        declared_size: int | None = None,
    ) -> ChatMessage:
        """A participant shares a file (chat/files.py): the message carrying it reaches
        both sides and those following the chat, on every node, as any message does."""
        chat, stored = await self.files.share(sender, chat_id, filename, chunks, declared_size)
        followed = chat.monitored_at(self.clock.now())
        await self.tell_both(chat, MessageCreated.of(stored), followed=followed)
        self.figures.talked()
        return stored

    async def email_transcript(self, customer: User, chat_id: str) -> TranscriptEmailed:
        to, sent_at = await self.chats.email_transcript(customer, chat_id)
        return TranscriptEmailed(to=to, sent_at=sent_at)

    async def typing(self, user: User, chat_id: str, typing: bool) -> None:
        chat = await self.chats.access_chat(user, chat_id)
        if not chat.has_participant(user.id) or chat.status is not ChatStatus.ACTIVE:
            return
        shown = TypingShown(chat_id=chat_id, name=user.display_name, typing=typing)
        if user.role is Role.CUSTOMER and chat.agent_id is not None:
            await self.publish(agent(chat.agent_id), shown)
        elif user.id == chat.agent_id:
            await self.publish(chat_customer(chat_id), shown)

    async def end_chat(self, user: User, chat_id: str, wrap_up: str | None = None) -> Chat:
        """The customer ends (or cancels while waiting) or the agent ends with a wrap-up."""
        before = await self.chats.access_chat(user, chat_id)
        if user.role is not Role.CUSTOMER and user.id != before.agent_id:
            raise Forbidden("Only the chat's agent can end it")
        ended = await self.chats.end_chat(chat_id, user, wrap_up=wrap_up)
        if before.status is not ChatStatus.ENDED:
            await self.after_end(before, ended)
        return ended

    async def after_end(self, before: Chat, ended: Chat, note: str | None = None) -> None:
        """A chat just ended (`before` is how it stood): a waiting one leaves the queue
        and counts as abandoned, an answered one frees its agent's seat; both sides and
        those following it hear, with `note` saying who ended it if neither side did."""
        if before.status in OPEN_IN_QUEUE:
            await self.withdraw(before.public_id, reason="cancelled")
            self.figures.count_abandoned(before.group_name)
        elif before.agent_id is not None:
            self.figures.count_handled(ended)
            await self.free_seat(before.agent_id, before.public_id)
        await self.tell_both(ended, ChatEnded(chat=ChatOut.of(ended), note=note), before.agent_id)
        self.figures.changed(before.group_name)

    async def customer_away(self, customer_id: int, back_by: datetime) -> None:
        """Every connection of the customer is gone: a waiting chat steps out of the line
        (no agent is offered a chat with nobody in it) keeping its place for the return;
        an active chat's agent hears it, and until when the customer may come back."""
        for chat in await self.states.customer_chats(customer_id):
            if chat.status in OPEN_IN_QUEUE:
                if chat.status is ChatStatus.OFFERED:  # the store first, as everywhere
                    await self.states.return_to_queue(chat.public_id)
                await self.withdraw(chat.public_id, reason="customer_away")
                self.figures.changed(chat.group_name)
            elif chat.agent_id is not None:
                away = CustomerDisconnected(chat_id=chat.public_id, back_by=back_by)
                await self.publish(agent(chat.agent_id), away)

    async def customer_back(self, customer_id: int) -> None:
        """The customer is back within the grace: a waiting chat rejoins the line in its
        old place (a chat keeps its request time), an active chat's agent hears it."""
        for chat in await self.states.customer_chats(customer_id):
            if chat.status in OPEN_IN_QUEUE:
                await self.router.enqueue(queue_entry(chat), self.clock.now())
                await self.route_request(chat.public_id)
            elif chat.agent_id is not None:
                back = CustomerReconnected(chat_id=chat.public_id)
                await self.publish(agent(chat.agent_id), back)

    async def customer_left(self, customer_id: int, reasons: dict[str, str]) -> None:
        """The customer did not come back: each open chat ends with the reason for its
        state ("waiting" or "active") in the transcript; a waiting one counts as
        abandoned, an active one frees its agent's seat."""
        for chat in await self.states.customer_chats(customer_id):
            waiting = chat.status in OPEN_IN_QUEUE
            ended = await self.chats.end_left(
                chat.public_id, reasons["waiting" if waiting else "active"]
            )
            if ended is None:
                continue
            if waiting:
                await self.withdraw(chat.public_id, reason="customer_away")
                self.figures.count_abandoned(chat.group_name)
            elif chat.agent_id is not None:
                self.figures.count_handled(ended)
                await self.free_seat(chat.agent_id, chat.public_id)
            await self.tell_both(ended, ChatEnded(chat=ChatOut.of(ended)), chat.agent_id)
            self.figures.changed(chat.group_name)

    async def chat_staffed(self, group: str) -> bool:
        """Whether an agent serving `group` is signed in to chat (available, busy or
        away; offline agents and those whose console is closed are not)."""
        snapshot = await self.router.snapshot(group)
        signed_in = ("agents_available", "agents_busy", "agents_away")
        return sum(int(snapshot[state]) for state in signed_in) > 0

    # Agent -------------------------------------------------------------------------------

    async def set_presence(self, agent_id: int, change: SetPresence) -> PresenceOut:
        """The agent's own choice (or the desk's, for one that let an offer lapse): kept
        in the store, routed by at once; an away reason must be one of the list."""
        groups = self.router.chat_groups()
        reason = self.agents.away_reason(change.presence, change.reason)
        update = AgentSettingsIn.model_validate(
            change.model_dump(exclude_unset=True, exclude={"reason"})
        )
        settings = await self.agents.update(agent_id, update, groups)
        served = served_groups(settings, groups)
        state = await self.router.set_agent(
            agent_id, presence=settings.presence, groups=served,
            capacity=settings.capacity, now=self.clock.now(), reason=reason,
        )  # fmt: skip
        if settings.presence == "available":
            await self.fill_seats(agent_id)
        self.figures.changed(*served)
        return PresenceOut(
            settings=settings, active=state.active, reason=state.reason,
            closed_note=self.closed_note(settings),
        )  # fmt: skip

    async def note_activity(self, agent_id: int) -> None:
        """The agent's console was used (a key, a pointer): not idle, as of now."""
        await self.router.note_activity(agent_id, self.clock.now())

    def closed_note(self, settings: AgentSettings) -> str | None:
        """For an available agent whose every group is closed: why nothing is offered."""
        if settings.presence != "available":
            return None
        served = served_groups(settings, self.router.chat_groups())
        return self.router.closed_note(served, self.clock.now())

    async def accept_chat(self, user: User, chat_id: str) -> dict[str, Any]:
        """Take an offered chat; the answer carries the case and the whole transcript."""
        if not await self.router.accept(chat_id, user.id):
            raise _offer_gone()
        try:
            view = await self.chats.accept_and_view(chat_id, user)
        except FrontdeskError:
            await self.free_seat(user.id, chat_id)  # the customer left meanwhile
            raise
        self.figures.count_answered(view.chat)
        accepted = ChatAccepted(chat_id=chat_id, agent_name=user.display_name)
        await self.publish(chat_customer(chat_id), accepted)
        self.figures.changed(view.chat.group_name)
        return await self._agent_state(view)

    async def agent_view(self, user: User, chat_id: str, after_seq: int = 0) -> dict[str, Any]:
        """What an agent sees of a chat: the case, its feed, and the messages."""
        return await self._agent_state(
            await self.chats.view(user, chat_id, after_seq, with_case=True)
        )

    async def _agent_state(self, view: ChatView) -> dict[str, Any]:
        state = await self._state(view)
        assert view.case is not None, "a chat's case is never deleted"
        case = CaseOut.of(view.case, self.router.group_name(view.case.customer_group))
        state["case"] = case.model_dump(mode="json")
        state["feed"] = [item.model_dump(mode="json") for item in view.feed]
        return state

    async def decline_chat(self, user: User, chat_id: str) -> None:
        entry = await self.router.decline(chat_id, user.id, self.clock.now())
        if entry is None:
            raise _offer_gone()
        self.figures.count_offer(entry.group, "declined")
        await self.states.return_to_queue(chat_id)
        await self.route_request(chat_id)
        await self.fill_seats(user.id)

    async def transfer_chat(self, user: User, chat_id: str, group: str) -> dict[str, Any]:
        """Hand an active chat to another customer group's queue, keeping its wait."""
        chat = await self.chats.access_chat(user, chat_id)
        if chat.agent_id != user.id or chat.status is not ChatStatus.ACTIVE:
            raise Conflict("Only your active chats can be transferred", code=Code.NOT_YOUR_CHAT)
        if group not in self.router.chat_groups():
            raise Invalid("Not a customer group with chat", fields={"group": "Unknown group"})
        self.router.admit(group, self.clock.now())
        moved = await self.states.return_to_queue(chat_id, group=group)
        if moved is None:
            raise Conflict("This chat has ended", code=Code.CHAT_ENDED)
        await self.free_seat(user.id, chat_id)
        await self.router.enqueue(queue_entry(moved), self.clock.now())
        await self.publish(chat_customer(chat_id), ChatTransferred(chat_id=chat_id))
        await self.route_request(chat_id)
        self.figures.changed(chat.group_name, group)
        return {"chat": ChatOut.of(moved).model_dump(mode="json")}

    async def agent_chats(self, user: User) -> list[dict[str, Any]]:
        chats = await self.states.agent_chats(user.id)
        return [ChatOut.of(chat).model_dump(mode="json") for chat in chats]

    # Routing -----------------------------------------------------------------------------

    async def route_request(self, chat_id: str) -> None:
        offer = await self.router.route_request(chat_id, self.clock.now())
        if offer is not None:
            await self.offered([offer])
        else:
            chat = await self.states.chat(chat_id)
            if chat is not None:
                self.figures.changed(chat.group_name)

    async def fill_seats(self, agent_id: int) -> None:
        await self.offered(await self.router.fill_seats(agent_id, self.clock.now()))

    async def offered(self, offers: list[Offer]) -> None:
        """Tell agents of their offers, each with the case to read before answering.
        An agent's seats are filled together (one transaction marks them all), so the
        last of them waits on no round trip the first did not."""
        if not offers:
            return
        cases = await self.states.mark_offered([offer.chat_id for offer in offers])
        for offer, case in zip(offers, cases, strict=True):
            if case is None:
                await self.withdraw(offer.chat_id, reason="cancelled")  # ended meanwhile
                continue
            self.figures.offer_made(offer)
            group_name = self.router.group_name(case.customer_group)
            await self.publish(
                agent(offer.agent_id),
                ChatOffered(chat_id=offer.chat_id, group=offer.group, deadline=offer.deadline,
                            waiting_since=offer.enqueued_at, case=CaseOut.of(case, group_name)),
            )  # fmt: skip
            await self.publish(chat_customer(offer.chat_id), BeingOffered(chat_id=offer.chat_id))
            self.figures.changed(offer.group)

    async def withdraw(self, chat_id: str, *, reason: WithdrawReason) -> None:
        """Take a chat out of the queue; an agent it was offered to hears and is refilled."""
        offer = await self.router.offer_of(chat_id)
        await self.router.withdraw(chat_id)
        if offer is not None:
            await self.publish(
                agent(offer.agent_id), OfferWithdrawn(chat_id=chat_id, reason=reason)
            )
            await self.fill_seats(offer.agent_id)

    async def free_seat(self, agent_id: int, chat_id: str) -> None:
        await self.router.release(agent_id, chat_id, self.clock.now())
        await self.fill_seats(agent_id)

    async def tell_both(
        self, chat: Chat, push: Push, agent_id: int | None = None, *, followed: bool = True
    ) -> None:
        """To the customer, the agent, and supervisors following the chat: unless
        `followed` says nobody does (a message's chat row tells, read anyway), so a chat
        nobody follows costs no third publish per message."""
        await self.publish(chat_customer(chat.public_id), push)
        to_agent = agent_id or chat.agent_id
        if to_agent is not None:
            await self.publish(agent(to_agent), push)
        if followed:
            await self.publish(chat_monitors(chat.public_id), push)


def queue_entry(chat: Chat) -> QueueEntry:
    # A chat keeps its first place in line however often it returns (lapse, transfer).
    return QueueEntry(chat_id=chat.public_id, group=chat.group_name, enqueued_at=chat.requested_at)
