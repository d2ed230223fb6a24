"""The page an emailed rating link opens: how satisfied the customer was with their
resolved case, 1 to 5 and a comment. A plain form (CSRF-protected like every form), so
it works without JavaScript; no sign-in, the signed link is the key."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, ResponseReturnValue, render_template, request

from frontdesk.business_hours import uk_datetime
from frontdesk.errors import FrontdeskError
from frontdesk.ratings.models import SCORES, RatingIn, RatingOut
from frontdesk.ratings.service import LinkedRating
from frontdesk.web.context import services
from frontdesk.web.validation import parse

blueprint = Blueprint("rating_pages", __name__)


async def _page(
    status: int = 200, /, linked: LinkedRating | None = None, **context: Any
) -> ResponseReturnValue:
    now = services().clock.now()
    rating = RatingOut.of(linked.rating, now) if linked else None
    until = rating.changeable_until if rating else None
    return await render_template(
        "ratings/rate.html", linked=linked, rating=rating, scores=SCORES,
        changeable_until=uk_datetime(until) if until else None, **context,
    ), status  # fmt: skip


@blueprint.get("/rate/<token>")
async def rate(token: str) -> ResponseReturnValue:
    try:
        linked = await services().ratings.linked(token)
    except FrontdeskError as error:
        return await _page(error.status, error=error)
    return await _page(linked=linked, token=token)


@blueprint.post("/rate/<token>")
async def give_rating(token: str) -> ResponseReturnValue:
    form = await request.form
    fields = {"score": form.get("score") or None, "comment": form.get("comment") or None}
    try:
        linked = await services().ratings.linked(token)
    except FrontdeskError as error:
        return await _page(error.status, error=error)
    try:
        given = parse(RatingIn, fields)
        linked = await services().ratings.rate_by_link(token, given)
    except FrontdeskError as error:
        return await _page(error.status, linked=linked, token=token, error=error, form=fields)
    return await _page(linked=linked, token=token, thanked=True)
