"""Finding cases, for staff: search with filters and saved views, each view's count, the
reply-by flag of a case, and the cases of each queue by how due they are."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.accounts.models import User
from frontdesk.cases import search_store, store
from frontdesk.cases.finding import (
    CaseQuery,
    ReplyFlag,
    View,
    filters_for,
    reply_flag,
    view_query,
)
from frontdesk.cases.models import Case, CasePage
from frontdesk.cases.service import require_staff
from frontdesk.clock import Clock
from frontdesk.db.engine import reading
from frontdesk.errors import Invalid
from frontdesk.intake.service import IntakeService


class QueueCases(BaseModel):
    """One queue's open cases, by how due they are."""

    model_config = ConfigDict(frozen=True)

    queue: str
    open: int
    unassigned: int
    overdue: int
    due_soon: int


class ViewCount(BaseModel):
    model_config = ConfigDict(frozen=True)

    view: View
    label: str
    count: int


class CaseFinder:
    def __init__(
        self, engine: AsyncEngine, clock: Clock, intake: IntakeService, due_soon: timedelta
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._intake = intake
        self.due_soon = due_soon

    def flag(self, case: Case) -> ReplyFlag | None:
        """Overdue, due soon, or neither, now."""
        return reply_flag(case.status, case.reply_by, self._clock.now(), self.due_soon)

    async def search(self, staff: User, query: CaseQuery) -> CasePage:
        """A page of the cases matching `query`, with the names of their agents."""
        require_staff(staff)
        if query.queue and query.queue not in self._intake.queues():
            raise Invalid("Choose a queue from the list", fields={"queue": "Unknown queue"})
        async with reading(self._engine) as conn:
            mine = await store.select_agent_queues(conn, staff.id)
            filters = filters_for(query, staff.id, mine, self._clock.now(), self.due_soon)
            found, total = await search_store.search_cases(
                conn, filters, sort=query.sort, descending=query.direction == "desc",
                offset=(query.page - 1) * query.page_size, limit=query.page_size,
            )  # fmt: skip
            ids = [c.assigned_agent_id for c in found if c.assigned_agent_id is not None]
            names = await search_store.select_staff_names(conn, ids)
        return CasePage(
            cases=found, total=total, page=query.page, page_size=query.page_size,
            agent_names=names,
        )  # fmt: skip

    async def view_counts(self, staff: User) -> list[ViewCount]:
        """How many cases each saved view holds for `staff`, now."""
        require_staff(staff)
        now = self._clock.now()
        async with reading(self._engine) as conn:
            mine = await store.select_agent_queues(conn, staff.id)
            counts = [
                await search_store.count_cases(
                    conn, filters_for(view_query(view), staff.id, mine, now, self.due_soon)
                )
                for view in View
            ]
        return [
            ViewCount(view=view, label=view.label, count=count)
            for view, count in zip(View, counts, strict=True)
        ]

    async def agent_names(self, agent_ids: list[int]) -> dict[int, str]:
        async with reading(self._engine) as conn:
            return await search_store.select_staff_names(conn, agent_ids)

    async def queue_cases(self) -> list[QueueCases]:
        """Every queue's open cases (queues with none among them), now."""
        now = self._clock.now()
        async with reading(self._engine) as conn:
            rows = await search_store.select_queue_counts(conn, now, now + self.due_soon)
        counted = {row["queue"]: row for row in rows}
        queues = list(dict.fromkeys([*self._intake.queues(), *counted]))
        empty = {"open": 0, "unassigned": 0, "overdue": 0, "due_soon": 0}
        return [QueueCases(**{"queue": q, **counted.get(q, empty)}) for q in queues]
