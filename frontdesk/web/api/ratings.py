"""Customer satisfaction in the API: the figures supervisors read on the dashboard, for
supervisors and admins; to anyone else the address does not exist (404)."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag, validate_response

from frontdesk.accounts.models import Role
from frontdesk.ratings.models import CsatFigures
from frontdesk.web.auth import require_user
from frontdesk.web.context import services

blueprint = Blueprint("ratings_api", __name__, url_prefix="/api/v1")


@blueprint.get("/csat")
@tag(["team"])
@require_user(Role.SUPERVISOR, Role.ADMIN, hidden=True)
@validate_response(CsatFigures)
async def csat_figures() -> CsatFigures:
    """Customer satisfaction today (since midnight, UK time) and over the last 7 days,
    per customer group and per agent: how many customers were asked to rate (chats
    ended after an agent answered, message and call cases resolved), how many rated,
    the average score (1 very dissatisfied to 5 very satisfied) and the response rate
    (rated / asked, 0 to 1); null where nothing was rated or asked."""
    return await services().csat_board.current()
