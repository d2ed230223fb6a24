"""Chat rules: request a chat on your own case, accept it, talk, end it into the feed.

Every message is stored, with the chat's next sequence number, before anyone is told of
it; a client that reconnects asks for the messages after the last number it saw.
Another customer's chat, like another customer's case, is NotFound, never Forbidden.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from uuid import uuid4

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.accounts import store as accounts_store
from frontdesk.accounts.models import STAFF, Role, User
from frontdesk.business_hours import UK
from frontdesk.cases import actions, emails
from frontdesk.cases.actions import SYSTEM, Actor, role_label
from frontdesk.cases.models import Activity, ActivityKind, Case, Channel, Status
from frontdesk.cases.sla import ReplyTargets
from frontdesk.chat import emails as chat_emails
from frontdesk.chat import store
from frontdesk.chat.messages import MessageWriter
from frontdesk.chat.models import Chat, ChatMessage, ChatStatus, MessageIn
from frontdesk.chat.transcripts import render_transcript
from frontdesk.clock import Clock
from frontdesk.db.engine import looking_up, transaction
from frontdesk.errors import Code, Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from frontdesk.mail import queue_mail

# Fits chats.end_reason, a 300-character column.
MAX_REASON_LENGTH = 300
MAX_WRAP_UP_LENGTH = 5000


@dataclass
class ChatView:
    chat: Chat
    messages: list[ChatMessage]
    agent_name: str | None
    case: Case | None = None
    feed: list[Activity] = field(default_factory=list)


# One transcript email per chat in this long, however often it is asked for: enough for
# a customer who asks again after more was said, not enough to fill their inbox.
TRANSCRIPT_EMAIL_EVERY = timedelta(minutes=5)
# When a chat's transcript is emailed: when its customer asks, or also as it ends.
TranscriptEmail = Literal["on_request", "auto"]

# Why a chat ended, or its case became a message case, when its customer wrote instead.
LEFT_A_MESSAGE = "The customer left a message instead of waiting for a chat."
# The confirmation of that message, to the customer.
MESSAGE_KEPT = "Thank you for your message: it is on your case, instead of a chat."


def _chat_not_found() -> NotFound:
    return NotFound("We could not find that chat", code=Code.CHAT_NOT_FOUND)


def _chat_ended() -> Conflict:
    return Conflict("This chat has ended", code=Code.CHAT_ENDED)


class ChatService:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        targets: ReplyTargets,
        mail_queued: Callable[[], None] = lambda: None,
        transcript_email: TranscriptEmail = "on_request",
        ended: Callable[[AsyncConnection, Chat], Awaitable[None]] | None = None,
        *,
        public_url: str,
    ) -> None:
        self._engine = engine
        self._public_url = public_url  # links in emails start with it
        self._clock = clock
        self._targets = targets
        self._mail_queued = mail_queued
        self._transcript_email = transcript_email
        # Told of each chat that ends, inside the transaction that ends it (ratings ask
        # the customer of an answered chat for a rating, so every end is asked once).
        self._ended = ended
        self._writer = MessageWriter(engine, clock)

    # Starting ----------------------------------------------------------------------------

    async def request_chat(self, customer: User, case_number: str) -> Chat:
        """Open a chat on the customer's own chat case, waiting for an agent.

        One open chat per case: while one is open (requested, offered or active), a
        second request is refused with Conflict CHAT_ALREADY_OPEN, not merged."""
        chat, created = await self.open_or_request(customer, case_number, lambda group: None)
        if not created:
            raise _already_open()
        return chat

    async def open_or_request(
        self, customer: User, case_number: str, admit: Callable[[str], None]
    ) -> tuple[Chat, bool]:
        """The case's open chat, or a new one once `admit(customer group)` lets it in
        (it raises to refuse); True when new. So asking twice is safe: the second ask
        gets the first chat. The UNIQUE `open_case_id` settles two asks at once."""
        if customer.role is not Role.CUSTOMER:
            raise Forbidden("Only customers can ask for a chat")
        for _ in range(2):  # a concurrent ask that won the insert is read back
            try:
                async with transaction(self._engine) as conn:
                    case = await actions.access_case(conn, customer, case_number)
                    found = await store.select_open_chat_of_case(conn, case.id)
                    if found is not None:
                        return found, False
                    _chat_may_open(case)
                    admit(case.customer_group)
                    return await store.insert_chat(conn, self._new_chat(case)), True
            except IntegrityError:
                continue
        raise _already_open()

    def _new_chat(self, case: Case) -> dict[str, object]:
        return {
            "public_id": uuid4().hex,
            "case_id": case.id,
            "open_case_id": case.id,
            "customer_id": case.customer_id,
            "group_name": case.customer_group,
            "status": ChatStatus.REQUESTED.value,
            "requested_at": self._clock.now(),
            "last_seq": 0,
        }

    async def accept(self, chat_id: str, agent: User) -> Chat:
        """Give a waiting chat to the agent. Accepting again is fine; a chat another
        agent took is Conflict CHAT_TAKEN, an ended one Conflict CHAT_ENDED."""
        async with transaction(self._engine) as conn:
            return await self._accept(conn, chat_id, agent)

    async def accept_and_view(self, chat_id: str, agent: User) -> ChatView:
        """`accept`, answered with the agent's view of the chat (`view` with the case)
        read in the same transaction: an offer's answer is on the routing path, and one
        connection with the accepted row in hand spares a hop and two reads."""
        async with transaction(self._engine) as conn:
            chat = await self._accept(conn, chat_id, agent)
            return await self._view_of(conn, chat, agent, 0, with_case=True)

    async def _accept(self, conn: AsyncConnection, chat_id: str, agent: User) -> Chat:
        if agent.role not in STAFF:
            raise Forbidden("Only support staff can accept a chat")
        accepted = await store.accept_chat(conn, chat_id, agent.id, self._clock.now())
        if accepted is not None:
            return accepted
        chat = await self._access(conn, agent, chat_id)  # why not: say which
        if chat.status is ChatStatus.ENDED:
            raise _chat_ended()
        if chat.status is ChatStatus.ACTIVE and chat.agent_id == agent.id:
            return chat
        raise Conflict("Another agent has taken this chat", code=Code.CHAT_TAKEN)

    # Reading -----------------------------------------------------------------------------

    async def access_chat(self, viewer: User, chat_id: str) -> Chat:
        """The chat, for its customer or any member of staff; NotFound for the rest."""
        async with looking_up(self._engine) as conn:
            return await self._access(conn, viewer, chat_id)

    async def messages_after(
        self, chat_id: str, viewer: User, after_seq: int = 0
    ) -> list[ChatMessage]:
        """Messages numbered above `after_seq`, in order: a reconnecting client's replay."""
        async with looking_up(self._engine) as conn:
            chat = await self._access(conn, viewer, chat_id)
            return await store.select_messages(conn, chat.id, after_seq=max(after_seq, 0))

    async def view(
        self, viewer: User, chat_id: str, after_seq: int = 0, *, with_case: bool = False
    ) -> ChatView:
        """All a client is shown of a chat, read on one connection: the chat, messages
        after `after_seq`, its agent's name, and for staff (`with_case`) the case and
        its feed."""
        async with looking_up(self._engine) as conn:
            chat = await self._access(conn, viewer, chat_id)
            return await self._view_of(conn, chat, viewer, after_seq, with_case=with_case)

    async def _view_of(
        self, conn: AsyncConnection, chat: Chat, viewer: User, after_seq: int, *, with_case: bool
    ) -> ChatView:
        messages = await store.select_messages(conn, chat.id, after_seq=max(after_seq, 0))
        if chat.agent_id is None:
            agent_name = None
        elif chat.agent_id == viewer.id:
            agent_name = viewer.display_name
        else:
            agent_name = await store.select_user_name(conn, chat.agent_id) or None
        view = ChatView(chat, messages, agent_name)
        if with_case:
            view.case = await actions.case_by_id(conn, chat.case_id)
            view.feed = await actions.feed_of(conn, chat.case_id, viewer)
        return view

    async def _access(
        self, conn: AsyncConnection, actor: User, chat_id: str, *, for_update: bool = False
    ) -> Chat:
        chat = await store.select_chat(conn, chat_id, for_update=for_update)
        if chat is None:
            raise _chat_not_found()
        if actor.role is Role.CUSTOMER and chat.customer_id != actor.id:
            raise _chat_not_found()
        return chat

    async def _reload(self, conn: AsyncConnection, row_id: int) -> Chat:
        chat = await store.select_chat_by_row_id(conn, row_id)
        assert chat is not None, "a chat read back in its own transaction"
        return chat

    # Talking -----------------------------------------------------------------------------

    async def post_message(self, chat_id: str, sender: User, message: MessageIn) -> ChatMessage:
        return (await self.post(chat_id, sender, message))[1]

    async def post(
        self, chat_id: str, sender: User, message: MessageIn
    ) -> tuple[Chat, ChatMessage]:
        """Store a message with the chat's next sequence number, before it is delivered.

        Posts to one chat are numbered 1, 2, 3... with no gaps or repeats however many
        arrive at once. A resend with the same `client_msg_id` returns the stored message
        (same seq) and stores nothing. Only the chat's customer and its agent may post;
        an ended chat refuses with Conflict CHAT_ENDED. Stored in batches: see
        chat/messages.py."""
        return await self._writer.post(chat_id, sender, message, role_label(sender))

    async def aclose(self) -> None:
        await self._writer.aclose()

    # Ending ------------------------------------------------------------------------------

    async def end_chat(
        self, chat_id: str, by: User, wrap_up: str | None = None, reason: str | None = None
    ) -> Chat:
        """End the chat, free its case for a new one, and file the transcript in the
        case's feed, all in one transaction. Ending an ended chat returns it unchanged:
        one transcript, however often or however concurrently it is ended. The customer
        or staff may end it; only staff may leave a wrap-up note."""
        wrap_up = _optional_text(wrap_up, "wrap_up", MAX_WRAP_UP_LENGTH)
        reason = _optional_text(reason, "reason", MAX_REASON_LENGTH)
        if wrap_up is not None and by.role not in STAFF:
            raise Forbidden("Only support staff can add a wrap-up note")
        async with transaction(self._engine) as conn:
            chat = await self._access(conn, by, chat_id, for_update=True)
            if chat.status is ChatStatus.ENDED:
                return chat
            actor = Actor.of(by)
            reason = reason or f"Ended by the {actor.role.lower()}"
            ended = await self._end(conn, chat, actor, reason=reason, wrap_up=wrap_up)
        self._mail_queued()  # the transcript, when it is emailed as chats end
        return ended

    async def end_unanswered(self, chat_id: str, reason: str) -> Chat | None:
        """No agent could take a waiting chat (its group closed, or it waited too long):
        end it, and make its case a message case, answered by email within the case's
        reply days from now. None if the chat had been answered or ended meanwhile."""
        async with transaction(self._engine) as conn:
            chat = await store.select_chat(conn, chat_id, for_update=True)
            if chat is None or chat.status not in (ChatStatus.REQUESTED, ChatStatus.OFFERED):
                return None
            ended = await self._end(conn, chat, SYSTEM, reason=reason)
            now = self._clock.now()
            case = await actions.make_message_case(conn, chat.case_id, self._targets, now, reason)
            why = f"{reason} We are sorry you had to wait."
            email = emails.chat_became_message(case, why, self._public_url)
            await queue_mail(conn, to=case.contact_email, email=email, now=now)
        self._mail_queued()
        return ended

    async def end_left(self, chat_id: str, reason: str) -> Chat | None:
        """The customer left (no connection for their whole grace): end the chat, with
        `reason` in its transcript. None if it had ended meanwhile."""
        async with transaction(self._engine) as conn:
            chat = await store.select_chat(conn, chat_id, for_update=True)
            if chat is None or chat.status is ChatStatus.ENDED:
                return None
            ended = await self._end(conn, chat, SYSTEM, reason=reason)
        self._mail_queued()
        return ended

    async def leave_message(
        self,
        customer: User,
        body: str,
        *,
        chat_id: str | None = None,
        case_number: str | None = None,
    ) -> tuple[Case, Chat | None]:
        """The customer's message instead of (or after) a chat, on the chat's case, or
        on case `case_number` when no chat could start (chat closed): replied to by
        email like any message case. A chat still waiting ends here (its transcript,
        with whatever was typed, goes on the case), and a chat case becomes a message
        case with its reply-by date. The case, and the chat this ended, if any."""
        body = _optional_text(body, "body", MAX_WRAP_UP_LENGTH) or ""
        if not body:
            raise Invalid("Write your message", fields={"body": "Write your message"})
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            chat: Chat | None
            if chat_id is not None:
                chat = await self._access(conn, customer, chat_id, for_update=True)
                case = await actions.case_by_id(conn, chat.case_id)
            else:
                assert case_number is not None
                case = await actions.access_case(conn, customer, case_number)
                chat = await store.select_open_chat_of_case(conn, case.id)
            if case.customer_id != customer.id:
                raise _chat_not_found()
            ended = None
            if chat is not None and chat.status in (ChatStatus.REQUESTED, ChatStatus.OFFERED):
                ended = await self._end(conn, chat, Actor.of(customer), reason=LEFT_A_MESSAGE)
            answered = chat is not None and chat.accepted_at is not None
            became_message = case.channel is Channel.CHAT and not answered
            if became_message:
                case = await actions.make_message_case(
                    conn, case.id, self._targets, now, LEFT_A_MESSAGE
                )
                email = emails.chat_became_message(
                    case, MESSAGE_KEPT, self._public_url, message=body
                )
                await queue_mail(conn, to=case.contact_email, email=email, now=now)
            data = {"chat_id": chat.public_id} if chat is not None else {}
            await actions.log_activity(
                conn, case.id, Actor.of(customer), ActivityKind.MESSAGE, now,
                body=body, data=data,
            )  # fmt: skip
        if became_message:
            self._mail_queued()
        return case, ended

    async def _end(
        self,
        conn: AsyncConnection,
        chat: Chat,
        by: Actor,
        *,
        reason: str,
        wrap_up: str | None = None,
    ) -> Chat:
        now = self._clock.now()
        await store.update_chat(
            conn, chat.id, status=ChatStatus.ENDED.value, open_case_id=None,
            ended_at=now, ended_by=by.id, wrap_up=wrap_up, end_reason=reason[:MAX_REASON_LENGTH],
        )  # fmt: skip
        ended = await self._reload(conn, chat.id)
        await self._file_transcript(conn, ended, now)
        if self._transcript_email == "auto" and ended.accepted_at is not None:
            await self._queue_transcript(conn, ended, now)
            ended = await self._reload(conn, chat.id)
        if self._ended is not None:
            await self._ended(conn, ended)
        return ended

    # Transcripts by email ----------------------------------------------------------------

    async def email_transcript(self, customer: User, chat_id: str) -> tuple[str, datetime]:
        """Email the chat's transcript so far to its customer's account address, during
        the chat or after it; once per TRANSCRIPT_EMAIL_EVERY (TooManyRequests sooner).
        Only the chat's customer may ask: for anyone else there is no such chat. The
        address it goes to, and when."""
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            chat = await self._access(conn, customer, chat_id, for_update=True)
            if chat.customer_id != customer.id:
                raise _chat_not_found()
            last = chat.transcript_emailed_at
            if last is not None and now < last + TRANSCRIPT_EMAIL_EVERY:
                raise _transcript_sent_lately(last, last + TRANSCRIPT_EMAIL_EVERY - now)
            to = await self._queue_transcript(conn, chat, now)
        self._mail_queued()
        return to, now

    async def _queue_transcript(self, conn: AsyncConnection, chat: Chat, now: datetime) -> str:
        """Put the transcript in the outbox for the customer's account address."""
        case = await actions.case_by_id(conn, chat.case_id)
        customer = await accounts_store.select_user(conn, chat.customer_id)
        assert customer is not None, "a chat's customer is never deleted"
        messages = await store.select_messages(conn, chat.id)
        text = render_transcript(case.number, chat, messages)
        email = chat_emails.transcript(
            case, customer.first_name, text, self._public_url,
            ended=chat.status is ChatStatus.ENDED,
        )  # fmt: skip
        await queue_mail(conn, to=customer.email, email=email, now=now)
        await store.update_chat(conn, chat.id, transcript_emailed_at=now)
        return customer.email

    async def _file_transcript(self, conn: AsyncConnection, chat: Chat, now: datetime) -> None:
        """File the ended chat's transcript in its case's feed, as the system: whoever
        ended the chat, the desk adds the transcript (which says who ended it)."""
        case = await actions.case_by_id(conn, chat.case_id)
        messages = await store.select_messages(conn, chat.id)
        await actions.log_activity(
            conn, case.id, SYSTEM, ActivityKind.CHAT_TRANSCRIPT, now,
            body=render_transcript(case.number, chat, messages),
            data={
                "chat_id": chat.public_id,
                "messages": len(messages),
                # Shown to staff beside the transcript, never to the customer (feed_of).
                **({"wrap_up": chat.wrap_up} if chat.wrap_up else {}),
            },
        )  # fmt: skip


def _chat_may_open(case: Case) -> None:
    if case.channel is not Channel.CHAT:
        raise Conflict("This case was not opened for live chat", code=Code.NOT_A_CHAT_CASE)
    if case.status in (Status.RESOLVED, Status.CLOSED):
        raise Conflict(f"This case is {case.status.label.lower()}", code=Code.CASE_CLOSED)


def _transcript_sent_lately(sent_at: datetime, wait: timedelta) -> TooManyRequests:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    at = sent_at.astimezone(UK).strftime("%H:%M")
    return TooManyRequests(
        f"We emailed this transcript at {at} (UK time). You can ask again in {minutes} "
        f"minute{'s' if minutes != 1 else ''}.",
        retry_after=math.ceil(wait.total_seconds()),
        code=Code.TRANSCRIPT_EMAIL_THROTTLED,
    )


def _already_open() -> Conflict:
    return Conflict("A chat is already open for this case", code=Code.CHAT_ALREADY_OPEN)


def _same_sender(stored: ChatMessage, sender: User) -> ChatMessage:
    if stored.sender_id != sender.id:
        raise Conflict("That message id is already in use", code=Code.CLIENT_MSG_ID_IN_USE)
    return stored


def _optional_text(value: str | None, field: str, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        message = f"Use {limit} characters or fewer"
        raise Invalid(message, fields={field: message})
    return text or None
