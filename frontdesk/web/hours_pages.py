"""The admin's Office hours page: per customer group, weekly hours, bank holidays, chat on
or off, closures and extra opening days; Preview shows the next weeks as the business
calendar opens them with the values not yet saved, Save stores a new taxonomy version.
Plain forms; to anyone but an admin the page does not exist (404)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, ResponseReturnValue, flash, redirect, render_template, request

from frontdesk.accounts.models import Role
from frontdesk.business_hours import WEEKDAYS
from frontdesk.errors import Conflict, Invalid
from frontdesk.intake.hours import GroupHours, group_of, hours_form, hours_from_form, save_hours
from frontdesk.web.auth import require_user
from frontdesk.web.cases_pages import form_values, me
from frontdesk.web.context import services

blueprint = Blueprint("hours_pages", __name__)

PREVIEW_WEEKS = 6


async def _page(
    key: str, form: dict[str, str], status: int = 200, **context: Any
) -> tuple[str, int]:
    taxonomy = services().taxonomy
    group = group_of(taxonomy.current(), key)
    page = await render_template(
        "admin/hours.html", groups=taxonomy.current().groups, key=key, group=group,
        form=form, weekdays=WEEKDAYS, version=form.get("based_on") or taxonomy.version,
        closure_rows=_rows(form, "closure"), extra_rows=_rows(form, "extra"), **context,
    )  # fmt: skip
    return page, status


def _rows(form: dict[str, str], prefix: str) -> list[int]:
    """The row numbers the form has filled in, and one more for adding: the blank
    adding row a preview posts back is not a row (it would come back as two blanks)."""
    found = {int(k.split("_")[1]) for k, v in form.items() if k.startswith(f"{prefix}_")
             and k.count("_") >= 2 and k.split("_")[1].isdigit() and v.strip()
             and not k.endswith("_remove")}  # fmt: skip
    return [*sorted(found), max(found, default=-1) + 1]


@blueprint.get("/admin/hours")
@require_user(Role.ADMIN, hidden=True)
async def hours() -> ResponseReturnValue:
    taxonomy = services().taxonomy.current()
    key = request.args.get("group") or next(iter(taxonomy.groups))
    group = group_of(taxonomy, key)
    return await _page(key, hours_form(GroupHours(chat=group.chat, hours=group.hours)))


@blueprint.post("/admin/hours/<key>")
@require_user(Role.ADMIN, hidden=True)
async def change(key: str) -> ResponseReturnValue:
    """Preview (`do=preview`) or save the posted hours of group `key`."""
    form = await form_values()
    try:
        change = hours_from_form(form)
        if form.get("do") == "preview":
            days = services().intake.opening_calendar(change.hours, PREVIEW_WEEKS)
            return await _page(key, form, preview=days)
        based_on = int(form["based_on"]) if form.get("based_on", "").isdigit() else None
        saved = await save_hours(services().taxonomy, me(), key, change, based_on)
    except (Invalid, Conflict) as error:
        return await _page(key, form, error.status, error=error)
    await flash(f"Saved as version {saved.version}: {saved.summary}")
    return redirect(f"/admin/hours?group={key}")
