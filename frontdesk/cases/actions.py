"""Verbs on one case, inside the caller's transaction: how every service reads a case for
someone and writes to it, cases/'s own and chat/'s alike.

Each takes the caller's connection, so a chat that ends and the transcript it files in
its case's feed commit together. Outside cases/, nothing writes case rows but these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.accounts.models import STAFF, Role, User
from frontdesk.cases import store
from frontdesk.cases.attachments import SavedFile
from frontdesk.cases.models import Activity, ActivityKind, Attachment, Case, Channel, Status
from frontdesk.cases.sla import ReplyTargets
from frontdesk.errors import Code, Conflict, NotFound
from frontdesk.intake.options import SupportOptions


def role_label(user: User) -> str:
    """How a person's role reads in the case feed and in a transcript."""
    return "Customer" if user.role is Role.CUSTOMER else user.role.value.title()


@dataclass(frozen=True)
class Actor:
    """Who did something, as the case feed shows it; the system has no user id."""

    id: int | None
    name: str
    role: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.display_name, role_label(user))


SYSTEM = Actor(None, "frontdesk", "System")


def case_not_found() -> NotFound:
    return NotFound("We could not find that case", code=Code.CASE_NOT_FOUND)


async def access_case(conn: AsyncConnection, actor: User, number: str) -> Case:
    """The case numbered `number`, for its customer or for staff. Another customer's
    case is NotFound, never Forbidden, so its existence is not revealed."""
    case = await store.select_case_by_number(conn, number) if number.isdigit() else None
    if case is None:
        raise case_not_found()
    if actor.role is Role.CUSTOMER and case.customer_id != actor.id:
        raise case_not_found()
    return case


async def case_by_id(conn: AsyncConnection, case_id: int) -> Case:
    """A case the caller already holds a reference to (a chat's case, say)."""
    case = await store.select_case(conn, case_id)
    assert case is not None, "cases are never deleted"
    return case


# Parts of an activity's data for support staff only (a chat's wrap-up note): removed
# from what anyone else is shown, here, where every feed is read.
STAFF_ONLY_DATA = frozenset({"wrap_up"})
# Activity items only staff see: how the desk handled a chat, the team's internal notes,
# who of the team works the case, and how the customer rated it, are the team's business.
STAFF_ONLY_KINDS = frozenset(
    {ActivityKind.CHAT_ACTION, ActivityKind.NOTE, ActivityKind.ASSIGNMENT, ActivityKind.RATING}
)


def shown_to(viewer: User, kind: ActivityKind) -> bool:
    """Whether `viewer` may see (and so like or comment on) an activity of this kind."""
    return viewer.role in STAFF or kind not in STAFF_ONLY_KINDS


async def feed_of(
    conn: AsyncConnection, case_id: int, viewer: User, *, newest_first: bool = True
) -> list[Activity]:
    """The case's activity as `viewer` sees it (with their own likes); a customer never
    sees the staff-only parts."""
    items = await store.select_feed(conn, case_id, viewer.id, newest_first=newest_first)
    if viewer.role in STAFF:
        return items
    return [
        item.model_copy(
            update={"data": {k: v for k, v in item.data.items() if k not in STAFF_ONLY_DATA}}
        )
        for item in items
        if shown_to(viewer, item.kind)
    ]


async def log_activity(
    conn: AsyncConnection,
    case_id: int,
    actor: Actor,
    kind: ActivityKind,
    now: datetime,
    *,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> int:
    """Add an item to the case's activity; its id."""
    return await store.insert_activity(
        conn, case_id=case_id, kind=kind, actor_id=actor.id, actor_name=actor.name,
        actor_role=actor.role, now=now, body=body, data=data,
    )  # fmt: skip


async def log_routing(
    conn: AsyncConnection,
    case_id: int,
    organisation: str,
    queue: str,
    channel: Channel,
    options: SupportOptions,
    now: datetime,
) -> None:
    """The system routed a new case from the `organisation` to `queue` (the guide's "Case
    Owner: <organisation> to <queue>"): the customer chose what it is about, the taxonomy
    chose who owns it. A message case's item also says when a reply is due."""
    data: dict[str, Any] = {"field": "Case Owner", "from": organisation, "to": queue}
    if channel is Channel.MESSAGE:
        data["reply_by"] = options.reply_by.isoformat()
    await log_activity(conn, case_id, SYSTEM, ActivityKind.FIELD_CHANGED, now, data=data)


async def record_attachment(
    conn: AsyncConnection, case: Case, uploader: User, saved: SavedFile, now: datetime
) -> Attachment:
    """Keep a file that passed every check (AttachmentFiles.save) as the case's
    attachment, with its item in the activity: for the case page and for chats alike."""
    attachment_id = await store.insert_attachment(
        conn,
        {
            "case_id": case.id, "original_name": saved.name, "stored_name": saved.stored_name,
            "size": saved.size, "content_type": saved.content_type, "sha256": saved.sha256,
            "uploaded_by": uploader.id, "created_at": now,
        },
    )  # fmt: skip
    await log_activity(
        conn, case.id, Actor.of(uploader), ActivityKind.ATTACHMENT, now,
        body=saved.name, data={"attachment_id": attachment_id, "size": saved.size},
    )  # fmt: skip
    await store.update_case(conn, case.id, updated_at=now)
    attachment = await store.select_attachment(conn, case.id, attachment_id)
    assert attachment is not None, "read back in its own transaction"
    return attachment


def require_open(case: Case, *, allow_resolved: bool = False) -> None:
    closed = {Status.CLOSED} if allow_resolved else {Status.CLOSED, Status.RESOLVED}
    if case.status in closed:
        raise Conflict(f"This case is {case.status.label.lower()}", code=Code.CASE_CLOSED)


async def set_status(
    conn: AsyncConnection,
    case: Case,
    actor: Actor,
    status: Status,
    reason: str | None,
    now: datetime,
) -> None:
    closing = status is Status.CLOSED
    await store.update_case(
        conn,
        case.id,
        status=status.value,
        waiting_reason=reason if status is Status.WAITING_ON_CUSTOMER else None,
        closed_at=now if closing else None,
        closed_reason=reason if closing else None,
        updated_at=now,
    )
    data = {"field": "Status", "from": case.status.label, "to": status.label}
    if status is Status.WAITING_ON_CUSTOMER:
        data["reason"] = reason or ""
    await log_activity(conn, case.id, actor, ActivityKind.FIELD_CHANGED, now, data=data)


async def make_message_case(
    conn: AsyncConnection, case_id: int, targets: ReplyTargets, now: datetime, reason: str
) -> Case:
    """A chat case nobody could answer becomes a message case, answered by email within
    the case's reply days of its group's hours from now; the feed says so, as the system."""
    case = await case_by_id(conn, case_id)
    case_reply_by = targets.reply_by(case.customer_group, now, case.reply_days)
    await store.update_case(
        conn, case.id, channel=Channel.MESSAGE.value, updated_at=now, reply_by=case_reply_by
    )
    await log_activity(
        conn, case.id, SYSTEM, ActivityKind.FIELD_CHANGED, now, body=reason,
        data={
            "field": "Contact by", "from": "Chat", "to": "Message",
            "reply_by": case_reply_by.isoformat(),
        },
    )  # fmt: skip
    return await case_by_id(conn, case.id)
