"""Knowledge-base reports for staff: what readers said about each article, and the
searches that found nothing (articles worth writing)."""

from __future__ import annotations

from quart import Blueprint, ResponseReturnValue, render_template

from frontdesk.business_hours import uk_datetime
from frontdesk.web.api.cases import STAFF
from frontdesk.web.auth import require_user
from frontdesk.web.context import services

blueprint = Blueprint("kb_staff_pages", __name__, url_prefix="/staff/kb")
blueprint.add_app_template_filter(uk_datetime, "uk_datetime")


@blueprint.get("/feedback")
@require_user(*STAFF, hidden=True)
async def feedback_report() -> ResponseReturnValue:
    rows = await services().kb.feedback_report()
    return await render_template("kb/staff_feedback.html", rows=rows)


@blueprint.get("/feedback/<slug>")
@require_user(*STAFF, hidden=True)
async def feedback_comments(slug: str) -> ResponseReturnValue:
    article, comments = await services().kb.feedback_comments(slug)
    return await render_template(
        "kb/staff_feedback_article.html", article=article, comments=comments
    )


@blueprint.get("/missed-searches")
@require_user(*STAFF, hidden=True)
async def missed_searches() -> ResponseReturnValue:
    misses = await services().kb.missed_queries()
    return await render_template("kb/staff_missed.html", misses=misses)
