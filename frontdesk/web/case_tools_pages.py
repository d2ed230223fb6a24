"""The staff's case search page: a GET form (it works without JavaScript), its results
paged and sortable, each with who works it and how due it is."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from quart import Blueprint, ResponseReturnValue, render_template, request

from frontdesk.cases.finding import VIEW_LABELS, CaseQuery
from frontdesk.cases.models import STATUS_LABELS, Channel
from frontdesk.errors import Invalid
from frontdesk.web.api.case_tools import staff_case_list, view_counts
from frontdesk.web.api.cases import STAFF
from frontdesk.web.auth import require_user
from frontdesk.web.cases_pages import me
from frontdesk.web.context import services
from frontdesk.web.validation import parse

blueprint = Blueprint("case_tools_pages", __name__)

# The form's parameters a sort heading or a page link keeps.
KEPT = ("q", "queue", "status", "channel", "assigned", "due", "within_hours", "view")


def _choices() -> dict[str, Any]:
    return {
        "queues": services().intake.queues(),
        "statuses": [
            ("open", "Any open status"),
            *((s.value, s.label) for s in STATUS_LABELS),
        ],
        "channels": [(c.value, c.value.title()) for c in Channel],
        "view_labels": {v.value: label for v, label in VIEW_LABELS.items()},
        "due_soon_hours": services().settings.case_due_soon_hours,
    }


@blueprint.get("/agent/search")
@require_user(*STAFF, hidden=True)
async def search() -> ResponseReturnValue:
    args = {key: value for key, value in request.args.items() if value != ""}
    values = {key: args.get(key, "") for key in KEPT}
    context: dict[str, Any] = {
        "values": values, "asked": bool(args), "results": None, "error": None,
        "assignees": await services().assignment.assignees(), "views": await view_counts(),
        "query": CaseQuery(), **_choices(),
    }  # fmt: skip
    status = 200
    try:
        query = parse(CaseQuery, args)
        context["query"] = query
        if args:
            context["results"] = staff_case_list(await services().finder.search(me(), query))
    except Invalid as error:
        context["error"], status = error, error.status
    kept = {key: value for key, value in values.items() if value}
    context["link"] = urlencode(kept) + "&" if kept else ""
    context["page_link"] = (
        urlencode({**kept, "sort": context["query"].sort, "direction": context["query"].direction})
        + "&"
    )
    return await render_template("agent/search.html", **context), status
