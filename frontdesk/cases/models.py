"""Pydantic shapes of cases: what comes in, what the domain holds, what goes out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from frontdesk.accounts.models import Email
from frontdesk.intake.taxonomy import Choice


class Channel(StrEnum):
    CHAT = "chat"
    CALL = "call"
    MESSAGE = "message"


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.NEW: "New",
    Status.IN_PROGRESS: "In Progress",
    Status.WAITING_ON_CUSTOMER: "Waiting on Customer",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}
OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER)


class ActivityKind(StrEnum):
    CREATED = "created"
    FIELD_CHANGED = "field_changed"
    COMMENT = "comment"
    REPLY = "reply"
    ATTACHMENT = "attachment"
    CALL_LOGGED = "call_logged"
    CHAT_TRANSCRIPT = "chat_transcript"
    MESSAGE = "message"  # the customer's message, left when chat could not be answered
    CHAT_ACTION = "chat_action"  # a supervisor assigned, moved or ended a chat: staff only
    NOTE = "note"  # an internal note, written by staff for staff: never shown to the customer
    ASSIGNMENT = "assignment"  # who works the case changed: staff only, like a note
    RATING = "rating"  # the customer rated the chat or the case (1-5): staff only


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactDetails(_In):
    """Step 2 of Contact Us: every field is required."""

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: Email
    phone: str = Field(min_length=5, max_length=40)
    country: str = Field(min_length=2, max_length=100)
    language: str = Field(min_length=2, max_length=60)
    institution: str = Field(min_length=2, max_length=200)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        allowed = set("0123456789+()- ")
        if not set(value) <= allowed or sum(ch.isdigit() for ch in value) < 5:
            raise ValueError("Enter a phone number: digits, spaces, +, ( ) and - only")
        return value


class CaseOpen(_In):
    """Everything Contact Us collects, and the support option chosen in step 3."""

    choice: Choice
    description: str = Field(min_length=10, max_length=10_000)
    contact: ContactDetails
    channel: Channel
    # The solved proof-of-work from the human check (altcha payload, base64 JSON).
    human_check: str = Field(min_length=1, max_length=10_000)


class Case(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    number: str
    customer_id: int
    subject: str
    description: str
    contact_first_name: str
    contact_last_name: str
    contact_email: str
    contact_phone: str
    contact_country: str
    contact_language: str
    contact_institution: str
    customer_type: str
    issue_type: str
    category: str
    subcategory: str
    qualification: str
    qualification_subject: str
    customer_group: str
    channel: Channel
    status: Status
    waiting_reason: str | None
    owner_queue: str
    reply_days: int
    reply_by: datetime
    phone: str
    created_at: datetime
    updated_at: datetime
    call_logged_at: datetime | None
    call_by: datetime | None = None  # a call-us case: call by then, or it closes
    closed_at: datetime | None
    closed_reason: str | None
    # The staff member working the case; staff only, never in a customer's shapes.
    assigned_agent_id: int | None = None

    def description_block(self) -> str:
        """The description with the contact details, as the guide shows it."""
        return (
            f"Description : {self.description};\n"
            f"First Name : {self.contact_first_name};\n"
            f"Last Name : {self.contact_last_name};\n"
            f"Email Address : {self.contact_email};\n"
            f"Phone Number : {self.contact_phone};\n"
            f"Country : {self.contact_country};\n"
            f"Language : {self.contact_language};\n"
            f"School/University : {self.contact_institution}"
        )

    def is_breached(self, now: datetime) -> bool:
        return self.status in OPEN_STATUSES and self.reply_by < now


class Comment(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    author_name: str
    author_role: str
    body: str
    created_at: datetime


class Activity(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    kind: ActivityKind
    actor_name: str
    actor_role: str
    body: str
    data: dict[str, Any]
    created_at: datetime
    likes: int = 0
    liked_by_me: bool = False
    comments: tuple[Comment, ...] = ()


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    case_id: int
    original_name: str
    stored_name: str
    size: int
    content_type: str
    sha256: str
    created_at: datetime


class CasePage(BaseModel):
    """One page of a case list; for staff, the names of the agents the cases are
    assigned to, by id."""

    cases: list[Case]
    total: int
    page: int
    page_size: int
    agent_names: dict[int, str] = Field(default_factory=dict)


class CustomerHistory(BaseModel):
    """A customer's cases as staff see them beside one: a page, newest first, and how
    many chats (chat cases) they opened since `chats_since`."""

    page: CasePage
    recent_chats: int
    chats_since: datetime
