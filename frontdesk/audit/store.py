"""Audit storage: SQL verbs over an AsyncConnection."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.audit.models import AuditEntry, AuditQuery
from frontdesk.db.tables import audit_log


async def insert_entry(conn: AsyncConnection, values: dict[str, Any]) -> None:
    as_text = {key: json.dumps(values[key]) for key in ("before", "after")}
    await conn.execute(insert(audit_log).values({**values, **as_text}))


def _filtered(query: AuditQuery) -> list[Any]:
    conditions: list[Any] = []
    if query.action is not None:
        conditions.append(audit_log.c.action == query.action.value)
    if query.actor_id is not None:
        conditions.append(audit_log.c.actor_id == query.actor_id)
    if query.target:
        conditions.append(func.lower(audit_log.c.target).contains(query.target.lower()))
    if query.since is not None:
        conditions.append(audit_log.c.at >= query.since)
    if query.until is not None:
        conditions.append(audit_log.c.at < query.until)
    return conditions


async def select_entries(conn: AsyncConnection, query: AuditQuery) -> tuple[list[AuditEntry], int]:
    """One page of the entries that match, newest first, and how many match in all."""
    conditions = _filtered(query)
    total = await conn.scalar(select(func.count()).select_from(audit_log).where(*conditions))
    rows = await conn.execute(
        select(audit_log)
        .where(*conditions)
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
    )
    entries = [
        AuditEntry.model_validate(
            {**row._mapping, "before": json.loads(row.before), "after": json.loads(row.after)}
        )
        for row in rows
    ]
    return entries, int(total or 0)
