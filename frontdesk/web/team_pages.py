"""The team page: what work each agent takes (chat groups, case queues, chats at once),
for supervisors and admins. One plain form per agent that posts and comes back; to
anyone else the page does not exist (404)."""

from __future__ import annotations

from quart import Blueprint, ResponseReturnValue, flash, redirect, render_template, request
from werkzeug.datastructures import MultiDict

from frontdesk.errors import Invalid
from frontdesk.team import AgentWorkIn
from frontdesk.web.api.team import LEADS
from frontdesk.web.auth import require_user
from frontdesk.web.cases_pages import me
from frontdesk.web.context import services
from frontdesk.web.validation import parse

blueprint = Blueprint("team_pages", __name__)


async def _page(status: int = 200, **context: object) -> tuple[str, int]:
    live, intake = services().live, services().intake
    groups = [
        {"key": key, "name": live.router.group_name(key)} for key in live.router.chat_groups()
    ]
    page = await render_template(
        "supervisor/agents.html", agents=await services().team.agents(), groups=groups,
        queues=intake.queues(), **context,
    )  # fmt: skip
    return page, status


@blueprint.get("/supervisor/agents")
@require_user(*LEADS, hidden=True)
async def agents() -> ResponseReturnValue:
    return await _page()


@blueprint.post("/supervisor/agents/<int:agent_id>")
@require_user(*LEADS, hidden=True)
async def set_work(agent_id: int) -> ResponseReturnValue:
    form = await request.form
    try:
        change = parse(AgentWorkIn, work_from_form(form))
        work = await services().team.set_work(me(), agent_id, change)
    except Invalid as error:
        return await _page(error.status, error=error, failed=agent_id, values=form)
    await flash(f"Saved what {work.name} takes")
    return redirect(f"/supervisor/agents#agent-{agent_id}")


def work_from_form(form: MultiDict[str, str]) -> dict[str, object]:
    """The form's choices as AgentWorkIn's fields: "every" is None for groups and no
    queue at all for queues (the store's "every queue"); "only" needs one at least."""
    groups: list[str] | None = None
    if form.get("groups_mode") == "only":
        groups = form.getlist("groups")
        if not groups:
            raise _choose("groups", "Choose at least one chat group, or every group")
    elif form.get("groups_mode") == "none":
        groups = []
    queues: list[str] = []
    if form.get("queues_mode") == "only":
        queues = form.getlist("queues")
        if not queues:
            raise _choose("queues", "Choose at least one case queue, or every queue")
    return {"groups": groups, "queues": queues, "capacity": form.get("capacity", "")}


def _choose(field: str, message: str) -> Invalid:
    return Invalid("Please correct the fields", fields={field: message})
