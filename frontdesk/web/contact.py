"""Contact Us pages: the three-step form."""

from __future__ import annotations

from quart import Blueprint, ResponseReturnValue, render_template

from frontdesk.web.auth import require_user

blueprint = Blueprint("contact", __name__)


@blueprint.get("/contact-us")
@require_user()
async def contact_us() -> ResponseReturnValue:
    return await render_template("pages/placeholder.html", title="Contact Us", area="contact")
