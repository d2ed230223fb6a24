"""The chat protocol, whole: the names of the events each way, a model for every
payload a client sends (validated at the socket before any service runs), the shapes
clients are shown, and a model for every event the server pushes.

The namespace docstrings of chat/namespaces.py table the same events for readers; a
test holds the tables and these models to each other.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from frontdesk.cases.finder import QueueCases
from frontdesk.cases.models import Case
from frontdesk.chat.agents import AgentSettings
from frontdesk.chat.models import Chat, ChatFile, ChatMessage, ChatStatus
from frontdesk.events import Push
from frontdesk.ratings.models import MAX_COMMENT_LENGTH, AgentCsat, GroupCsat


class Ask(StrEnum):
    """What a client asks, each acknowledged (client -> server)."""

    WHOAMI = "whoami"
    REQUEST_CHAT = "request_chat"
    RESUME_CHAT = "resume_chat"
    SEND_MESSAGE = "send_message"
    TYPING = "typing"
    END_CHAT = "end_chat"
    SAVE_CHAT = "save_chat"
    LEAVE_MESSAGE = "leave_message"
    SET_PRESENCE = "set_presence"
    MY_CHATS = "my_chats"
    ACCEPT_CHAT = "accept_chat"
    DECLINE_CHAT = "decline_chat"
    OPEN_CHAT = "open_chat"
    TRANSFER_CHAT = "transfer_chat"
    WATCH = "watch"
    HISTORY = "history"
    DESK = "desk"
    MONITOR_CHAT = "monitor_chat"
    UNMONITOR_CHAT = "unmonitor_chat"
    ASSIGN_CHAT = "assign_chat"
    MOVE_CHAT = "move_chat"
    EMAIL_TRANSCRIPT = "email_transcript"
    RATE_CHAT = "rate_chat"
    REPORT_ACTIVITY = "report_activity"


class Told(StrEnum):
    """What the server tells clients unasked (server -> client)."""

    QUEUE_UPDATED = "queue_updated"
    CHAT_ACCEPTED = "chat_accepted"
    MESSAGE_CREATED = "message_created"
    TYPING = "typing"
    AGENT_DISCONNECTED = "agent_disconnected"
    AGENT_RECONNECTED = "agent_reconnected"
    CUSTOMER_DISCONNECTED = "customer_disconnected"
    CUSTOMER_RECONNECTED = "customer_reconnected"
    CHAT_REQUEUED = "chat_requeued"
    CHAT_TRANSFERRED = "chat_transferred"
    CHAT_UNAVAILABLE = "chat_unavailable"
    CHAT_ENDED = "chat_ended"
    CHAT_OFFERED = "chat_offered"
    OFFER_WITHDRAWN = "offer_withdrawn"
    PRESENCE_CHANGED = "presence_changed"
    QUEUE_CHANGED = "queue_changed"
    AGENTS_CHANGED = "agents_changed"
    DESK_CHANGED = "desk_changed"
    CASES_CHANGED = "cases_changed"
    CHAT_MOVED = "chat_moved"
    CHAT_HEARTBEAT = "chat_heartbeat"
    CSAT_CHANGED = "csat_changed"


# What a client sends ---------------------------------------------------------------------

ChatId = Field(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Empty(_In):
    pass


class RequestChat(_In):
    case_number: str = Field(min_length=1, max_length=20)


class ChatRef(_In):
    chat_id: str = ChatId


class ResumeChat(_In):
    """Open a chat again after a reconnect: `last_seq` is the newest message seen."""

    chat_id: str = ChatId
    last_seq: int = Field(default=0, ge=0)


class SendMessage(_In):
    chat_id: str = ChatId
    client_msg_id: str = Field(min_length=1, max_length=64)
    body: str = Field(min_length=1, max_length=5000)


class Typing(_In):
    chat_id: str = ChatId
    typing: bool


class EndChat(_In):
    chat_id: str = ChatId
    wrap_up: str | None = Field(default=None, max_length=5000)


class TransferChat(_In):
    chat_id: str = ChatId
    group: str = Field(min_length=1, max_length=100)


class SetPresence(_In):
    """`reason`: why the agent is away, one of the desk's away reasons (Away only)."""

    presence: Literal["available", "away", "offline"]
    reason: str | None = Field(default=None, min_length=1, max_length=40)
    groups: list[str] | None = Field(default=None, max_length=50)
    capacity: int | None = Field(default=None, ge=1, le=20)


class LeaveMessage(_In):
    """The customer's message on the chat's case instead of waiting (the chat ends), or
    after nobody could answer; on `case_number` when no chat could start (closed)."""

    chat_id: str | None = Field(default=None, min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")
    case_number: str | None = Field(default=None, pattern=r"^\d{8}$")
    body: str = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _one_place(self) -> LeaveMessage:
        if (self.chat_id is None) == (self.case_number is None):
            raise ValueError("give chat_id or case_number, not both")
        return self


class AssignChat(_In):
    """Offer a waiting chat to this agent (a supervisor's choice)."""

    chat_id: str = ChatId
    agent_id: int = Field(ge=1)


class MoveChat(_In):
    """Take an active chat from its agent: to `agent_id` (offered to them), or with no
    agent back to the front of its group's queue."""

    chat_id: str = ChatId
    agent_id: int | None = Field(default=None, ge=1)


class StopChat(_In):
    """A supervisor ends a chat (a stuck one, say); the reason goes in the transcript."""

    chat_id: str = ChatId
    reason: str = Field(min_length=1, max_length=200)


class RateChat(_In):
    """The customer's rating of a chat an agent answered, once it has ended: 1 (very
    dissatisfied) to 5 (very satisfied), and a comment if they like."""

    chat_id: str = ChatId
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_LENGTH)


class History(_In):
    """A group's queue over the last `hours`, for the supervisor's chart."""

    group: str = Field(min_length=1, max_length=100)
    hours: int = Field(default=4, ge=1, le=24)


# What a client is shown ------------------------------------------------------------------

# Times the server computes, written as datetime.isoformat writes them ("+00:00").
IsoTime = Annotated[datetime, PlainSerializer(lambda at: at.isoformat(), return_type=str)]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChatOut(_Out):
    public_id: str
    status: ChatStatus
    group_name: str
    requested_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    last_seq: int

    @classmethod
    def of(cls, chat: Chat) -> ChatOut:
        return cls.model_validate(chat.model_dump(include=set(cls.model_fields)))


class FileOut(_Out):
    """A file shared in a chat: `url` downloads it, for the chat's customer and staff
    (it is an attachment of the chat's case: GET /api/v1/cases/{number}/attachments/{id})."""

    id: int
    name: str
    size: int
    url: str

    @classmethod
    def of(cls, shared: ChatFile) -> FileOut:
        url = f"/api/v1/cases/{shared.case_number}/attachments/{shared.attachment_id}"
        return cls(id=shared.attachment_id, name=shared.name, size=shared.size, url=url)


def _message_fields(message: ChatMessage, fields: set[str]) -> dict[str, object]:
    values = message.model_dump(include=fields - {"attachment"})
    values["attachment"] = FileOut.of(message.attachment) if message.attachment else None
    return values


class MessageOut(_Out):
    """A message; `attachment` is set when it shares a file (its body is the file's name)."""

    chat_id: str
    seq: int
    sender_id: int | None
    sender_role: str
    sender_name: str
    client_msg_id: str | None
    body: str
    created_at: datetime
    attachment: FileOut | None = None

    @classmethod
    def of(cls, message: ChatMessage) -> MessageOut:
        return cls.model_validate(_message_fields(message, set(cls.model_fields)))


class ContactOut(_Out):
    name: str
    email: str
    phone: str
    institution: str


class CaseOut(_Out):
    """The case an agent reads before and while answering its chat."""

    number: str
    subject: str
    description: str
    status: str
    customer_group: str
    customer_group_name: str
    contact: ContactOut

    @classmethod
    def of(cls, case: Case, group_name: str) -> CaseOut:
        return cls(
            number=case.number,
            subject=case.subject,
            description=case.description,
            status=case.status.label,
            customer_group=case.customer_group,
            customer_group_name=group_name,
            contact=ContactOut(
                name=f"{case.contact_first_name} {case.contact_last_name}",
                email=case.contact_email,
                phone=case.contact_phone,
                institution=case.contact_institution,
            ),
        )


class GroupFigures(_Out):
    """One customer group's queue now, and its chats since the start of the UK day."""

    group: str
    waiting: int
    offered: int
    agents_available: int
    agents_busy: int
    agents_away: int
    seats: int
    chats_active: int
    requested_today: int
    average_wait_seconds: float
    average_handle_seconds: float
    abandoned_today: int
    longest_wait_seconds: int
    chats_offered: int


AgentState = Literal["available", "busy", "away", "offline"]


class AgentOut(_Out):
    """An agent as supervisors see it: `state` counts a chat or an offer held as busy
    (unless offline), `reason` says why it is away, `since` is when that state (or
    reason) began, `active` the seats taken (chats
    and offers) of `capacity`, `chats` the accepted chats alone."""

    agent_id: int
    name: str
    presence: str
    state: AgentState
    # Why the agent is away ("Lunch"; "idle" when the desk set it): only while away.
    reason: str | None = None
    since: IsoTime
    active: int
    chats: int
    capacity: int
    groups: list[str]


class WaitingChatOut(_Out):
    """A chat waiting for an agent: `position` in its group's line, 0 while offered
    (to `offered_to`), None while its customer is away (out of the line, for a grace)."""

    chat_id: str
    case_number: str
    group: str
    group_name: str
    customer_name: str
    requested_at: IsoTime
    position: int | None
    offered_to: str | None
    offered_to_id: int | None


class ActiveChatOut(_Out):
    """A chat an agent has answered: `unread` counts the customer's messages since the
    agent last wrote (what waits for the agent)."""

    chat_id: str
    case_number: str
    group: str
    group_name: str
    customer_name: str
    agent_id: int
    agent_name: str
    accepted_at: IsoTime
    last_message_at: IsoTime | None
    unread: int


class DeskOut(_Out):
    """Every open chat, waiting ones longest first, active ones most unread first; at
    most a page of each, with the totals."""

    waiting: list[WaitingChatOut]
    active: list[ActiveChatOut]
    waiting_total: int
    active_total: int


class TranscriptEmailed(_Out):
    """The transcript is on its way to the account's email: `to` names the address."""

    to: str
    sent_at: IsoTime


class PresenceOut(_Out):
    settings: AgentSettings
    active: int
    # Why the agent is away: a reason it picked, or "idle" when the desk set it away
    # for no console activity; None otherwise.
    reason: str | None = None
    # Set while the agent is available and every group it serves is closed: no chat
    # will be offered until one opens; words for people, with when.
    closed_note: str | None = None


# What the server pushes ------------------------------------------------------------------


class QueueUpdated(Push):
    event: ClassVar[str] = Told.QUEUE_UPDATED
    chat_id: str
    position: int
    estimated_wait_seconds: int | None


class BeingOffered(Push):
    """The customer's chat is with an agent now, waiting for an answer: position 0."""

    event: ClassVar[str] = Told.QUEUE_UPDATED
    chat_id: str
    position: Literal[0] = 0


class ChatAccepted(Push):
    event: ClassVar[str] = Told.CHAT_ACCEPTED
    chat_id: str
    agent_name: str


class MessageCreated(MessageOut, Push):
    event: ClassVar[str] = Told.MESSAGE_CREATED

    @classmethod
    def of(cls, message: ChatMessage) -> MessageCreated:
        return cls.model_validate(_message_fields(message, set(cls.model_fields)))


class TypingShown(Push):
    event: ClassVar[str] = Told.TYPING
    chat_id: str
    name: str
    typing: bool


class AgentDisconnected(Push):
    event: ClassVar[str] = Told.AGENT_DISCONNECTED
    chat_id: str
    back_by: IsoTime


class AgentReconnected(Push):
    event: ClassVar[str] = Told.AGENT_RECONNECTED
    chat_id: str


class CustomerDisconnected(Push):
    """To the agent: the customer has no connection left; the chat ends at `back_by`
    unless they come back."""

    event: ClassVar[str] = Told.CUSTOMER_DISCONNECTED
    chat_id: str
    back_by: IsoTime


class CustomerReconnected(Push):
    event: ClassVar[str] = Told.CUSTOMER_RECONNECTED
    chat_id: str


class ChatRequeued(Push):
    event: ClassVar[str] = Told.CHAT_REQUEUED
    chat_id: str
    position: int


class ChatTransferred(Push):
    """The chat waits again for an agent: of another group's team (the agent transferred
    it), or of the same team (`same_team`: a supervisor passed it to someone else)."""

    event: ClassVar[str] = Told.CHAT_TRANSFERRED
    chat_id: str
    same_team: bool = False


class ChatUnavailable(Push):
    """Nobody could answer: the chat ended and its case awaits a message instead."""

    event: ClassVar[str] = Told.CHAT_UNAVAILABLE
    chat_id: str
    reason: Literal["closed", "max_wait"]
    message: str
    case_number: str
    reply_by: IsoTime


class ChatEnded(Push):
    event: ClassVar[str] = Told.CHAT_ENDED
    chat: ChatOut
    # Who ended it and why, in words for people, when it was neither side of the chat.
    note: str | None = None


class ChatMoved(Push):
    """To the agent: a supervisor took the chat from you (to another agent, or back to
    the queue); `message` says so in words for people."""

    event: ClassVar[str] = Told.CHAT_MOVED
    chat_id: str
    message: str


class ChatHeartbeat(Push):
    """Where a chat stands, told now and then by each node to its own sockets: a client
    that sees a later seq or another status than it holds catches up (resume_chat or
    open_chat), so a push lost on its way is never lost for good. `every_seconds` says
    when the next should come; a client that hears none for a few of those asks itself."""

    event: ClassVar[str] = Told.CHAT_HEARTBEAT
    chat_id: str
    last_seq: int
    status: str
    every_seconds: float


class ChatOffered(Push):
    event: ClassVar[str] = Told.CHAT_OFFERED
    chat_id: str
    group: str
    deadline: IsoTime
    waiting_since: IsoTime
    case: CaseOut


# Why an offer was taken back: the agent let it lapse, the customer cancelled or left
# the line, nobody could answer in time, or a supervisor offered it to someone else.
WithdrawReason = Literal["lapsed", "cancelled", "unanswered", "customer_away", "reassigned"]


class OfferWithdrawn(Push):
    event: ClassVar[str] = Told.OFFER_WITHDRAWN
    chat_id: str
    reason: WithdrawReason


class PresenceChanged(PresenceOut, Push):
    event: ClassVar[str] = Told.PRESENCE_CHANGED


class QueueChanged(GroupFigures, Push):
    event: ClassVar[str] = Told.QUEUE_CHANGED


class AgentsChanged(Push):
    event: ClassVar[str] = Told.AGENTS_CHANGED
    agents: list[AgentOut]


class DeskChanged(Push):
    """The desk's lists moved: a dashboard asks for them (ask desk). The push carries no
    lists, so a desk nobody watches costs no store read."""

    event: ClassVar[str] = Told.DESK_CHANGED


class CasesChanged(Push):
    """Each queue's open cases, unassigned, overdue and due soon: pushed when the counts
    change (a case opened, answered, moved, assigned, closed, or a reply-by passed)."""

    event: ClassVar[str] = Told.CASES_CHANGED
    queues: list[QueueCases]


class CsatChanged(Push):
    """Customer satisfaction, today (since midnight, UK time) and the last 7 days, per
    customer group and per agent: each window's asked (chats ended after an answer,
    message and call cases resolved), rated, average score and response rate. Pushed
    when a rating is given, and when the figures move otherwise (recounted every
    case_figures_seconds on every node)."""

    event: ClassVar[str] = Told.CSAT_CHANGED
    groups: list[GroupCsat]
    agents: list[AgentCsat]
