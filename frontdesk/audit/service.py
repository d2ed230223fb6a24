"""The audit log's verbs: record an action (after it succeeded), read a filtered page."""

from __future__ import annotations

from math import ceil
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.accounts.models import User
from frontdesk.audit import store
from frontdesk.audit.models import Action, AuditPage, AuditQuery
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction

COMMAND_LINE = "frontdesk command line"


class AuditLog:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def record(
        self,
        by: User | None,
        action: Action,
        target: str,
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> None:
        """Keep what `by` did to `target` (a name people read: "Ben Agent (agent 4)"),
        with the thing as it was and as it is now (JSON-able values). `by` None: done
        on the server with the `frontdesk` command, by whoever may run it."""
        actor_id, actor_name = (by.id, by.display_name) if by else (None, COMMAND_LINE)
        async with transaction(self._engine) as conn:
            await store.insert_entry(
                conn, {"at": self._clock.now(), "actor_id": actor_id, "actor_name": actor_name,
                       "action": action.value, "target": target[:200], "before": before,
                       "after": after},
            )  # fmt: skip

    async def entries(self, query: AuditQuery) -> AuditPage:
        async with reading(self._engine) as conn:
            found, total = await store.select_entries(conn, query)
        pages = max(1, ceil(total / query.page_size))
        return AuditPage(entries=found, total=total, page=query.page, pages=pages)
