"""The admin's People page: find anyone, invite staff, and per person change the role,
disable or enable, send a reset link; plain forms that post and come back. To anyone
but an admin the page does not exist (404)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from quart import Blueprint, ResponseReturnValue, flash, redirect, render_template, request

from frontdesk.accounts.models import STAFF, Role
from frontdesk.accounts.people import InviteIn, PeopleQuery
from frontdesk.errors import Conflict, Invalid
from frontdesk.web.api.people import RoleIn
from frontdesk.web.auth import require_user
from frontdesk.web.cases_pages import form_values, me
from frontdesk.web.context import services
from frontdesk.web.validation import parse

blueprint = Blueprint("people_pages", __name__)

ROLES = [(role.value, role.value.title()) for role in Role]
STAFF_ROLES = [(value, name) for value, name in ROLES if Role(value) in STAFF]


async def _page(status: int = 200, **context: Any) -> tuple[str, int]:
    args = {key: value for key, value in request.args.items() if value}
    try:
        query = parse(PeopleQuery, args)
    except Invalid:
        query, args = PeopleQuery(), {}
    found = await services().people.find(query)
    links = {
        "less": _link(args, found.page - 1) if found.page > 1 else None,
        "more": _link(args, found.page + 1) if found.page < found.pages else None,
    }
    page = await render_template(
        "admin/people.html", found=found, search=args, roles=ROLES, staff_roles=STAFF_ROLES,
        me=me(), values=context.pop("values", {}), **links, **context,
    )  # fmt: skip
    return page, status


def _link(args: dict[str, str], page: int) -> str:
    return "?" + urlencode({**args, "page": str(page)})


@blueprint.get("/admin/people")
@require_user(Role.ADMIN, hidden=True)
async def people() -> ResponseReturnValue:
    return await _page()


@blueprint.post("/admin/people/invite")
@require_user(Role.ADMIN, hidden=True)
async def invite() -> ResponseReturnValue:
    form = await form_values()
    fields = {key: form.get(key, "") for key in InviteIn.model_fields}
    try:
        user = await services().people.invite(me(), parse(InviteIn, fields))
    except (Invalid, Conflict) as error:
        return await _page(error.status, error=error, failed="invite", values=form)
    await flash(f"{user.display_name} is invited: an email with a link is on its way")
    return redirect("/admin/people")


@blueprint.post("/admin/people/<int:user_id>/<any(role, active, reset):change>")
@require_user(Role.ADMIN, hidden=True)
async def change(user_id: int, change: str) -> ResponseReturnValue:
    """One person's change: a new role, disabled or enabled, a reset link sent."""
    form = await form_values()
    people = services().people
    try:
        if change == "role":
            role = parse(RoleIn, {"role": form.get("role", "")}).role
            person = await people.set_role(me(), user_id, role)
            done = f"{person.display_name} is now {person.role.value}; their sessions ended"
        elif change == "active":
            active = form.get("active") == "true"
            person = await people.set_active(me(), user_id, active)
            done = f"{person.display_name} is {'enabled' if active else 'disabled'}"
        else:
            await people.send_reset(me(), user_id)
            done = "A reset link is on its way"
    except (Invalid, Conflict) as error:
        return await _page(error.status, error=error, failed=user_id, values=form)
    await flash(done)
    return redirect(f"/admin/people?{urlencode(_keep(form))}#person-{user_id}")


def _keep(form: dict[str, str]) -> dict[str, str]:
    """The search the form came from, so the list comes back as it was."""
    return {key[5:]: value for key, value in form.items() if key.startswith("back_") and value}
