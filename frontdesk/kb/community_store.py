"""Community discussion storage: threads and replies over an AsyncConnection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.db.tables import kb_discussions, kb_replies
from frontdesk.kb.models import Discussion, DiscussionRow, Reply


async def select_discussion_source(
    conn: AsyncConnection, slug: str
) -> tuple[int, str | None] | None:
    row = (
        await conn.execute(
            select(kb_discussions.c.id, kb_discussions.c.source_hash).where(
                kb_discussions.c.slug == slug
            )
        )
    ).first()
    return None if row is None else (int(row.id), row.source_hash)


async def insert_discussion(conn: AsyncConnection, values: dict[str, Any]) -> int:
    result = await conn.execute(
        insert(kb_discussions).values(**values).returning(kb_discussions.c.id)
    )
    return int(result.scalar_one())


async def update_discussion(
    conn: AsyncConnection, discussion_id: int, values: dict[str, Any]
) -> None:
    await conn.execute(
        update(kb_discussions).where(kb_discussions.c.id == discussion_id).values(**values)
    )


async def delete_imported_replies(conn: AsyncConnection, discussion_id: int) -> None:
    """Replies that came from the import (no account); those posted on the site stay."""
    await conn.execute(
        delete(kb_replies).where(
            kb_replies.c.discussion_id == discussion_id, kb_replies.c.author_id.is_(None)
        )
    )


async def recount_replies(conn: AsyncConnection, discussion_id: int, answer_id: int | None) -> None:
    """Set a thread's reply count and last reply time from its replies, and its answer:
    `answer_id`, or else the marked answer if that reply still exists."""
    replies = select(
        func.count().label("count"), func.max(kb_replies.c.created_at).label("last")
    ).where(kb_replies.c.discussion_id == discussion_id)
    count, last = (await conn.execute(replies)).one()
    values: dict[str, Any] = {"reply_count": count, "last_reply_at": last}
    if answer_id is None:
        kept = select(kb_replies.c.id).where(
            kb_replies.c.discussion_id == discussion_id,
            kb_replies.c.id == kb_discussions.c.answer_id,
        )
        values["answer_id"] = kept.scalar_subquery()
    else:
        values["answer_id"] = answer_id
    await update_discussion(conn, discussion_id, values)


async def insert_reply(conn: AsyncConnection, values: dict[str, Any]) -> int:
    result = await conn.execute(insert(kb_replies).values(**values).returning(kb_replies.c.id))
    return int(result.scalar_one())


async def select_discussion(conn: AsyncConnection, slug: str) -> Discussion | None:
    row = (await conn.execute(select(kb_discussions).where(kb_discussions.c.slug == slug))).first()
    if row is None:
        return None
    replies = await conn.execute(
        select(kb_replies)
        .where(kb_replies.c.discussion_id == row.id)
        .order_by(kb_replies.c.created_at, kb_replies.c.id)
    )
    return Discussion.model_validate(
        {**row._mapping, "replies": [Reply.model_validate(r._mapping) for r in replies]}
    )


async def select_discussion_rows(
    conn: AsyncConnection, limit: int, offset: int
) -> list[DiscussionRow]:
    rows = await conn.execute(
        select(
            kb_discussions.c.slug,
            kb_discussions.c.title,
            kb_discussions.c.author_name,
            kb_discussions.c.created_at,
            kb_discussions.c.reply_count,
            kb_discussions.c.answer_id.is_not(None).label("answered"),
        )
        .order_by(
            func.coalesce(kb_discussions.c.last_reply_at, kb_discussions.c.created_at).desc(),
            kb_discussions.c.id.desc(),
        )
        .limit(limit)
        .offset(offset)
    )
    return [DiscussionRow.model_validate(row._mapping) for row in rows]


async def count_discussions(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(kb_discussions))).scalar_one())


async def select_thread_html(conn: AsyncConnection, discussion_id: int) -> tuple[str, list[str]]:
    """A thread's title and the HTML of its question and every reply, in order."""
    thread = (
        await conn.execute(
            select(kb_discussions.c.title, kb_discussions.c.body_html).where(
                kb_discussions.c.id == discussion_id
            )
        )
    ).one()
    replies = await conn.execute(
        select(kb_replies.c.body_html)
        .where(kb_replies.c.discussion_id == discussion_id)
        .order_by(kb_replies.c.id)
    )
    return thread.title, [thread.body_html, *(row.body_html for row in replies)]
