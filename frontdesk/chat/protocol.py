"""Payloads of every client event, validated at the socket before any service runs.

The events themselves, and what the server pushes back, are tabled in the namespace
docstrings of chat/namespaces.py: that table and these models are the protocol.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
    presence: Literal["available", "away", "offline"]
    groups: list[str] | None = Field(default=None, max_length=50)
    capacity: int | None = Field(default=None, ge=1, le=20)


class LeaveMessage(_In):
    """After chat could not be answered: the customer's message on the chat's case."""

    chat_id: str = ChatId
    body: str = Field(min_length=1, max_length=5000)


class History(_In):
    """A group's queue over the last `hours`, for the supervisor's chart."""

    group: str = Field(min_length=1, max_length=100)
    hours: int = Field(default=4, ge=1, le=24)
