"""Ratings storage: SQL verbs over an AsyncConnection, returning models or None."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.db.engine import dialect_insert
from frontdesk.db.tables import ratings, users
from frontdesk.ratings.models import Rating


def _rating(row: Any) -> Rating | None:
    return None if row is None else Rating.model_validate(row._mapping)


async def insert_chat_request(conn: AsyncConnection, values: dict[str, Any]) -> None:
    """Ask for a chat's rating; asking again for the same chat changes nothing."""
    statement = dialect_insert(conn)(ratings).values(**values)
    await conn.execute(statement.on_conflict_do_nothing(index_elements=["chat_id"]))


async def upsert_case_request(conn: AsyncConnection, values: dict[str, Any]) -> None:
    """Ask for a case's rating, with a new link: a case resolved again keeps its one
    rating (and score, if given), and only the newest link opens it."""
    statement = dialect_insert(conn)(ratings).values(**values)
    fresh = {key: values[key] for key in ("nonce_hash", "link_expires_at", "agent_id")}
    await conn.execute(statement.on_conflict_do_update(index_elements=["case_key"], set_=fresh))


async def select_rating(
    conn: AsyncConnection, *, for_update: bool = False, **where: Any
) -> Rating | None:
    """The rating whose columns have these values (chat_id=, case_key=, nonce_hash=)."""
    query = select(ratings).where(*(ratings.c[name] == value for name, value in where.items()))
    if for_update:
        query = query.with_for_update()
    return _rating((await conn.execute(query)).first())


async def update_rating(conn: AsyncConnection, rating_id: int, **values: Any) -> None:
    await conn.execute(update(ratings).where(ratings.c.id == rating_id).values(**values))


async def select_counts(
    conn: AsyncConnection, by: str, week_start: datetime, day_start: datetime
) -> list[dict[str, Any]]:
    """Per `by` ("customer_group" or "agent_id"), of the ratings asked for since
    `week_start`: how many were asked and rated, and the scores' sum; the same since
    `day_start` (later than `week_start`)."""
    key = ratings.c[by]
    today = ratings.c.asked_at >= day_start
    rated = ratings.c.score.is_not(None)
    query = (
        select(
            key.label("key"),
            func.count().label("week_asked"),
            func.count(ratings.c.score).label("week_rated"),
            func.coalesce(func.sum(ratings.c.score), 0).label("week_total"),
            func.sum(case((today, 1), else_=0)).label("today_asked"),
            func.sum(case((today & rated, 1), else_=0)).label("today_rated"),
            func.sum(case((today & rated, ratings.c.score), else_=0)).label("today_total"),
        )
        .where(ratings.c.asked_at >= week_start, key.is_not(None))
        .group_by(key)
        .order_by(key)
    )
    return [dict(row._mapping) for row in await conn.execute(query)]


async def select_user_names(conn: AsyncConnection, user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    query = select(users.c.id, users.c.first_name, users.c.last_name).where(
        users.c.id.in_(user_ids)
    )
    return {row.id: f"{row.first_name} {row.last_name}" for row in await conn.execute(query)}
