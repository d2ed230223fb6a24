"""Community discussions: the thread list, a thread, and the forms to start a thread,
reply, and (staff) mark the answer. Reading needs no sign-in; the rules live in
frontdesk.kb.community."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from quart import Blueprint, ResponseReturnValue, redirect, render_template, request

from frontdesk.accounts.models import STAFF, User
from frontdesk.business_hours import UK, uk_datetime
from frontdesk.errors import Invalid, field_errors
from frontdesk.kb.models import PostIn, ReplyPostIn
from frontdesk.web.auth import current_user, require_user
from frontdesk.web.context import services
from frontdesk.web.errors import wants_json
from frontdesk.web.validation import parse

blueprint = Blueprint("community_pages", __name__)
TEMPLATES = "kb/community"
M = TypeVar("M", bound=BaseModel)
POST_LABELS = {
    "title": ("The title", "Give your discussion a title"),
    "body": ("Your question", "Write your question"),
}
REPLY_LABELS = {"body": ("Your reply", "Write your reply")}


class AnswerForm(BaseModel):
    """The reply to mark as the answer; empty clears the mark."""

    model_config = ConfigDict(extra="ignore")

    reply_id: int | None = None

    @field_validator("reply_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


def checked(model: type[M], data: dict[str, str], labels: dict[str, tuple[str, str]]) -> M:
    """`data` as `model`, or Invalid saying what each field misses. `labels` names each
    field: (its label, what to say when it is empty)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields = field_errors(error)
        for item in error.errors():
            name, limits = str(item["loc"][0]), item.get("ctx", {})
            label, when_empty = labels[name]
            if fields.get(name) == "This field is required":
                fields[name] = when_empty
            elif item["type"] == "string_too_short":
                fields[name] = f"{label} needs at least {limits['min_length']} characters"
            elif item["type"] == "string_too_long":
                fields[name] = f"{label} can have at most {limits['max_length']:,} characters"
        raise Invalid("Please correct the highlighted fields", fields=fields) from None


def uk_date(at: datetime) -> str:
    return at.astimezone(UK).strftime("%d/%m/%Y")


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {"uk_date": uk_date, "uk_datetime": uk_datetime}


def thread_path(slug: str) -> str:
    return f"/community/{slug}"


def sign_in_path(back: str) -> str:
    return "/sign-in?" + urlencode({"next": back})


async def _form() -> dict[str, str]:
    form = await request.form
    return {key: value for key, value in form.items() if key != "csrf_token"}


def _page_number() -> int:
    value = request.args.get("page", "1")
    # ASCII digits only ("²".isdigit() too), and few: int() refuses 4,300 of them.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else 1


async def _thread_page(slug: str, status: int = 200, /, **context: Any) -> ResponseReturnValue:
    thread = await services().community.discussion(slug)
    user = current_user()
    return await render_template(
        f"{TEMPLATES}/thread.html", thread=thread, is_staff=bool(user and user.role in STAFF),
        sign_in_url=sign_in_path(thread_path(slug)), form=context.pop("form", {}), **context,
    ), status  # fmt: skip


def signed_in_for_thread(
    handler: Callable[..., Awaitable[ResponseReturnValue]],
) -> Callable[..., Awaitable[ResponseReturnValue]]:
    """Like require_user, but a signed-out visitor comes back to the thread after signing
    in, not to a form's POST address."""

    @wraps(handler)
    async def guarded(slug: str) -> ResponseReturnValue:
        if current_user() is None and not wants_json():
            return redirect(sign_in_path(thread_path(slug)))
        return await require_user()(handler)(slug)

    return guarded


def _me() -> User:
    user = current_user()
    assert user is not None  # require_user ran first
    return user


@blueprint.get("/community")
async def threads() -> ResponseReturnValue:
    rows, page, pages = await services().community.discussions(_page_number())
    return await render_template(f"{TEMPLATES}/list.html", rows=rows, page=page, pages=pages)


@blueprint.route("/community/new", methods=["GET", "POST"])
@require_user()
async def new_thread() -> ResponseReturnValue:
    if request.method == "GET":
        return await render_template(f"{TEMPLATES}/new.html", form={})
    form = await _form()
    try:
        data = {"title": form.get("title", ""), "body": form.get("body", "")}
        post = checked(PostIn, data, POST_LABELS)
        thread = await services().community.post_discussion(_me(), post)
    except Invalid as error:
        page = await render_template(f"{TEMPLATES}/new.html", form=form, error=error)
        return page, error.status
    return redirect(thread_path(thread.slug))


@blueprint.get("/community/<slug>")
async def thread(slug: str) -> ResponseReturnValue:
    return await _thread_page(slug)


@blueprint.post("/community/<slug>/replies")
@signed_in_for_thread
async def reply(slug: str) -> ResponseReturnValue:
    form = await _form()
    try:
        post = checked(ReplyPostIn, {"body": form.get("body", "")}, REPLY_LABELS)
        added = await services().community.reply(_me(), slug, post)
    except Invalid as error:
        return await _thread_page(slug, error.status, form=form, error=error)
    return redirect(f"{thread_path(slug)}#reply-{added.id}")


@blueprint.post("/community/<slug>/answer")
@signed_in_for_thread
async def mark_answer(slug: str) -> ResponseReturnValue:
    choice = parse(AnswerForm, await _form())
    await services().community.mark_answer(_me(), slug, choice.reply_id)
    anchor = f"#reply-{choice.reply_id}" if choice.reply_id else "#replies"
    return redirect(thread_path(slug) + anchor)
