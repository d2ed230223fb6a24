"""The supervisor's dashboard: each chat group's queue, live, its last hours as a chart,
the agents' states, each queue's cases (open, overdue, due soon), customer satisfaction
per group and per agent, and the desk (waiting
and active chats, and what a supervisor does to them). The page is a shell;
dashboard.js fills it from /supervisor."""

from __future__ import annotations

from quart import Blueprint, ResponseReturnValue, render_template

from frontdesk.accounts.models import Role
from frontdesk.web.auth import require_user
from frontdesk.web.context import services

blueprint = Blueprint("supervisor_pages", __name__)

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
HISTORY_HOURS = 4


@blueprint.get("/supervisor")
@require_user(*SUPERVISORS, hidden=True)
async def dashboard() -> ResponseReturnValue:
    live = services().live
    names = services().intake.taxonomy().groups
    groups = [
        {"key": key, "name": names[key].name if key in names else key}
        for key in live.router.chat_groups()
    ]
    # Every group's name, for the agents' groups too (one may serve a group without chat).
    all_names = {key: group.name for key, group in names.items()}
    return await render_template(
        "supervisor/dashboard.html",
        groups=groups,
        group_names=all_names,
        hours=HISTORY_HOURS,
        # Each queue's cases as they stand: shown without the script, kept current by it.
        case_queues=await services().case_board.current(),
        # Customer satisfaction as it stands, the same way: kept current by csat.js.
        csat=await services().csat_board.current(),
        due_soon_hours=services().settings.case_due_soon_hours,
        # The server's clock: waits and states tick from the server's times, not the browser's.
        now=services().clock.now().isoformat(),
    )
