"""The staff's case tools in the API: case lists with who works each case and how due it
is, search with filters and saved views, each view's count, and assigning a case."""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil
from typing import Self

from pydantic import BaseModel, ConfigDict
from quart import Blueprint
from quart_schema import tag, validate_querystring, validate_request, validate_response

from frontdesk.cases.finding import CaseQuery, ReplyFlag, View, reply_flag
from frontdesk.cases.models import Case, CasePage, CustomerHistory
from frontdesk.web.api.cases import (
    CUSTOMER_CASES,
    STAFF,
    CaseSummaryOut,
    QueueListQuery,
    _me,
)
from frontdesk.web.auth import require_user
from frontdesk.web.context import services

blueprint = Blueprint("case_tools_api", __name__, url_prefix="/api/v1")


class StaffCaseOut(CaseSummaryOut):
    """A case as staff lists show it: the customer, who works it, how due it is."""

    customer_name: str
    contact_email: str
    assigned_agent_id: int | None
    assigned_agent_name: str | None
    # "overdue" past the reply-by, "due_soon" near it, null otherwise (or not open).
    reply_flag: ReplyFlag | None
    reply_flag_label: str

    @classmethod
    def staff_view(cls, case: Case, names: dict[int, str], now: datetime, near: timedelta) -> Self:
        flag = reply_flag(case.status, case.reply_by, now, near)
        agent = case.assigned_agent_id
        return cls(
            **CaseSummaryOut.of(case, now).model_dump(),
            customer_name=f"{case.contact_first_name} {case.contact_last_name}",
            contact_email=case.contact_email, assigned_agent_id=agent,
            assigned_agent_name=names.get(agent, f"Staff {agent}") if agent else None,
            reply_flag=flag, reply_flag_label=flag.label if flag else "",
        )  # fmt: skip


class StaffCaseListOut(BaseModel):
    items: list[StaffCaseOut]
    total: int
    page: int
    page_size: int
    pages: int


class CustomerCasesOut(StaffCaseListOut):
    """A customer's cases and chats (cases whose channel is chat), newest first, and how
    many chats they opened since `chats_since` (the last 30 days)."""

    chats_last_30_days: int
    chats_since: datetime


def customer_history_out(history: CustomerHistory) -> CustomerCasesOut:
    return CustomerCasesOut(
        **staff_case_list(history.page).model_dump(),
        chats_last_30_days=history.recent_chats, chats_since=history.chats_since,
    )  # fmt: skip


def staff_case_list(found: CasePage) -> StaffCaseListOut:
    now, near = services().clock.now(), services().finder.due_soon
    return StaffCaseListOut(
        items=[StaffCaseOut.staff_view(c, found.agent_names, now, near) for c in found.cases],
        total=found.total, page=found.page, page_size=found.page_size,
        pages=max(ceil(found.total / found.page_size), 1),
    )  # fmt: skip


class ViewOut(BaseModel):
    view: View
    label: str
    count: int
    url: str


class ViewsOut(BaseModel):
    views: list[ViewOut]


class AssigneeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent_id: int | None = None


async def view_counts() -> list[ViewOut]:
    counted = await services().finder.view_counts(_me())
    return [ViewOut(**c.model_dump(), url=f"/agent?view={c.view.value}") for c in counted]


async def staff_case(number: str) -> StaffCaseOut:
    case = await services().cases.access_case(_me(), number)
    agent = case.assigned_agent_id
    names = await services().finder.agent_names([agent] if agent else [])
    now, near = services().clock.now(), services().finder.due_soon
    return StaffCaseOut.staff_view(case, names, now, near)


@blueprint.get("/cases/search")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_querystring(CaseQuery)
@validate_response(StaffCaseListOut)
async def search_cases(query_args: CaseQuery) -> StaffCaseListOut:
    """Search cases by number, customer name or email, subject and description (every
    word somewhere, any case), filtered by queue, status, channel, assigned agent
    (`me`, `none` or an id) and reply-by (`overdue`, or `due_soon` within
    `within_hours`, by default the desk's setting); or a saved `view`."""
    return staff_case_list(await services().finder.search(_me(), query_args))


@blueprint.get("/agent/views")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_response(ViewsOut)
async def list_views() -> ViewsOut:
    """My saved views of the case list, each with how many cases it holds now."""
    return ViewsOut(views=await view_counts())


@blueprint.put("/cases/<number>/assignee")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_request(AssigneeIn)
@validate_response(StaffCaseOut)
async def assign_case(number: str, data: AssigneeIn) -> StaffCaseOut:
    """Who works the case: yourself (take it), nobody (release it), or, for a
    supervisor, any active staff member. Staff only in the case's activity."""
    await services().assignment.assign(_me(), number, data.agent_id)
    return await staff_case(number)


@blueprint.get("/cases/<number>/customer-cases")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_response(CustomerCasesOut)
async def list_customer_cases(number: str) -> CustomerCasesOut:
    """The cases and chats of this case's customer, newest first (this one among them),
    and how many chats they opened in the last 30 days: their history, for staff. At
    most CUSTOMER_CASES; `total` counts them all."""
    found = await services().cases.customer_history(_me(), number, page_size=CUSTOMER_CASES)
    return customer_history_out(found)


@blueprint.get("/agent/cases")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_querystring(QueueListQuery)
@validate_response(StaffCaseListOut)
async def list_queue_cases(query_args: QueueListQuery) -> StaffCaseListOut:
    """Open cases of the queues I serve (or of `queue`), soonest reply-by first."""
    found = await services().cases.list_queue_cases(
        _me(), queue=query_args.queue or None, page=query_args.page,
        page_size=query_args.page_size,
    )  # fmt: skip
    return staff_case_list(found)
