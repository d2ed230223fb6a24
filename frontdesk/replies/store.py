"""Canned reply storage: SQL verbs over an AsyncConnection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.cases.finding import LIKE_ESCAPE, like_pattern
from frontdesk.db.tables import canned_replies
from frontdesk.replies.models import CannedReply, Scope


def _reply(row: Any) -> CannedReply:
    values = dict(row._mapping)
    values.pop("created_by_id")
    scope = Scope.SHARED if values["owner_id"] is None else Scope.PERSONAL
    return CannedReply.model_validate({**values, "scope": scope})


async def insert_reply(conn: AsyncConnection, values: dict[str, Any]) -> int:
    query = insert(canned_replies).values(values).returning(canned_replies.c.id)
    return int((await conn.execute(query)).scalar_one())


async def select_reply(conn: AsyncConnection, reply_id: int) -> CannedReply | None:
    query = select(canned_replies).where(canned_replies.c.id == reply_id)
    row = (await conn.execute(query)).first()
    return _reply(row) if row else None


async def select_replies(
    conn: AsyncConnection,
    owner_id: int,
    *,
    group: str | None = None,
    words: str = "",
    limit: int = 200,
) -> list[CannedReply]:
    """The owner's own replies and the shared ones (only those for `group` or for all,
    when a group is given) whose shortcut or title holds `words`; by shortcut."""
    table = canned_replies
    shared: Any = table.c.owner_id.is_(None)
    if group is not None:
        shared = and_(
            shared, or_(table.c.customer_group.is_(None), table.c.customer_group == group)
        )
    query = select(table).where(or_(table.c.owner_id == owner_id, shared))
    if words:
        pattern = like_pattern(words.lower())
        query = query.where(
            or_(
                func.lower(table.c.shortcut).like(pattern, escape=LIKE_ESCAPE),
                func.lower(table.c.title).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    query = query.order_by(table.c.shortcut, table.c.owner_id.is_(None), table.c.id).limit(limit)
    return [_reply(row) for row in await conn.execute(query)]


async def update_reply(conn: AsyncConnection, reply_id: int, **values: Any) -> None:
    await conn.execute(update(canned_replies).where(canned_replies.c.id == reply_id).values(values))


async def delete_reply(conn: AsyncConnection, reply_id: int) -> None:
    await conn.execute(delete(canned_replies).where(canned_replies.c.id == reply_id))
