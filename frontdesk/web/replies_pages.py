"""The canned replies page: an agent's own replies and the shared ones (read-only, but
for supervisors and admins, who write them), each written, changed and deleted by a
plain POST form that redirects back, errors tied to fields."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, ResponseReturnValue, flash, redirect, render_template

from frontdesk.errors import Forbidden, Invalid
from frontdesk.replies.models import CannedReply, ReplyIn, Scope
from frontdesk.replies.placeholders import PLACEHOLDERS
from frontdesk.replies.service import SHARED_WRITERS
from frontdesk.web.api.cases import STAFF
from frontdesk.web.api.replies import ReplyOut, reply_out
from frontdesk.web.auth import require_user
from frontdesk.web.cases_pages import form_values, me
from frontdesk.web.context import services
from frontdesk.web.validation import parse

blueprint = Blueprint("replies_pages", __name__)
PAGE = "/agent/replies"


def _form(reply: CannedReply) -> dict[str, str]:
    return {
        "scope": reply.scope.value, "customer_group": reply.customer_group or "",
        "shortcut": reply.shortcut, "title": reply.title, "body": reply.body,
    }  # fmt: skip


async def _page(status: int = 200, /, **context: Any) -> tuple[str, int]:
    found = [reply_out(r) for r in await services().replies.list_for(me())]
    own: list[ReplyOut] = [r for r in found if r.scope is Scope.PERSONAL]
    shared = [r for r in found if r.scope is Scope.SHARED]
    context.setdefault("values", {})
    page = await render_template(
        "agent/replies.html", own=own, shared=shared, placeholders=PLACEHOLDERS,
        groups=services().replies.group_names(), writes_shared=me().role in SHARED_WRITERS,
        **context,
    )  # fmt: skip
    return page, status


@blueprint.get(PAGE)
@require_user(*STAFF, hidden=True)
async def replies() -> ResponseReturnValue:
    return await _page()


@blueprint.get(f"{PAGE}/<int:reply_id>")
@require_user(*STAFF, hidden=True)
async def edit(reply_id: int) -> ResponseReturnValue:
    reply = await services().replies.editable_reply(me(), reply_id)
    return await _page(editing=reply_out(reply), values=_form(reply))


@blueprint.post(PAGE)
@require_user(*STAFF, hidden=True)
async def create() -> ResponseReturnValue:
    form = await form_values()
    try:
        made = await services().replies.create(me(), parse(ReplyIn, form))
    except (Invalid, Forbidden) as error:
        return await _page(error.status, error=error, values=form)
    await flash(f"Your reply /{made.shortcut} was saved")
    return redirect(PAGE)


@blueprint.post(f"{PAGE}/<int:reply_id>")
@require_user(*STAFF, hidden=True)
async def change(reply_id: int) -> ResponseReturnValue:
    form = await form_values()
    reply = await services().replies.editable_reply(me(), reply_id)
    try:
        changed = await services().replies.change(me(), reply_id, parse(ReplyIn, form))
    except Invalid as error:
        return await _page(error.status, error=error, editing=reply_out(reply), values=form)
    await flash(f"The reply /{changed.shortcut} was changed")
    return redirect(PAGE)


@blueprint.post(f"{PAGE}/<int:reply_id>/delete")
@require_user(*STAFF, hidden=True)
async def delete(reply_id: int) -> ResponseReturnValue:
    reply = await services().replies.editable_reply(me(), reply_id)
    await services().replies.remove(me(), reply_id)
    await flash(f"The reply /{reply.shortcut} was deleted")
    return redirect(PAGE)
