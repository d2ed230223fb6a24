"""Cases API: the customer's cases, the activity feed, comments, likes, staff work
(internal notes among it)."""

from __future__ import annotations

from datetime import datetime
from math import ceil
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint, ResponseReturnValue
from quart_schema import tag, validate_querystring, validate_request, validate_response

from frontdesk.accounts.models import STAFF as STAFF_ROLES
from frontdesk.accounts.models import User
from frontdesk.business_hours import uk_datetime
from frontdesk.cases.actions import STAFF_ONLY_KINDS, SYSTEM
from frontdesk.cases.finding import MAX_PAGE
from frontdesk.cases.models import Activity, ActivityKind, Case, CasePage, Comment, Status
from frontdesk.web.auth import current_user, require_user
from frontdesk.web.context import services

blueprint = Blueprint("cases_api", __name__, url_prefix="/api/v1")

STAFF = tuple(sorted(STAFF_ROLES))  # require_user(*STAFF)
DEFAULT_PAGE_SIZE = 20
# A customer's cases shown beside one of them; the list says how many more there are.
CUSTOMER_CASES = 20


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseListQuery(_In):
    sort: str = "created_at"
    direction: Literal["asc", "desc"] = "desc"
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    page_size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=100)


class QueueListQuery(_In):
    queue: str | None = None
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    page_size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=100)


class FeedQuery(_In):
    order: Literal["newest", "oldest"] = "newest"


class CommentIn(_In):
    body: str = Field(max_length=10_000)


class StatusIn(_In):
    status: Status
    reason: str | None = Field(default=None, max_length=1_000)


class CallIn(_In):
    notes: str = Field(max_length=10_000)


class NoteIn(_In):
    body: str = Field(
        max_length=10_000, description="The note; staff only, never shown to the customer"
    )


class QueueIn(_In):
    queue: str = Field(max_length=200)


class QueuesOut(BaseModel):
    queues: list[str]
    mine: list[str]


# What goes out: the API's shapes, which the pages render too --------------------------------

PREVIEW_CHARS = 280
WEEK_SECONDS = 7 * 86_400
SUMMARIES = {
    ActivityKind.CREATED: "created this case.",
    ActivityKind.FIELD_CHANGED: "updated this record.",
    ActivityKind.COMMENT: "commented.",
    ActivityKind.REPLY: "replied.",
    ActivityKind.ATTACHMENT: "added an attachment.",
    ActivityKind.CALL_LOGGED: "logged a call.",
    ActivityKind.CHAT_TRANSCRIPT: "saved a chat transcript.",
    ActivityKind.MESSAGE: "sent a message.",
    ActivityKind.CHAT_ACTION: "acted on a chat (staff only).",
    ActivityKind.NOTE: "added an internal note.",
    ActivityKind.ASSIGNMENT: "changed who works this case (staff only).",
    ActivityKind.RATING: "rated our service (staff only).",
}


def summary_of(item: Activity) -> str:
    """What the item says happened, after who did it: the guide's words for what people
    did ("created this case."), plain words for what the system did ("routed this case
    to the Exams Officers queue."), never "updated this record." said for the system."""
    if item.actor_role != SYSTEM.role:
        return SUMMARIES[item.kind]
    data = item.data
    due = ""
    if data.get("reply_by"):
        reply_by = uk_datetime(datetime.fromisoformat(data["reply_by"]))
        due = f"; a reply by email is due by {reply_by} (UK time)"
    field = data.get("field") if item.kind is ActivityKind.FIELD_CHANGED else None
    if field == "Case Owner":
        return f"routed this case to the {data['to']} queue{due}."
    if field == "Contact by":
        return f"made this a message case{due}."
    if field == "Status":
        return f"set the status to {data['to']}."
    if item.kind is ActivityKind.CHAT_TRANSCRIPT:
        return "added the chat's transcript."
    return SUMMARIES[item.kind]


def ago(at: datetime, now: datetime) -> str:
    """ "11m ago" style: how long before `now`; the date itself after a week."""
    seconds = max(int((now - at).total_seconds()), 0)
    if seconds >= WEEK_SECONDS:
        return uk_datetime(at)[:10]
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


class _Stamped(BaseModel):
    created_at: datetime
    created_uk: str
    created_ago: str


_STAMP_FIELDS = set(_Stamped.model_fields)


def _stamp(at: datetime, now: datetime) -> dict[str, object]:
    return {"created_at": at, "created_uk": uk_datetime(at), "created_ago": ago(at, now)}


class CaseSummaryOut(_Stamped):
    number: str
    subject: str
    preview: str
    channel: str
    channel_label: str
    status: Status
    status_label: str
    owner_queue: str
    updated_at: datetime
    reply_by: datetime
    reply_by_uk: str
    breached: bool

    @classmethod
    def of(cls, case: Case, now: datetime) -> Self:
        preview = case.description
        if len(preview) > PREVIEW_CHARS:
            preview = preview[: PREVIEW_CHARS - 1].rstrip() + "…"
        return cls(
            **_stamp(case.created_at, now), **_case_fields(case), preview=preview,
            channel_label=case.channel.value.title(), status_label=case.status.label,
            reply_by_uk=uk_datetime(case.reply_by), breached=case.is_breached(now),
        )  # fmt: skip


class CaseDetailOut(CaseSummaryOut):
    description: str
    description_block: str
    waiting_reason: str | None
    contact_name: str
    contact_email: str
    phone: str
    closed_at: datetime | None
    closed_uk: str
    closed_reason: str | None

    @classmethod
    def of(cls, case: Case, now: datetime) -> Self:
        summary = CaseSummaryOut.of(case, now).model_dump()
        return cls(
            **summary, **_case_fields(case, set(cls.model_fields) - set(summary)),
            description_block=case.description_block(), closed_uk=uk_datetime(case.closed_at),
            contact_name=f"{case.contact_first_name} {case.contact_last_name}",
        )  # fmt: skip


def _case_fields(case: Case, names: set[str] | None = None) -> dict[str, object]:
    wanted = names if names is not None else set(CaseSummaryOut.model_fields) - _STAMP_FIELDS
    return {name: value for name, value in case.model_dump().items() if name in wanted}


class CaseListOut(BaseModel):
    items: list[CaseSummaryOut]
    total: int
    page: int
    page_size: int
    pages: int


def case_list(found: CasePage, now: datetime) -> CaseListOut:
    return CaseListOut(
        items=[CaseSummaryOut.of(case, now) for case in found.cases], total=found.total,
        page=found.page, page_size=found.page_size,
        pages=max(ceil(found.total / found.page_size), 1),
    )  # fmt: skip


class CommentOut(_Stamped):
    id: int
    author_name: str
    author_role: str
    body: str

    @classmethod
    def of(cls, comment: Comment, now: datetime) -> Self:
        return cls(**_stamp(comment.created_at, now), **comment.model_dump(exclude={"created_at"}))


class ChangeOut(BaseModel):
    field: str
    old: str | None
    new: str


class AttachmentLinkOut(BaseModel):
    id: int
    name: str
    size: int
    url: str


class ActivityOut(_Stamped):
    id: int
    kind: ActivityKind
    actor_name: str
    actor_role: str
    # Done by the desk itself (routing, reply-by, a transcript filed), not a person: its
    # `summary` then says what happened, and `change` only repeats it.
    system: bool
    summary: str
    body: str
    change: ChangeOut | None
    reason: str | None
    wrap_up: str | None  # a chat's wrap-up note, for staff only (absent for customers)
    # An item only staff are ever given (an internal note, a supervisor's chat action).
    staff_only: bool
    attachment: AttachmentLinkOut | None
    likes: int
    liked_by_me: bool
    comments: list[CommentOut]

    @classmethod
    def of(cls, item: Activity, number: str, now: datetime) -> Self:
        data = item.data
        change = None
        if "field" in data:
            change = ChangeOut(field=data["field"], old=data.get("from"), new=data["to"])
        attachment = None
        if "attachment_id" in data:
            url = f"/api/v1/cases/{number}/attachments/{data['attachment_id']}"
            attachment = AttachmentLinkOut(
                id=data["attachment_id"], name=item.body, size=data.get("size", 0), url=url
            )
        return cls(
            **_stamp(item.created_at, now), **item.model_dump(include=_ACTIVITY_FIELDS),
            system=item.actor_role == SYSTEM.role, summary=summary_of(item), change=change,
            reason=data.get("reason") or None,
            wrap_up=data.get("wrap_up") or None, staff_only=item.kind in STAFF_ONLY_KINDS,
            attachment=attachment, comments=[CommentOut.of(c, now) for c in item.comments],
        )  # fmt: skip


_ACTIVITY_FIELDS = {"id", "kind", "actor_name", "actor_role", "body", "likes", "liked_by_me"}


class FeedOut(BaseModel):
    number: str
    order: Literal["newest", "oldest"]
    items: list[ActivityOut]


def _me() -> User:
    user = current_user()
    assert user is not None  # require_user ran first
    return user


async def case_detail(user: User, number: str) -> CaseDetailOut:
    case = await services().cases.access_case(user, number)
    return CaseDetailOut.of(case, services().clock.now())


async def case_feed(user: User, number: str, order: str) -> FeedOut:
    newest = order != "oldest"
    items = await services().cases.feed(user, number, newest_first=newest)
    now = services().clock.now()
    return FeedOut(
        number=number, order="newest" if newest else "oldest",
        items=[ActivityOut.of(item, number, now) for item in items],
    )  # fmt: skip


# Customers (and staff) --------------------------------------------------------------------


@blueprint.get("/cases")
@tag(["cases"])
@require_user()
@validate_querystring(CaseListQuery)
@validate_response(CaseListOut)
async def list_my_cases(query_args: CaseListQuery) -> CaseListOut:
    """The signed-in customer's own cases, one page, sorted by any column."""
    found = await services().cases.list_my_cases(
        _me(), sort=query_args.sort, descending=query_args.direction == "desc",
        page=query_args.page, page_size=query_args.page_size,
    )  # fmt: skip
    return case_list(found, services().clock.now())


@blueprint.get("/cases/<number>")
@tag(["cases"])
@require_user()
@validate_response(CaseDetailOut)
async def get_case(number: str) -> CaseDetailOut:
    """One case with its description block; another customer's case is 404."""
    return await case_detail(_me(), number)


@blueprint.get("/cases/<number>/feed")
@tag(["cases"])
@require_user()
@validate_querystring(FeedQuery)
@validate_response(FeedOut)
async def get_feed(number: str, query_args: FeedQuery) -> FeedOut:
    """The case's activity, newest or oldest first, with likes and comments."""
    return await case_feed(_me(), number, query_args.order)


@blueprint.post("/cases/<string:number>/activities/<int:activity_id>/comments")
@tag(["cases"])
@require_user()
@validate_request(CommentIn)
@validate_response(ActivityOut, 201)
async def add_comment(number: str, activity_id: int, data: CommentIn) -> tuple[ActivityOut, int]:
    """Comment on an activity; a customer's comment answers a Waiting on Customer case."""
    await services().cases.comment(_me(), number, activity_id, data.body)
    feed = await case_feed(_me(), number, "newest")
    return next(item for item in feed.items if item.id == activity_id), 201


@blueprint.put("/cases/<string:number>/activities/<int:activity_id>/like")
@tag(["cases"])
@require_user()
async def like(number: str, activity_id: int) -> ResponseReturnValue:
    """Like an activity; liking twice is the same as once."""
    await services().cases.like(_me(), number, activity_id, True)
    return "", 204


@blueprint.delete("/cases/<string:number>/activities/<int:activity_id>/like")
@tag(["cases"])
@require_user()
async def unlike(number: str, activity_id: int) -> ResponseReturnValue:
    await services().cases.like(_me(), number, activity_id, False)
    return "", 204


# Staff ------------------------------------------------------------------------------------


@blueprint.get("/agent/queues")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_response(QueuesOut)
async def list_queues() -> QueuesOut:
    """Every queue cases can be in, and the ones I serve."""
    cases = services().cases
    return QueuesOut(queues=services().intake.queues(), mine=await cases.agent_queues(_me()))


@blueprint.post("/cases/<number>/replies")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_request(CommentIn)
@validate_response(CaseDetailOut, 201)
async def reply(number: str, data: CommentIn) -> tuple[CaseDetailOut, int]:
    """Answer the customer: the reply goes into the feed and by email."""
    await services().case_work.reply(_me(), number, data.body)
    return await case_detail(_me(), number), 201


@blueprint.post("/cases/<number>/status")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_request(StatusIn)
@validate_response(CaseDetailOut)
async def change_status(number: str, data: StatusIn) -> CaseDetailOut:
    """Set the status; Waiting on Customer needs a reason."""
    await services().case_work.change_status(_me(), number, data.status, data.reason)
    return await case_detail(_me(), number)


@blueprint.post("/cases/<number>/calls")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_request(CallIn)
@validate_response(CaseDetailOut, 201)
async def log_call(number: str, data: CallIn) -> tuple[CaseDetailOut, int]:
    """Log a call on a call-us case."""
    await services().case_work.log_call(_me(), number, data.notes)
    return await case_detail(_me(), number), 201


@blueprint.post("/cases/<number>/notes")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_request(NoteIn)
@validate_response(ActivityOut, 201)
async def add_note(number: str, data: NoteIn) -> tuple[ActivityOut, int]:
    """Add an internal note: staff only, on a case of any status; never shown to the
    customer, never emailed, and the case's updated time stays."""
    note_id = await services().case_work.add_note(_me(), number, data.body)
    feed = await case_feed(_me(), number, "newest")
    return next(item for item in feed.items if item.id == note_id), 201


@blueprint.post("/cases/<number>/queue")
@tag(["agent"])
@require_user(*STAFF, hidden=True)
@validate_request(QueueIn)
@validate_response(CaseDetailOut)
async def move_case(number: str, data: QueueIn) -> CaseDetailOut:
    """Move the case to another queue (its Case Owner)."""
    await services().case_work.move_case(_me(), number, data.queue)
    return await case_detail(_me(), number)
