"""Case storage: SQL verbs over an AsyncConnection, returning models or None."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.cases.models import (
    Activity,
    ActivityKind,
    Attachment,
    Case,
    Channel,
    Comment,
    Status,
)
from frontdesk.db.tables import (
    activity_comments,
    activity_likes,
    agent_queues,
    attachments,
    case_activities,
    cases,
    contact_profiles,
)

# Sort keys a case list accepts, mapped to columns; anything else is refused upstream.
SORTABLE = {
    "number": cases.c.number,
    "subject": cases.c.subject,
    "status": cases.c.status,
    "channel": cases.c.channel,
    "created_at": cases.c.created_at,
    "updated_at": cases.c.updated_at,
    "reply_by": cases.c.reply_by,
}


def _case(row: Any) -> Case | None:
    return None if row is None else Case.model_validate(row._mapping)


async def insert_case(conn: AsyncConnection, values: dict[str, Any]) -> int:
    result = await conn.execute(insert(cases).values(**values).returning(cases.c.id))
    return int(result.scalar_one())


# Read on live chat's hot paths (a request, an offer, an accept): built once.
_CASE = select(cases).where(cases.c.id == bindparam("case_id"))
_CASE_BY_NUMBER = select(cases).where(cases.c.number == bindparam("number"))


async def select_case(conn: AsyncConnection, case_id: int) -> Case | None:
    return _case((await conn.execute(_CASE, {"case_id": case_id})).first())


async def select_case_by_number(conn: AsyncConnection, number: str) -> Case | None:
    return _case((await conn.execute(_CASE_BY_NUMBER, {"number": number})).first())


async def select_cases(
    conn: AsyncConnection,
    *,
    customer_id: int | None = None,
    queues: Sequence[str] | None = None,
    statuses: Sequence[Status] | None = None,
    sort: str = "created_at",
    descending: bool = True,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[Case], int]:
    """A page of cases matching the filters, and how many match in all."""
    conditions = []
    if customer_id is not None:
        conditions.append(cases.c.customer_id == customer_id)
    if queues is not None:
        conditions.append(cases.c.owner_queue.in_(list(queues)))
    if statuses is not None:
        conditions.append(cases.c.status.in_([s.value for s in statuses]))
    where = and_(True, *conditions)
    column = SORTABLE[sort]
    order = [column.desc() if descending else column.asc(), cases.c.id.desc()]
    rows = await conn.execute(
        select(cases).where(where).order_by(*order).offset(offset).limit(limit)
    )
    total = (await conn.execute(select(func.count()).select_from(cases).where(where))).scalar_one()
    return [c for c in map(_case, rows) if c is not None], int(total)


async def count_customer_cases(
    conn: AsyncConnection, customer_id: int, *, channel: Channel, created_since: datetime
) -> int:
    """How many of the customer's cases of `channel` were opened at or after `created_since`."""
    where = and_(
        cases.c.customer_id == customer_id,
        cases.c.channel == channel.value,
        cases.c.created_at >= created_since,
    )
    found = await conn.execute(select(func.count()).select_from(cases).where(where))
    return int(found.scalar_one())


async def update_case(conn: AsyncConnection, case_id: int, **values: Any) -> None:
    await conn.execute(update(cases).where(cases.c.id == case_id).values(**values))


async def close_unanswered_calls(
    conn: AsyncConnection, *, created_before: datetime, now: datetime, reason: str
) -> list[int]:
    """Close open call-us cases with no call logged whose call-by time has come; one
    with none (opened before cases kept it) when it was created before `created_before`.

    The guards in the WHERE make each close happen once, however many nodes run this at
    the same moment: a racing node's UPDATE finds the case closed already."""
    result = await conn.execute(
        update(cases)
        .where(
            cases.c.channel == Channel.CALL.value,
            cases.c.call_logged_at.is_(None),
            cases.c.status.in_(
                [Status.NEW.value, Status.IN_PROGRESS.value, Status.WAITING_ON_CUSTOMER.value]
            ),
            or_(
                cases.c.call_by <= now,
                and_(cases.c.call_by.is_(None), cases.c.created_at <= created_before),
            ),
        )
        .values(status=Status.CLOSED.value, closed_at=now, closed_reason=reason, updated_at=now)
        .returning(cases.c.id)
    )
    return [int(row[0]) for row in result]


# Activity feed ---------------------------------------------------------------------------


async def insert_activity(
    conn: AsyncConnection,
    *,
    case_id: int,
    kind: ActivityKind,
    actor_id: int | None,
    actor_name: str,
    actor_role: str,
    now: datetime,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> int:
    result = await conn.execute(
        insert(case_activities)
        .values(
            case_id=case_id,
            kind=kind.value,
            actor_id=actor_id,
            actor_name=actor_name,
            actor_role=actor_role,
            body=body,
            data=json.dumps(data or {}),
            created_at=now,
        )
        .returning(case_activities.c.id)
    )
    return int(result.scalar_one())


async def select_activity_place(
    conn: AsyncConnection, activity_id: int
) -> tuple[int, ActivityKind] | None:
    """The case an activity is on, and its kind; None if there is no such activity."""
    query = select(case_activities.c.case_id, case_activities.c.kind).where(
        case_activities.c.id == activity_id
    )
    found = (await conn.execute(query)).one_or_none()
    return None if found is None else (int(found.case_id), ActivityKind(found.kind))


def _feed_rows(newest_first: bool) -> Select[Any]:
    activity = case_activities.c
    order = (
        (activity.created_at.desc(), activity.id.desc())
        if newest_first
        else (activity.created_at, activity.id)
    )
    return select(case_activities).where(activity.case_id == bindparam("case_id")).order_by(*order)


# A case's feed is read on every chat offer and accept: its statements are built once,
# keyed by the case rather than by a list of activity ids, so nothing is compiled again.
_FEED_ROWS = {newest_first: _feed_rows(newest_first) for newest_first in (True, False)}
_FEED_LIKES = (
    select(
        activity_likes.c.activity_id,
        func.count(),
        func.max(sql_case((activity_likes.c.user_id == bindparam("viewer_id"), 1), else_=0)),
    )
    .join(case_activities, case_activities.c.id == activity_likes.c.activity_id)
    .where(case_activities.c.case_id == bindparam("case_id"))
    .group_by(activity_likes.c.activity_id)
)
_FEED_COMMENTS = (
    select(activity_comments)
    .join(case_activities, case_activities.c.id == activity_comments.c.activity_id)
    .where(case_activities.c.case_id == bindparam("case_id"))
    .order_by(activity_comments.c.created_at, activity_comments.c.id)
)


async def select_feed(
    conn: AsyncConnection, case_id: int, viewer_id: int, *, newest_first: bool = True
) -> list[Activity]:
    """The case's activity with like counts, the viewer's own likes, and comments."""
    rows = (await conn.execute(_FEED_ROWS[newest_first], {"case_id": case_id})).all()
    if not rows:
        return []
    likes = {
        int(activity_id): (int(count), bool(mine))
        for activity_id, count, mine in await conn.execute(
            _FEED_LIKES, {"case_id": case_id, "viewer_id": viewer_id}
        )
    }
    comments: dict[int, list[Comment]] = {}
    for row in await conn.execute(_FEED_COMMENTS, {"case_id": case_id}):
        comments.setdefault(row.activity_id, []).append(Comment.model_validate(row._mapping))
    return [
        Activity(
            id=row.id,
            kind=ActivityKind(row.kind),
            actor_name=row.actor_name,
            actor_role=row.actor_role,
            body=row.body,
            data=json.loads(row.data or "{}"),
            created_at=row.created_at,
            likes=count,
            liked_by_me=mine,
            comments=tuple(comments.get(row.id, [])),
        )
        for row in rows
        for count, mine in (likes.get(row.id, (0, False)),)
    ]


async def insert_comment(
    conn: AsyncConnection,
    *,
    activity_id: int,
    author_id: int,
    author_name: str,
    author_role: str,
    body: str,
    now: datetime,
) -> int:
    result = await conn.execute(
        insert(activity_comments)
        .values(
            activity_id=activity_id,
            author_id=author_id,
            author_name=author_name,
            author_role=author_role,
            body=body,
            created_at=now,
        )
        .returning(activity_comments.c.id)
    )
    return int(result.scalar_one())


async def set_like(
    conn: AsyncConnection, activity_id: int, user_id: int, liked: bool, now: datetime
) -> None:
    """Like or unlike; idempotent either way."""
    await conn.execute(
        delete(activity_likes).where(
            activity_likes.c.activity_id == activity_id, activity_likes.c.user_id == user_id
        )
    )
    if liked:
        await conn.execute(
            insert(activity_likes).values(activity_id=activity_id, user_id=user_id, created_at=now)
        )


# Contact profiles, agent queues -------------------------------------------------------------


async def select_contact_profile(conn: AsyncConnection, user_id: int) -> dict[str, Any] | None:
    row = (
        await conn.execute(select(contact_profiles).where(contact_profiles.c.user_id == user_id))
    ).first()
    if row is None:
        return None
    found = dict(row._mapping)
    found.pop("user_id")
    found.pop("updated_at")
    return found


async def upsert_contact_profile(
    conn: AsyncConnection, user_id: int, details: dict[str, Any], now: datetime
) -> None:
    await conn.execute(delete(contact_profiles).where(contact_profiles.c.user_id == user_id))
    await conn.execute(insert(contact_profiles).values(user_id=user_id, updated_at=now, **details))


async def select_agent_queues(conn: AsyncConnection, user_id: int) -> list[str]:
    rows = await conn.execute(
        select(agent_queues.c.queue).where(agent_queues.c.user_id == user_id).order_by("queue")
    )
    return [str(row[0]) for row in rows]


async def replace_agent_queues(conn: AsyncConnection, user_id: int, queues: list[str]) -> None:
    await conn.execute(delete(agent_queues).where(agent_queues.c.user_id == user_id))
    if queues:
        await conn.execute(
            insert(agent_queues), [{"user_id": user_id, "queue": q} for q in sorted(set(queues))]
        )


# Attachments ---------------------------------------------------------------------------------


async def insert_attachment(conn: AsyncConnection, values: dict[str, Any]) -> int:
    result = await conn.execute(insert(attachments).values(**values).returning(attachments.c.id))
    return int(result.scalar_one())


async def select_attachment(
    conn: AsyncConnection, case_id: int, attachment_id: int
) -> Attachment | None:
    row = (
        await conn.execute(
            select(attachments).where(
                attachments.c.case_id == case_id, attachments.c.id == attachment_id
            )
        )
    ).first()
    return None if row is None else Attachment.model_validate(row._mapping)


async def select_attachments(conn: AsyncConnection, case_id: int) -> list[Attachment]:
    rows = await conn.execute(
        select(attachments).where(attachments.c.case_id == case_id).order_by(attachments.c.id)
    )
    return [Attachment.model_validate(row._mapping) for row in rows]
