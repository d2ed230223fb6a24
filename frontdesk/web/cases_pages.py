"""My Cases pages: the customer's case list and case detail, and the case page's forms
(like, comment, add files), which work without JavaScript; cases.js and case_files.js do
the same through the API and redraw the feed from the page's /feed fragment."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, ResponseReturnValue, flash, redirect, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from frontdesk.accounts.models import User
from frontdesk.cases.attachments import ALLOWED_EXTENSIONS, MAX_BYTES
from frontdesk.errors import Conflict, FrontdeskError, Invalid
from frontdesk.web.api.attachments import UploadResult, form_too_large, upload_form
from frontdesk.web.api.cases import CaseListQuery, case_detail, case_feed, case_list
from frontdesk.web.auth import current_user, require_user
from frontdesk.web.context import services
from frontdesk.web.errors import render_error
from frontdesk.web.validation import parse

blueprint = Blueprint("cases_pages", __name__)
# The "Add files" form's own blueprint, inside this one, for its own 413 handler (below).
files_blueprint = Blueprint("files", __name__)

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
# What the "Add files" section states and its file input accepts: the rules the server
# checks (cases/attachments.py).
FILE_RULES = {"max_mb": MAX_BYTES // (1024 * 1024), "extensions": ALLOWED_EXTENSIONS}


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
    page = await render_template(template, case=case, feed=feed, file_rules=FILE_RULES, **context)
    return page, status


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


@files_blueprint.post("/my-cases/<string:number>/attachments")
@require_user()
async def attach(number: str) -> ResponseReturnValue:
    """The "Add files" form: each file attached or refused on its own, as by the API's form
    upload; back to the case saying what was attached, or the page again with each
    refusal at the file input (what was attached beside them is kept)."""
    order = feed_order(await request.form)
    try:
        results = await upload_form(me(), number)
    except (Invalid, Conflict) as error:  # no file chosen, or the case is closed
        return await files_refused(number, error, order)
    return await files_answered(number, results, order)


async def files_answered(
    number: str, results: list[UploadResult], order: str
) -> ResponseReturnValue:
    attached = [result.name for result in results if result.accepted]
    if attached:
        await flash(attached_notice(attached))
    refused = [result.error.message for result in results if result.error is not None]
    if not refused:
        return redirect(f"/my-cases/{number}?order={order}#add-files")
    title = "That file was not attached" if len(refused) == 1 else "Some files were not attached"
    return await files_refused(number, Invalid(title), order, refused)


def attached_notice(names: list[str]) -> str:
    if len(names) == 1:
        return f"{names[0]} was attached to this case."
    return f"{len(names)} files were attached to this case: {', '.join(names)}."


async def files_refused(
    number: str, error: FrontdeskError, order: str = "newest", messages: list[str] | None = None
) -> tuple[str, int]:
    file_errors = messages or list(error.fields.values())
    return await render_case(
        "cases/detail.html", number, error.status, order=order, error=error,
        file_errors=file_errors,
    )  # fmt: skip


@files_blueprint.errorhandler(RequestEntityTooLarge)
async def attach_too_large(_: RequestEntityTooLarge) -> ResponseReturnValue:
    """A form past MAX_CONTENT_LENGTH is refused by the CSRF check, which reads the form,
    before `attach` runs: the page again, saying so at the file input. Nothing was read
    or kept, so showing the page (to its own customer only) needs no CSRF token."""
    number = str((request.view_args or {}).get("number", ""))
    try:
        return await require_user()(files_refused)(number, form_too_large())
    except FrontdeskError as error:  # signed out, or another's case: as `attach` answers
        return await render_error(error)


blueprint.register_blueprint(files_blueprint)
