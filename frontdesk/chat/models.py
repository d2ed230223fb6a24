"""Pydantic shapes of live chat: a chat, its messages, and what a sender sends."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field


class ChatStatus(StrEnum):
    REQUESTED = "requested"  # waiting in the queue for an agent
    OFFERED = "offered"  # offered to an agent, not yet accepted
    ACTIVE = "active"  # an agent accepted; both sides talk
    ENDED = "ended"  # closed for good; the transcript is in the case feed


OPEN_CHAT_STATUSES = (ChatStatus.REQUESTED, ChatStatus.OFFERED, ChatStatus.ACTIVE)


class ChatBeat(NamedTuple):
    """Where an open chat stands, as its heartbeat tells (chat/heartbeats.py)."""

    public_id: str
    last_seq: int
    status: str
    agent_id: int | None


class Chat(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    public_id: str
    case_id: int
    customer_id: int
    agent_id: int | None
    group_name: str
    status: ChatStatus
    requested_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None
    ended_by: int | None
    end_reason: str | None
    wrap_up: str | None
    last_seq: int
    monitored_until: datetime | None = None
    transcript_emailed_at: datetime | None = None

    def monitored_at(self, now: datetime) -> bool:
        """Whether a supervisor follows the chat at `now`."""
        return self.monitored_until is not None and self.monitored_until > now

    def has_participant(self, user_id: int) -> bool:
        return user_id == self.customer_id or (
            self.agent_id is not None and user_id == self.agent_id
        )


class ChatFile(BaseModel):
    """A file shared in a chat: an attachment of the chat's case (numbered here, as the
    download's address names it)."""

    model_config = ConfigDict(frozen=True)

    attachment_id: int
    name: str
    size: int
    case_number: str


class ChatMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    # The chat's public id, as clients know it.
    chat_id: str
    seq: int
    sender_id: int | None
    sender_role: str
    sender_name: str
    client_msg_id: str | None
    body: str
    created_at: datetime
    # Set on a message that shares a file; its body is then the file's name.
    attachment: ChatFile | None = None


class MessageIn(BaseModel):
    """A message as a participant sends it; `client_msg_id` makes a resend safe."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    client_msg_id: str = Field(min_length=1, max_length=64)
    body: str = Field(min_length=1, max_length=5000)
