"""Canned replies in the API: the current agent's own and the shared ones, written,
changed and deleted, and filled in for a case; and the articles that fit a case.

Placeholders a reply may hold (any other `{name}` is refused when saved, 422):
`{customer_first_name}`, `{case_number}`, `{agent_name}`, `{group_hours}`."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint, ResponseReturnValue
from quart_schema import tag, validate_querystring, validate_request, validate_response

from frontdesk.accounts.models import User
from frontdesk.kb.models import ForYouIn
from frontdesk.replies.models import CannedReply, ReplyIn, Scope
from frontdesk.replies.placeholders import PLACEHOLDERS
from frontdesk.replies.service import may_edit
from frontdesk.web.api.cases import STAFF, _me
from frontdesk.web.api.kb import ArticleListOut, ArticleOut
from frontdesk.web.auth import require_user
from frontdesk.web.context import services

blueprint = Blueprint("replies_api", __name__, url_prefix="/api/v1")


class ReplyOut(BaseModel):
    """A canned reply; `editable` says whether you may change or delete it."""

    id: int
    scope: Scope
    customer_group: str | None
    customer_group_name: str
    shortcut: str
    title: str
    body: str
    editable: bool
    updated_at: datetime

    @classmethod
    def of(cls, reply: CannedReply, me: User, names: dict[str, str]) -> Self:
        group = reply.customer_group
        return cls(
            id=reply.id, scope=reply.scope, customer_group=group,
            customer_group_name=names.get(group, group) if group else "All groups",
            shortcut=reply.shortcut, title=reply.title, body=reply.body,
            editable=may_edit(me, reply), updated_at=reply.updated_at,
        )  # fmt: skip


class ReplyListOut(BaseModel):
    items: list[ReplyOut]
    # Placeholder -> what it becomes: for the people who write replies.
    placeholders: dict[str, str]


class ReplyListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # A customer group: its shared replies and those for every group. Or a case (a
    # chat's, the one being answered): the same for the case's group.
    group: str | None = Field(default=None, max_length=100)
    case: str | None = Field(default=None, max_length=20)
    q: str = Field(default="", max_length=100)


class RenderQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    case: str = Field(min_length=1, max_length=20)


class RenderedOut(BaseModel):
    text: str


def reply_out(reply: CannedReply) -> ReplyOut:
    return ReplyOut.of(reply, _me(), services().replies.group_names())


@blueprint.get("/canned-replies")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_querystring(ReplyListQuery)
@validate_response(ReplyListOut)
async def list_replies(query_args: ReplyListQuery) -> ReplyListOut:
    """Your own replies and the shared ones (with `group`, or `case`, only those for that
    customer group or for all), whose shortcut or title holds `q`; by shortcut."""
    replies, words = services().replies, query_args.q
    if query_args.case:
        found = await replies.list_for_case(_me(), query_args.case, words)
    else:
        found = await replies.list_for(_me(), group=query_args.group or None, words=words)
    return ReplyListOut(items=[reply_out(r) for r in found], placeholders=PLACEHOLDERS)


@blueprint.post("/canned-replies")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_request(ReplyIn)
@validate_response(ReplyOut, 201)
async def create_reply(data: ReplyIn) -> tuple[ReplyOut, int]:
    """A reply of your own (`personal`), or for supervisors and admins a `shared` one,
    for one customer group or (`customer_group` null) for all."""
    return reply_out(await services().replies.create(_me(), data)), 201


@blueprint.get("/canned-replies/<int:reply_id>")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_response(ReplyOut)
async def get_reply(reply_id: int) -> ReplyOut:
    """A shared reply, or one of your own; anyone else's is 404."""
    return reply_out(await services().replies.access_reply(_me(), reply_id))


@blueprint.put("/canned-replies/<int:reply_id>")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_request(ReplyIn)
@validate_response(ReplyOut)
async def change_reply(reply_id: int, data: ReplyIn) -> ReplyOut:
    """Change one of your own replies, or (supervisors and admins) a shared one. Its
    scope stays as it was."""
    return reply_out(await services().replies.change(_me(), reply_id, data))


@blueprint.delete("/canned-replies/<int:reply_id>")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
async def delete_reply(reply_id: int) -> ResponseReturnValue:
    await services().replies.remove(_me(), reply_id)
    return "", 204


@blueprint.get("/canned-replies/<int:reply_id>/rendered")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_querystring(RenderQuery)
@validate_response(RenderedOut)
async def render_reply(reply_id: int, query_args: RenderQuery) -> RenderedOut:
    """The reply's text with its placeholders filled in for case `case` (a chat's case,
    or the case being answered)."""
    text = await services().replies.render(_me(), reply_id, query_args.case)
    return RenderedOut(text=text)


@blueprint.get("/cases/<number>/articles")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_response(ArticleListOut)
async def case_articles(number: str) -> ArticleListOut:
    """Articles just for this case: those that best fit its Contact Us choices, as the
    customer was shown them beside the form."""
    case = await services().cases.access_case(_me(), number)
    choices = ForYouIn.model_validate(case.model_dump(include=set(ForYouIn.model_fields)))
    rows = await services().kb.for_you(choices)
    return ArticleListOut(items=[ArticleOut.of(row) for row in rows])
