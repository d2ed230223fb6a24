"""My Cases pages: the customer's case list and case detail."""

from __future__ import annotations

from quart import Blueprint, ResponseReturnValue, render_template

from frontdesk.web.auth import require_user

blueprint = Blueprint("cases_pages", __name__)


@blueprint.get("/my-cases")
@require_user()
async def my_cases() -> ResponseReturnValue:
    return await render_template("pages/placeholder.html", title="My Cases", area="cases")
