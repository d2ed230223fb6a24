"""The admin's audit log page: every administrative action, newest first, filtered by a
plain GET form; to anyone but an admin the page does not exist (404)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from quart import Blueprint, ResponseReturnValue, render_template, request

from frontdesk.accounts.models import Role
from frontdesk.audit.models import Action, AuditEntry, AuditQuery
from frontdesk.business_hours import UK, uk_datetime
from frontdesk.errors import Invalid
from frontdesk.web.auth import require_user
from frontdesk.web.context import services
from frontdesk.web.validation import parse

blueprint = Blueprint("admin_pages", __name__)

ACTION_NAMES = {
    Action.AGENT_WORK_CHANGED: "Changed what an agent takes",
    Action.PERSON_INVITED: "Invited a member of staff",
    Action.ROLE_CHANGED: "Changed a role",
    Action.ACCOUNT_DISABLED: "Disabled an account",
    Action.ACCOUNT_ENABLED: "Enabled an account",
    Action.RESET_SENT: "Sent a reset link",
    Action.TAXONOMY_CHANGED: "Changed the Contact Us taxonomy",
    Action.TAXONOMY_ROLLED_BACK: "Rolled back the Contact Us taxonomy",
    Action.HOURS_CHANGED: "Changed office hours",
}
FIELD_NAMES = {
    "groups": "Chat groups", "queues": "Case queues", "capacity": "Chats at once",
    "role": "Role", "active": "Active", "email": "Email", "version": "Version",
    "summary": "Summary", "rolled_back_to": "Rolled back to version",
}  # fmt: skip


@blueprint.get("/admin/audit")
@require_user(Role.ADMIN, hidden=True)
async def audit() -> ResponseReturnValue:
    form = {key: value for key, value in request.args.items() if value}
    error = None
    try:
        query = parse(AuditQuery, _query_fields(form))
    except Invalid as invalid:
        error, query = invalid, AuditQuery()
    found = await services().audit.entries(query)
    page = await render_template(
        "admin/audit.html", found=found, entries=[_shown(e) for e in found.entries],
        actions=ACTION_NAMES, form=form, error=error,
        more=_page_link(form, found.page + 1) if found.page < found.pages else None,
        less=_page_link(form, found.page - 1) if found.page > 1 else None,
    )  # fmt: skip
    return page, 422 if error else 200


def _query_fields(form: dict[str, str]) -> dict[str, Any]:
    """The form's days (UK dates, "until" inclusive) as the query's times."""
    fields: dict[str, Any] = {k: v for k, v in form.items() if k in {"action", "target", "page"}}
    for key, shift in (("since", 0), ("until", 1)):
        if key in form:
            try:
                day = date.fromisoformat(form[key]) + timedelta(days=shift)
            except ValueError:
                raise Invalid("Please correct the fields", fields={key: "Use a date"}) from None
            fields[key] = datetime.combine(day, time.min, UK)
    return fields


def _page_link(form: dict[str, str], page: int) -> str:
    return "?" + urlencode({**form, "page": str(page)})


def _shown(entry: AuditEntry) -> dict[str, Any]:
    """An entry as people read it: when in UK time, and each changed field from and to."""
    changes = [
        {"field": FIELD_NAMES.get(key, key), "from": _words(key, entry.before.get(key)),
         "to": _words(key, entry.after.get(key))}
        for key in sorted(set(entry.before) | set(entry.after))
        if entry.before.get(key) != entry.after.get(key)
    ]  # fmt: skip
    action = ACTION_NAMES.get(entry.action, entry.action)
    return {"entry": entry, "when": uk_datetime(entry.at), "action": action, "changes": changes}


def _words(field: str, value: Any) -> str:
    """A stored value in words: chat groups by name (None: every one), case queues (none:
    every one), anything else as it is."""
    if field == "groups":
        names = [services().live.router.group_name(key) for key in value or []]
        return "every group" if value is None else ", ".join(names) or "no chats"
    if field == "queues":
        return ", ".join(value or []) or "every queue"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "—" if value is None else str(value)
