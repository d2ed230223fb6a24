"""Taxonomy storage: SQL verbs over an AsyncConnection, for the numbered versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.db.engine import dialect_insert
from frontdesk.db.tables import taxonomy_versions

_INFO = [c for c in taxonomy_versions.c if c.name != "taxonomy"]


async def select_newest_number(conn: AsyncConnection) -> int:
    """The newest version's number; 0 while there is none. One index look-up."""
    newest = await conn.scalar(select(func.max(taxonomy_versions.c.version)))
    return int(newest or 0)


async def select_version(conn: AsyncConnection, number: int) -> dict[str, Any] | None:
    row = (
        await conn.execute(select(taxonomy_versions).where(taxonomy_versions.c.version == number))
    ).first()
    return None if row is None else dict(row._mapping)


async def select_versions(conn: AsyncConnection, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` versions, newest first, without their taxonomies."""
    rows = await conn.execute(
        select(*_INFO).order_by(taxonomy_versions.c.version.desc()).limit(limit)
    )
    return [dict(row._mapping) for row in rows]


async def insert_version(conn: AsyncConnection, values: dict[str, Any]) -> None:
    """Raises IntegrityError when the number is taken (someone saved it meanwhile)."""
    await conn.execute(insert(taxonomy_versions).values(values))


async def insert_first_version(conn: AsyncConnection, values: dict[str, Any]) -> None:
    """Version 1, unless a node starting at the same moment stored it first."""
    statement = dialect_insert(conn)(taxonomy_versions).values({**values, "version": 1})
    await conn.execute(statement.on_conflict_do_nothing())
