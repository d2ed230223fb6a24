"""Finding cases, for staff: the search query, the saved views, the reply-by flags, and
how a query becomes the filters the store applies. Pure: no I/O.

A view is a stable name for a search (`/agent?view=mine`); its filters are decided here,
once, for the page, the API and the counts alike. "Mine" is every open case assigned to
me; the other views are of the queues I serve (every queue while I serve none), as the
agent's case list is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from frontdesk.cases.models import OPEN_STATUSES, Status

# Deep enough for any real list; beyond it an offset costs the store more than it helps.
MAX_PAGE = 10_000
MAX_WORDS = 8
LIKE_ESCAPE = "\\"


class ReplyFlag(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"

    @property
    def label(self) -> str:
        return "Overdue" if self is ReplyFlag.OVERDUE else "Due soon"


def reply_flag(
    status: Status, reply_by: datetime, now: datetime, near: timedelta
) -> ReplyFlag | None:
    """Overdue once `now` is past the reply-by (not at it: Case.is_breached's rule); due
    soon from `near` before it up to it; nothing for a case no longer open."""
    if status not in OPEN_STATUSES:
        return None
    if reply_by < now:
        return ReplyFlag.OVERDUE
    if reply_by <= now + near:
        return ReplyFlag.DUE_SOON
    return None


class View(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    OVERDUE = "overdue"
    WAITING = "waiting"

    @property
    def label(self) -> str:
        return VIEW_LABELS[self]


VIEW_LABELS = {
    View.MINE: "Mine",
    View.UNASSIGNED: "Unassigned in my queues",
    View.OVERDUE: "Overdue",
    View.WAITING: "Waiting on customer",
}
SortKey = Literal["reply_by", "created_at", "number"]


def _printable(value: str | None) -> str | None:
    if value is not None and any(ord(ch) < 32 for ch in value):
        raise ValueError("Control characters are not allowed")
    return value


class CaseQuery(BaseModel):
    """A staff search: words and filters, a view, the order and the page. Every field is
    optional; an empty field is no filter."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    q: str = Field(
        default="", max_length=200, description="Words in the number, customer, subject..."
    )
    queue: str = Field(default="", max_length=200)
    status: Status | Literal["open", ""] = ""
    channel: Literal["chat", "call", "message", ""] = ""
    assigned: str = Field(
        default="", pattern=r"^(|me|none|\d{1,12})$", description="me, none or an agent's id"
    )
    due: Literal["overdue", "due_soon", ""] = ""
    within_hours: int | None = Field(
        default=None, ge=1, le=720, description="With due=due_soon: how near, in hours"
    )
    view: View | Literal[""] = ""
    sort: SortKey = "reply_by"
    direction: Literal["asc", "desc"] = "asc"
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    page_size: int = Field(default=20, ge=1, le=100)

    _no_control = field_validator("q", "queue", "assigned")(_printable)


@dataclass(frozen=True)
class CaseFilters:
    """What the store matches: every word somewhere in the case, and each filter set."""

    words: tuple[str, ...] = ()
    queues: tuple[str, ...] | None = None
    statuses: tuple[Status, ...] | None = None
    channel: str | None = None
    assigned_to: int | None = None
    unassigned: bool = False
    reply_before: datetime | None = None  # reply-by earlier than this (overdue)
    reply_from: datetime | None = None  # reply-by at this or later
    reply_until: datetime | None = None  # reply-by at this or earlier


def view_query(view: View) -> CaseQuery:
    """The search a view stands for."""
    if view is View.MINE:
        return CaseQuery(view=view, assigned="me", status="open")
    if view is View.UNASSIGNED:
        return CaseQuery(view=view, assigned="none", status="open")
    if view is View.OVERDUE:
        return CaseQuery(view=view, due="overdue")
    return CaseQuery(view=view, status=Status.WAITING_ON_CUSTOMER)


def filters_for(
    query: CaseQuery, me: int, my_queues: list[str], now: datetime, near: timedelta
) -> CaseFilters:
    """The store's filters for `query` run by staff member `me`. A view sets its own
    filters; the query's other fields narrow it further."""
    view = query.view or None
    base = view_query(view) if view else CaseQuery()
    queues: tuple[str, ...] | None = (query.queue,) if query.queue else None
    if queues is None and view not in (None, View.MINE) and my_queues:
        queues = tuple(my_queues)
    status = query.status or base.status
    statuses: tuple[Status, ...] | None = (
        OPEN_STATUSES if status == "open" else (Status(status),) if status else None
    )
    due = query.due or base.due
    if due:  # only an open case is overdue or due soon
        statuses = tuple(s for s in statuses or OPEN_STATUSES if s in OPEN_STATUSES)
    assigned = query.assigned or base.assigned
    until = now + (timedelta(hours=query.within_hours) if query.within_hours else near)
    return CaseFilters(
        words=tuple(query.q.split()[:MAX_WORDS]),
        queues=queues,
        statuses=statuses,
        channel=query.channel or None,
        assigned_to=me if assigned == "me" else int(assigned) if assigned.isdigit() else None,
        unassigned=assigned == "none",
        reply_before=now if due == "overdue" else None,
        reply_from=now if due == "due_soon" else None,
        reply_until=until if due == "due_soon" else None,
    )


def like_pattern(word: str) -> str:
    """`%word%`, lower case, with the input's own wildcards (and the escape) escaped."""
    escaped = (
        word.lower()
        .replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"
