"""Case rules for the customer's side: open a case from Contact Us, read cases (only your
own), list them, and like or comment on their activity.

Every case is loaded for someone through `actions.access_case`: another customer's case
is NotFound, never Forbidden, so its existence is not revealed. Staff work on cases is
cases/staff.py; attachments are cases/uploads.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.accounts.models import STAFF, Role, User
from frontdesk.cases import actions, emails, search_store, store
from frontdesk.cases.actions import SYSTEM, Actor
from frontdesk.cases.models import (
    Activity,
    ActivityKind,
    Case,
    CaseOpen,
    CasePage,
    Channel,
    ContactDetails,
    CustomerHistory,
    Status,
)
from frontdesk.cases.numbers import new_case_number
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.errors import Code, Conflict, Forbidden, Invalid, NotFound
from frontdesk.intake.options import SupportOptions
from frontdesk.intake.service import IntakeService
from frontdesk.intake.taxonomy import Choice, Routing
from frontdesk.mail import queue_mail

NUMBER_ATTEMPTS = 8
# A subject fits its column (300) and, after "Re: your case 12345678: ", an email's
# subject line (outbox.subject, 255).
SUBJECT_LENGTH = 200
MAX_PAGE_SIZE = 100
MAX_TEXT_LENGTH = 10_000
# A customer's recent chats, counted beside their cases for staff.
RECENT_CHATS_DAYS = 30


class CaseService:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        intake: IntakeService,
        *,
        organisation: str,
        mail_queued: Callable[[], None] = lambda: None,
        changed: Callable[[], None] = lambda: None,
        public_url: str,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._intake = intake
        # A new case is the organisation's until routing gives it to a queue (the guide's
        # "Case Owner: <organisation> to <queue>").
        self._organisation = organisation
        self._public_url = public_url  # links in emails start with it
        self._mail_queued = mail_queued
        # Told after a commit that changed a case's queue, status or reply-by (the board).
        self._changed = changed

    # Opening -----------------------------------------------------------------------------

    async def previous_contact(self, customer: User) -> dict[str, Any]:
        """Step 2's fields as the customer last gave them, or from their account."""
        async with reading(self._engine) as conn:
            found = await store.select_contact_profile(conn, customer.id)
        return found or {
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "email": customer.email,
        }

    async def open_case(self, customer: User, data: CaseOpen) -> Case:
        if customer.role is not Role.CUSTOMER:
            raise Forbidden("Only customers open cases through Contact Us")
        routing = self._intake.routing(data.choice)
        options = self._intake.options_for(routing)
        if data.channel is Channel.CHAT and not options.chat_open:
            raise Conflict(options.chat_reason or "Chat is closed", code=Code.CHAT_UNAVAILABLE)
        now = self._clock.now()
        actor = Actor.of(customer)
        async with transaction(self._engine) as conn:
            await self._intake.human_check.spend(conn, data.human_check, now)
            case_id = await self._insert_case(conn, customer, data, routing, options, now)
            await actions.log_activity(conn, case_id, actor, ActivityKind.CREATED, now)
            await actions.log_routing(
                conn, case_id, self._organisation, routing.owner_queue, data.channel, options, now
            )
            await store.upsert_contact_profile(conn, customer.id, data.contact.model_dump(), now)
            case = await actions.case_by_id(conn, case_id)
            email = emails.case_opened(
                case, self._public_url, options.phone_hours, options.call_deadline
            )
            await queue_mail(conn, to=case.contact_email, email=email, now=now)
        self._mail_queued()
        self._changed()
        return case

    async def _insert_case(
        self,
        conn: AsyncConnection,
        customer: User,
        data: CaseOpen,
        routing: Routing,
        options: SupportOptions,
        now: datetime,
    ) -> int:
        contact: ContactDetails = data.contact
        choice = data.choice
        values = {
            "customer_id": customer.id,
            "subject": _subject(choice),
            "description": data.description,
            **{f"contact_{key}": value for key, value in contact.model_dump().items()},
            **choice.model_dump(),
            "customer_group": routing.group_key,
            "channel": data.channel.value,
            "status": Status.NEW.value,
            "owner_queue": routing.owner_queue,
            "reply_days": routing.reply_days,
            "reply_by": options.reply_by,
            "phone": routing.phone,
            "call_by": options.call_by if data.channel is Channel.CALL else None,
            "created_at": now,
            "updated_at": now,
        }
        for _ in range(NUMBER_ATTEMPTS):
            try:
                async with conn.begin_nested():
                    return await store.insert_case(conn, {**values, "number": new_case_number()})
            except IntegrityError:
                continue  # the number was taken: draw another
        raise Conflict("Could not allocate a case number; please try again")

    # Reading -----------------------------------------------------------------------------

    async def access_case(self, actor: User, number: str) -> Case:
        async with reading(self._engine) as conn:
            return await actions.access_case(conn, actor, number)

    async def list_my_cases(
        self, customer: User, *, sort: str, descending: bool, page: int, page_size: int
    ) -> CasePage:
        return await self._page(
            customer_id=customer.id, sort=sort, descending=descending, page=page,
            page_size=page_size,
        )  # fmt: skip

    async def list_queue_cases(
        self,
        agent: User,
        *,
        page: int,
        page_size: int,
        include_closed: bool = False,
        queue: str | None = None,
    ) -> CasePage:
        """Cases of the queues `agent` serves (or of `queue`), soonest reply-by first."""
        require_staff(agent)
        if queue is not None and queue not in self._intake.queues():
            raise Invalid("Choose a queue from the list", fields={"queue": "Unknown queue"})
        async with reading(self._engine) as conn:
            queues = [queue] if queue else await store.select_agent_queues(conn, agent.id)
        statuses = (
            None if include_closed else [Status.NEW, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER]
        )
        return await self._page(
            queues=queues or None, statuses=statuses, sort="reply_by", descending=False,
            page=page, page_size=page_size, names=True,
        )  # fmt: skip

    async def customer_history(
        self, staff: User, number: str, *, page_size: int
    ) -> CustomerHistory:
        """Every case of the customer whose case `number` is, newest first, and how many
        chats they opened in the last RECENT_CHATS_DAYS (by the clock: one opened exactly
        that long ago counts): for staff, so a customer's history is one click from any
        of their cases and chats."""
        require_staff(staff)
        case = await self.access_case(staff, number)
        page = await self._page(
            customer_id=case.customer_id, sort="created_at", descending=True, page=1,
            page_size=page_size, names=True,
        )  # fmt: skip
        since = self._clock.now() - timedelta(days=RECENT_CHATS_DAYS)
        async with reading(self._engine) as conn:
            recent = await store.count_customer_cases(
                conn, case.customer_id, channel=Channel.CHAT, created_since=since
            )
        return CustomerHistory(page=page, recent_chats=recent, chats_since=since)

    async def _page(
        self, *, page: int, page_size: int, names: bool = False, **filters: Any
    ) -> CasePage:
        """A page of cases; with `names` (for staff), their assigned agents' names."""
        if filters.get("sort") not in store.SORTABLE:
            raise Invalid("Cases cannot be sorted that way", fields={"sort": "Unknown column"})
        page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
        async with reading(self._engine) as conn:
            found, total = await store.select_cases(
                conn, offset=(page - 1) * page_size, limit=page_size, **filters
            )
            assigned = [c.assigned_agent_id for c in found if c.assigned_agent_id is not None]
            agents = await search_store.select_staff_names(conn, assigned) if names else {}
        return CasePage(
            cases=found, total=total, page=page, page_size=page_size, agent_names=agents
        )

    async def feed(self, actor: User, number: str, *, newest_first: bool = True) -> list[Activity]:
        async with reading(self._engine) as conn:
            case = await actions.access_case(conn, actor, number)
            return await actions.feed_of(conn, case.id, actor, newest_first=newest_first)

    async def agent_queues(self, agent: User) -> list[str]:
        async with reading(self._engine) as conn:
            return await store.select_agent_queues(conn, agent.id)

    def is_breached(self, case: Case) -> bool:
        return case.is_breached(self._clock.now())

    # Feed: comments and likes ------------------------------------------------------------

    async def comment(self, actor: User, number: str, activity_id: int, body: str) -> None:
        body = required_text(body, "comment")
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            case = await actions.access_case(conn, actor, number)
            kind = await _activity_of(conn, case, activity_id, actor)
            await store.insert_comment(
                conn, activity_id=activity_id, author_id=actor.id,
                author_name=actor.display_name, author_role=actions.role_label(actor),
                body=body, now=now,
            )  # fmt: skip
            # Staff talking under an internal note is no news to the customer: their
            # case's "updated" time stays (see CaseWork.add_note).
            if kind not in actions.STAFF_ONLY_KINDS:
                await store.update_case(conn, case.id, updated_at=now)
            # The desk moves the case on, not the customer: the feed says the system did.
            if actor.role is Role.CUSTOMER and case.status is Status.WAITING_ON_CUSTOMER:
                await actions.set_status(conn, case, SYSTEM, Status.IN_PROGRESS, None, now)

    async def like(self, actor: User, number: str, activity_id: int, liked: bool) -> None:
        async with transaction(self._engine) as conn:
            case = await actions.access_case(conn, actor, number)
            await _activity_of(conn, case, activity_id, actor)
            await store.set_like(conn, activity_id, actor.id, liked, self._clock.now())


async def _activity_of(
    conn: AsyncConnection, case: Case, activity_id: int, viewer: User
) -> ActivityKind:
    """The kind of an activity on `case` that `viewer` can see. A staff-only item (an
    internal note) is NotFound for a customer, as if it were not there."""
    place = await store.select_activity_place(conn, activity_id)
    if place is None or place[0] != case.id or not actions.shown_to(viewer, place[1]):
        raise NotFound("That activity is not on this case", code=Code.ACTIVITY_NOT_FOUND)
    return place[1]


def require_staff(user: User) -> None:
    if user.role not in STAFF:
        raise Forbidden("Only support staff can do this")


def _subject(choice: Choice) -> str:
    """ "Missing Results (GCSE Mathematics)"; cut to SUBJECT_LENGTH, which three long
    taxonomy names (up to 200 characters each) could pass."""
    text = f"{choice.subcategory} ({choice.qualification} {choice.qualification_subject})"
    return text if len(text) <= SUBJECT_LENGTH else text[: SUBJECT_LENGTH - 1] + "…"


def required_text(value: str, what: str, field: str = "body") -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"Write a {what} first", fields={field: f"Write a {what} first"})
    if len(value) > MAX_TEXT_LENGTH:
        raise Invalid(f"The {what} is too long", fields={field: "At most 10,000 characters"})
    return value
