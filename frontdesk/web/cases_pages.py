"""My Cases pages: the customer's case list and case detail, and the feed's forms (like,
comment), which work without JavaScript; cases.js does the same through the API and
redraws the feed from the page's /feed fragment."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, ResponseReturnValue, redirect, render_template, request

from frontdesk.accounts.models import User
from frontdesk.errors import Invalid
from frontdesk.web.api.cases import CaseListQuery, case_detail, case_feed, case_list
from frontdesk.web.auth import current_user, require_user
from frontdesk.web.context import services
from frontdesk.web.validation import parse

blueprint = Blueprint("cases_pages", __name__)

# The guide's columns, left to right: the status sits on the right.
COLUMNS = (
    ("number", "Case Number"),
    ("subject", "Subject"),
    ("channel", "Channel"),
    ("created_at", "Date Opened"),
    ("reply_by", "Reply By"),
    ("status", "Status"),
)
ORDERS = ("newest", "oldest")


def me() -> User:
    user = current_user()
    assert user is not None  # require_user ran first
    return user


def feed_order(values: Any) -> str:
    order = values.get("order", "newest")
    return order if order in ORDERS else "newest"


async def form_values() -> dict[str, str]:
    return {key: value for key, value in (await request.form).items() if key != "csrf_token"}


async def render_case(
    template: str, number: str, status: int = 200, /, order: str | None = None, **context: Any
) -> tuple[str, int]:
    """A case page: the feed (in the asked order), the detail, and anything else."""
    user = me()
    case = await case_detail(user, number)
    feed = await case_feed(user, number, order or feed_order(request.args))
    return await render_template(template, case=case, feed=feed, **context), status


async def render_feed(number: str, base: str) -> tuple[str, int]:
    """The case page's feed alone, loaded as the page loads it (so the same access), for a
    script to swap in; `?view=summary` is the read-only list beside a chat."""
    view = "summary" if request.args.get("view") == "summary" else "page"
    return await render_case("cases/feed.html", number, base=base, view=view)


async def like_from_form(number: str, activity_id: int, back: str) -> ResponseReturnValue:
    form = await form_values()
    await services().cases.like(me(), number, activity_id, form.get("liked") == "true")
    return redirect(f"{back}?order={feed_order(form)}#activity-{activity_id}")


async def comment_from_form(
    number: str, activity_id: int, back: str, template: str, **context: Any
) -> ResponseReturnValue:
    form = await form_values()
    try:
        await services().cases.comment(me(), number, activity_id, form.get("body", ""))
    except Invalid as error:
        extra = {"error": error, "error_activity": activity_id, "form": form, **context}
        return await render_case(
            template, number, error.status, order=feed_order(form), values=form, **extra
        )
    return redirect(f"{back}?order={feed_order(form)}#activity-{activity_id}")


@blueprint.get("/my-cases")
@require_user()
async def my_cases() -> ResponseReturnValue:
    query = parse(CaseListQuery, request.args.to_dict())
    found = await services().cases.list_my_cases(
        me(), sort=query.sort, descending=query.direction == "desc", page=query.page,
        page_size=query.page_size,
    )  # fmt: skip
    return await render_template(
        "cases/list.html", cases=case_list(found, services().clock.now()), columns=COLUMNS,
        sort=query.sort, direction=query.direction,
    )  # fmt: skip


@blueprint.get("/my-cases/<number>")
@require_user()
async def case_page(number: str) -> ResponseReturnValue:
    return await render_case("cases/detail.html", number)


@blueprint.get("/my-cases/<number>/feed")
@require_user()
async def feed(number: str) -> ResponseReturnValue:
    return await render_feed(number, f"/my-cases/{number}")


@blueprint.post("/my-cases/<string:number>/activities/<int:activity_id>/like")
@require_user()
async def like(number: str, activity_id: int) -> ResponseReturnValue:
    return await like_from_form(number, activity_id, f"/my-cases/{number}")


@blueprint.post("/my-cases/<string:number>/activities/<int:activity_id>/comments")
@require_user()
async def comment(number: str, activity_id: int) -> ResponseReturnValue:
    back = f"/my-cases/{number}"
    return await comment_from_form(number, activity_id, back, "cases/detail.html")
