"""Case storage for staff: searching cases with filters, counting them by queue, and the
names of the staff they are assigned to. Matching is case-insensitive on both stores:
lower() on both sides, LIKE with the input's wildcards escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.cases.finding import LIKE_ESCAPE, CaseFilters, like_pattern
from frontdesk.cases.models import OPEN_STATUSES, Case
from frontdesk.db.tables import cases, users

SEARCH_SORTS = {
    "reply_by": cases.c.reply_by,
    "created_at": cases.c.created_at,
    "number": cases.c.number,
}
# What a word is looked for in: the case's number, who it is from, what it is about.
_SEARCHED = (
    cases.c.number,
    cases.c.contact_first_name,
    cases.c.contact_last_name,
    cases.c.contact_email,
    cases.c.subject,
    cases.c.description,
)


def _word(word: str) -> ColumnElement[bool]:
    pattern = like_pattern(word)
    return or_(*(func.lower(column).like(pattern, escape=LIKE_ESCAPE) for column in _SEARCHED))


def _where(filters: CaseFilters) -> ColumnElement[bool]:
    c = cases.c
    conditions: list[ColumnElement[bool]] = [_word(word) for word in filters.words]
    if filters.queues is not None:
        conditions.append(c.owner_queue.in_(list(filters.queues)))
    if filters.statuses is not None:
        conditions.append(c.status.in_([s.value for s in filters.statuses]))
    if filters.channel is not None:
        conditions.append(c.channel == filters.channel)
    if filters.assigned_to is not None:
        conditions.append(c.assigned_agent_id == filters.assigned_to)
    if filters.unassigned:
        conditions.append(c.assigned_agent_id.is_(None))
    if filters.reply_before is not None:
        conditions.append(c.reply_by < filters.reply_before)
    if filters.reply_from is not None:
        conditions.append(c.reply_by >= filters.reply_from)
    if filters.reply_until is not None:
        conditions.append(c.reply_by <= filters.reply_until)
    return and_(literal(True), *conditions)


async def search_cases(
    conn: AsyncConnection,
    filters: CaseFilters,
    *,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[list[Case], int]:
    """A page of the cases matching `filters`, and how many match in all."""
    where = _where(filters)
    column = SEARCH_SORTS[sort]
    order = [column.desc() if descending else column.asc(), cases.c.id.desc()]
    rows = await conn.execute(
        select(cases).where(where).order_by(*order).offset(offset).limit(limit)
    )
    found = [Case.model_validate(row._mapping) for row in rows]
    total = (await conn.execute(select(func.count()).select_from(cases).where(where))).scalar_one()
    return found, int(total)


async def count_cases(conn: AsyncConnection, filters: CaseFilters) -> int:
    query = select(func.count()).select_from(cases).where(_where(filters))
    return int((await conn.execute(query)).scalar_one())


async def select_staff_names(conn: AsyncConnection, user_ids: Sequence[int]) -> dict[int, str]:
    """Display names ("First Last") of these users, by id."""
    if not user_ids:
        return {}
    rows = await conn.execute(
        select(users.c.id, users.c.first_name, users.c.last_name).where(
            users.c.id.in_(sorted(set(user_ids)))
        )
    )
    return {int(row.id): f"{row.first_name} {row.last_name}" for row in rows}


async def select_queue_counts(
    conn: AsyncConnection, now: datetime, soon_until: datetime
) -> list[dict[str, Any]]:
    """Per queue with open cases: how many are open, unassigned, overdue (reply-by
    before `now`) and due soon (reply-by from `now` to `soon_until`)."""
    c = cases.c

    def counted(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(
            c.owner_queue.label("queue"),
            func.count().label("open"),
            counted(c.assigned_agent_id.is_(None)).label("unassigned"),
            counted(c.reply_by < now).label("overdue"),
            counted(and_(c.reply_by >= now, c.reply_by <= soon_until)).label("due_soon"),
        )
        .where(c.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(c.owner_queue)
        .order_by(c.owner_queue)
    )
    return [
        {key: (value if key == "queue" else int(value)) for key, value in row._mapping.items()}
        for row in await conn.execute(query)
    ]
