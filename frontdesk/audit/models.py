"""Shapes of the audit log: an entry as admins read it, and how they filter."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Action(StrEnum):
    """What an administrative action was; one name per kind, for filtering."""

    AGENT_WORK_CHANGED = "agent.work_changed"
    PERSON_INVITED = "person.invited"
    ROLE_CHANGED = "person.role_changed"
    ACCOUNT_DISABLED = "person.disabled"
    ACCOUNT_ENABLED = "person.enabled"
    RESET_SENT = "person.reset_sent"
    TAXONOMY_CHANGED = "taxonomy.changed"
    TAXONOMY_ROLLED_BACK = "taxonomy.rolled_back"
    HOURS_CHANGED = "hours.changed"


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: Action
    target: str
    before: dict[str, Any]
    after: dict[str, Any]


class AuditQuery(BaseModel):
    """Newest first; every filter optional."""

    model_config = ConfigDict(extra="forbid")

    action: Action | None = None
    actor_id: int | None = Field(default=None, ge=1, le=2**53)
    target: str | None = Field(default=None, max_length=200)
    since: datetime | None = None
    until: datetime | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=200)


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int
