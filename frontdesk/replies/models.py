"""Pydantic shapes of canned replies: what comes in, and what the domain holds."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from frontdesk.replies.placeholders import PLACEHOLDERS, unknown_placeholders

MAX_BODY = 5000  # a chat message's longest (chat/protocol.py SendMessage)


class Scope(StrEnum):
    PERSONAL = "personal"  # the owner's alone: nobody else sees it
    SHARED = "shared"  # written by supervisors, for one customer group or for all


class ReplyIn(BaseModel):
    """A canned reply as written: `customer_group` null means every group. The body may
    hold placeholders, filled in when the reply is used: {customer_first_name},
    {case_number}, {agent_name} and {group_hours}; any other {name} is refused (422)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    scope: Scope = Scope.PERSONAL
    customer_group: str | None = Field(default=None, max_length=100)
    shortcut: str = Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=MAX_BODY)

    @field_validator("shortcut")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("customer_group")
    @classmethod
    def _blank_is_all(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("body")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        unknown = unknown_placeholders(value)
        if unknown:
            known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            named = ", ".join(f"{{{name}}}" for name in unknown)
            raise ValueError(f"Unknown placeholder {named}: use {known}")
        return value


class CannedReply(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    scope: Scope
    owner_id: int | None  # the agent of a personal reply; None for a shared one
    customer_group: str | None
    shortcut: str
    title: str
    body: str
    created_at: datetime
    updated_at: datetime
