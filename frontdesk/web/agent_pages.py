"""The agent's case pages: the queue list with its saved views, and a case with its work
forms (reply, internal note, status, log a call, move queue, who works it), each a plain
POST that redirects back, errors tied to fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint, ResponseReturnValue, flash, redirect, render_template, request

from frontdesk.cases.assignment import may_assign_others
from frontdesk.cases.finding import View, view_query
from frontdesk.cases.models import Status
from frontdesk.errors import Conflict, Forbidden, Invalid
from frontdesk.web.api.case_tools import (
    customer_history_out,
    staff_case,
    staff_case_list,
    view_counts,
)
from frontdesk.web.api.cases import CUSTOMER_CASES, STAFF, StatusIn
from frontdesk.web.auth import require_user
from frontdesk.web.cases_pages import (
    FILE_RULES,
    comment_from_form,
    form_values,
    like_from_form,
    me,
    render_case,
    render_feed,
)
from frontdesk.web.context import services
from frontdesk.web.validation import parse

blueprint = Blueprint("agent_pages", __name__)

# What an agent can set; a case only starts as New.
WORK_STATUSES = [(s.value, s.label) for s in Status if s is not Status.NEW]
Action = Callable[[dict[str, str]], Awaitable[None]]


def _back(number: str) -> str:
    return f"/agent/cases/{number}"


class ConsoleQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queue: str | None = Field(default=None, max_length=200)
    view: View | None = None
    page: int = Field(default=1, ge=1, le=10_000)
    page_size: int = Field(default=20, ge=1, le=100)


async def _who_works(number: str) -> dict[str, Any]:
    """The case page's "Who works this case": the case as staff see it, and for a
    supervisor everyone it can be assigned to."""
    supervising = may_assign_others(me())
    return {
        "staff": await staff_case(number),
        "supervising": supervising,
        "assignees": await services().assignment.assignees() if supervising else [],
    }


async def _case_page(number: str, status: int = 200, /, **context: Any) -> tuple[str, int]:
    context.setdefault("values", {})
    history = await services().cases.customer_history(me(), number, page_size=CUSTOMER_CASES)
    return await render_case(
        "agent/case.html", number, status, queues=services().intake.queues(),
        statuses=WORK_STATUSES, history=customer_history_out(history),
        **await _who_works(number), **context,
    )  # fmt: skip


async def _act(name: str, number: str, action: Action, done: str) -> ResponseReturnValue:
    """Run one work form: back to the case with a notice, or the page with the error."""
    form = await form_values()
    try:
        await action(form)
    except (Invalid, Conflict, Forbidden) as error:
        return await _case_page(number, error.status, error=error, failed=name, values=form)
    await flash(done)
    return redirect(_back(number))


@blueprint.get("/agent")
@require_user(*STAFF, hidden=True)
async def queue() -> ResponseReturnValue:
    """The console: live chat, and the case list: the queues I serve, or a saved view."""
    query = parse(ConsoleQuery, request.args.to_dict())
    cases = services().cases
    if query.view is not None:
        asked = view_query(query.view).model_copy(
            update={"page": query.page, "page_size": query.page_size}
        )
        found = await services().finder.search(me(), asked)
    else:
        found = await cases.list_queue_cases(
            me(), queue=query.queue or None, page=query.page, page_size=query.page_size
        )
    listed = staff_case_list(found)
    return await render_template(
        "agent/queue.html", cases=listed, queue=query.queue, view=query.view,
        views=await view_counts(), queues=services().intake.queues(),
        mine=await cases.agent_queues(me()), chat=await _chat_console(), file_rules=FILE_RULES,
        overdue=sum(c.reply_flag == "overdue" for c in listed.items),
        due_soon=sum(c.reply_flag == "due_soon" for c in listed.items),
    )  # fmt: skip


async def _chat_console() -> dict[str, Any]:
    """What the live chat part of the console starts from; the socket keeps it current.
    `now` is the server's clock, so offer countdowns follow the server's deadlines."""
    live = services().live
    settings = await live.agents.settings(me().id)
    state = await live.router.agent(me().id)
    return {
        "presence": settings.presence,
        # Why away, as supervisors see it ("idle" when the desk set it), and the choices.
        "reason": state.reason if state is not None and settings.presence == "away" else None,
        "away_reasons": live.agents.away_reasons,
        "idle_minutes": services().settings.agent_idle_minutes,
        "closed_note": live.closed_note(settings) or "",
        "capacity": settings.capacity,
        # Keys for the server, names for people: "Schools, colleges...", never "centres".
        "groups": [
            {"key": key, "name": live.router.group_name(key)} for key in live.router.chat_groups()
        ],
        "now": services().clock.now().isoformat(),
    }


@blueprint.get("/agent/cases/<number>")
@require_user(*STAFF, hidden=True)
async def case_page(number: str) -> ResponseReturnValue:
    return await _case_page(number)


@blueprint.get("/agent/cases/<number>/feed")
@require_user(*STAFF, hidden=True)
async def feed(number: str) -> ResponseReturnValue:
    return await render_feed(number, _back(number))


@blueprint.post("/agent/cases/<number>/reply")
@require_user(*STAFF, hidden=True)
async def reply(number: str) -> ResponseReturnValue:
    async def send(form: dict[str, str]) -> None:
        await services().case_work.reply(me(), number, form.get("body", ""))

    return await _act("reply", number, send, "Your reply was added and emailed to the customer")


@blueprint.post("/agent/cases/<number>/note")
@require_user(*STAFF, hidden=True)
async def add_note(number: str) -> ResponseReturnValue:
    async def write(form: dict[str, str]) -> None:
        await services().case_work.add_note(me(), number, form.get("body", ""))

    return await _act("note", number, write, "Your internal note was added (staff only)")


@blueprint.post("/agent/cases/<number>/status")
@require_user(*STAFF, hidden=True)
async def change_status(number: str) -> ResponseReturnValue:
    async def change(form: dict[str, str]) -> None:
        fields = {"status": form.get("status", ""), "reason": form.get("reason") or None}
        data = parse(StatusIn, fields)
        await services().case_work.change_status(me(), number, data.status, data.reason)

    return await _act("status", number, change, "The status was changed")


@blueprint.post("/agent/cases/<number>/call")
@require_user(*STAFF, hidden=True)
async def log_call(number: str) -> ResponseReturnValue:
    async def log(form: dict[str, str]) -> None:
        await services().case_work.log_call(me(), number, form.get("notes", ""))

    return await _act("call", number, log, "The call was logged")


@blueprint.post("/agent/cases/<number>/queue")
@require_user(*STAFF, hidden=True)
async def move_case(number: str) -> ResponseReturnValue:
    async def move(form: dict[str, str]) -> None:
        await services().case_work.move_case(me(), number, form.get("queue", ""))

    return await _act("queue", number, move, "The case was moved")


@blueprint.post("/agent/cases/<number>/assignee")
@require_user(*STAFF, hidden=True)
async def assign(number: str) -> ResponseReturnValue:
    """Take, release, or (a supervisor) assign: `agent_id` is whom, empty for nobody."""

    async def change(form: dict[str, str]) -> None:
        chosen = form.get("agent_id", "").strip()
        if chosen and not chosen.isdigit():
            raise Invalid("Choose someone from the list", fields={"agent_id": "Unknown person"})
        agent_id = int(chosen) if chosen else None
        await services().assignment.assign(me(), number, agent_id)

    return await _act("assignee", number, change, "Who works this case was changed")


@blueprint.post("/agent/cases/<string:number>/activities/<int:activity_id>/like")
@require_user(*STAFF, hidden=True)
async def like(number: str, activity_id: int) -> ResponseReturnValue:
    return await like_from_form(number, activity_id, _back(number))


@blueprint.post("/agent/cases/<string:number>/activities/<int:activity_id>/comments")
@require_user(*STAFF, hidden=True)
async def comment(number: str, activity_id: int) -> ResponseReturnValue:
    return await comment_from_form(
        number, activity_id, _back(number), "agent/case.html", failed="comment",
        queues=services().intake.queues(), statuses=WORK_STATUSES, **await _who_works(number),
    )  # fmt: skip
