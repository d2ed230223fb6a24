"""Case rules: open a case from Contact Us, read it (only your own), work it as staff.

`access_case` is the only way to load a case for someone: another customer's case is
NotFound, never Forbidden, so its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.accounts.models import STAFF, Role, User
from frontdesk.business_hours import BusinessCalendar, uk_datetime
from frontdesk.cases import emails, store
from frontdesk.cases.attachments import AttachmentFiles
from frontdesk.cases.models import (
    Activity,
    ActivityKind,
    Attachment,
    Case,
    CaseOpen,
    CasePage,
    Channel,
    ContactDetails,
    Status,
)
from frontdesk.cases.numbers import new_case_number
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.errors import Conflict, Forbidden, Invalid, NotFound
from frontdesk.intake.human_check import HumanCheck
from frontdesk.intake.options import SupportOptions, support_options
from frontdesk.intake.taxonomy import (
    Choice,
    InvalidChoice,
    Routing,
    Taxonomy,
    TaxonomySource,
    resolve,
)
from frontdesk.mail import queue_mail

CALL_WINDOW = timedelta(hours=24)
CALL_CLOSE_REASON = "No call was logged within 24 hours of the case being opened"
NUMBER_ATTEMPTS = 8
# A status reason is kept as the closing reason too, a 300-character column.
MAX_REASON_LENGTH = 300
# A subject fits its column (300) and, after "Re: your case 12345678: ", an email's
# subject line (outbox.subject, 255).
SUBJECT_LENGTH = 200
MAX_PAGE_SIZE = 100


def _not_found() -> NotFound:
    return NotFound("We could not find that case", code="CASE_NOT_FOUND")


def _role_name(user: User) -> str:
    return "Customer" if user.role is Role.CUSTOMER else user.role.value.title()


class CaseService:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        calendar: BusinessCalendar,
        taxonomy: TaxonomySource,
        human_check: HumanCheck,
        files: AttachmentFiles,
        mail_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._calendar = calendar
        self._taxonomy = taxonomy
        self._human_check = human_check
        self._files = files
        self._mail_queued = mail_queued

    # Contact Us ------------------------------------------------------------------------

    def routing(self, choice: Choice) -> Routing:
        try:
            return resolve(self._taxonomy.current(), choice)
        except InvalidChoice as error:
            field = f"choice.{error.field}"
            raise Invalid(
                error.message, code="INVALID_CHOICE", fields={field: error.message}
            ) from None

    def support_options(self, choice: Choice) -> SupportOptions:
        return support_options(self.routing(choice), self._calendar, self._clock.now())

    def taxonomy(self) -> Taxonomy:
        """The taxonomy as its file is now: what the dropdowns offer."""
        return self._taxonomy.current()

    def human_check_challenge(self) -> dict[str, Any]:
        return self._human_check.challenge(self._clock.now())

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
        routing = self.routing(data.choice)
        now = self._clock.now()
        options = support_options(routing, self._calendar, now)
        if data.channel is Channel.CHAT and not options.chat_open:
            raise Conflict(options.chat_reason or "Chat is closed", code="CHAT_UNAVAILABLE")
        async with transaction(self._engine) as conn:
            await self._human_check.spend(conn, data.human_check, now)
            case_id = await self._insert_case(conn, customer, data, routing, options, now)
            await self._log(conn, case_id, customer, ActivityKind.CREATED, now)
            await self._log(
                conn, case_id, customer, ActivityKind.FIELD_CHANGED, now,
                data={"field": "Case Owner", "from": "Pearson", "to": routing.owner_queue},
            )  # fmt: skip
            await store.upsert_contact_profile(conn, customer.id, data.contact.model_dump(), now)
            case = await store.select_case(conn, case_id)
            assert case is not None
            await self._mail(conn, case.contact_email, *emails.case_opened(case))
        self._mail_queued()
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

    # Reading ---------------------------------------------------------------------------

    async def access_case(self, actor: User, number: str) -> Case:
        async with reading(self._engine) as conn:
            return await self._access(conn, actor, number)

    async def _access(self, conn: AsyncConnection, actor: User, number: str) -> Case:
        case = await store.select_case_by_number(conn, number) if number.isdigit() else None
        if case is None:
            raise _not_found()
        if actor.role is Role.CUSTOMER and case.customer_id != actor.id:
            raise _not_found()
        return case

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
        self._require_staff(agent)
        if queue is not None and queue not in self.queues():
            raise Invalid("Choose a queue from the list", fields={"queue": "Unknown queue"})
        async with reading(self._engine) as conn:
            queues = [queue] if queue else await store.select_agent_queues(conn, agent.id)
        statuses = (
            None if include_closed else [Status.NEW, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER]
        )
        return await self._page(
            queues=queues or None, statuses=statuses, sort="reply_by", descending=False,
            page=page, page_size=page_size,
        )  # fmt: skip

    async def _page(self, *, page: int, page_size: int, **filters: Any) -> CasePage:
        if filters.get("sort") not in store.SORTABLE:
            raise Invalid("Cases cannot be sorted that way", fields={"sort": "Unknown column"})
        page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
        async with reading(self._engine) as conn:
            found, total = await store.select_cases(
                conn, offset=(page - 1) * page_size, limit=page_size, **filters
            )
        return CasePage(cases=found, total=total, page=page, page_size=page_size)

    async def feed(self, actor: User, number: str, *, newest_first: bool = True) -> list[Activity]:
        async with reading(self._engine) as conn:
            case = await self._access(conn, actor, number)
            return await store.select_feed(conn, case.id, actor.id, newest_first=newest_first)

    async def agent_queues(self, agent: User) -> list[str]:
        async with reading(self._engine) as conn:
            return await store.select_agent_queues(conn, agent.id)

    def queues(self) -> list[str]:
        return self._taxonomy.current().queues

    def is_breached(self, case: Case) -> bool:
        return case.is_breached(self._clock.now())

    # Feed: comments and likes ----------------------------------------------------------

    async def comment(self, actor: User, number: str, activity_id: int, body: str) -> None:
        body = _text(body, "comment")
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            case = await self._access(conn, actor, number)
            await self._activity_of(conn, case, activity_id)
            await store.insert_comment(
                conn, activity_id=activity_id, author_id=actor.id,
                author_name=actor.display_name, author_role=_role_name(actor), body=body,
                now=now,
            )  # fmt: skip
            await store.update_case(conn, case.id, updated_at=now)
            if actor.role is Role.CUSTOMER and case.status is Status.WAITING_ON_CUSTOMER:
                await self._set_status(conn, case, actor, Status.IN_PROGRESS, None, now)

    async def like(self, actor: User, number: str, activity_id: int, liked: bool) -> None:
        async with transaction(self._engine) as conn:
            case = await self._access(conn, actor, number)
            await self._activity_of(conn, case, activity_id)
            await store.set_like(conn, activity_id, actor.id, liked, self._clock.now())

    async def _activity_of(self, conn: AsyncConnection, case: Case, activity_id: int) -> None:
        if await store.select_activity_case_id(conn, activity_id) != case.id:
            raise NotFound("That activity is not on this case", code="ACTIVITY_NOT_FOUND")

    # Staff work ------------------------------------------------------------------------

    async def reply(self, agent: User, number: str, body: str) -> None:
        """Answer the customer: into the feed, and by email."""
        self._require_staff(agent)
        body = _text(body, "reply")
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            case = await self._access(conn, agent, number)
            self._require_open(case)
            await self._log(conn, case.id, agent, ActivityKind.REPLY, now, body=body)
            await store.update_case(conn, case.id, updated_at=now)
            if case.status is Status.NEW:
                await self._set_status(conn, case, agent, Status.IN_PROGRESS, None, now)
            await self._mail(conn, case.contact_email, *emails.agent_replied(case, body))
        self._mail_queued()

    async def change_status(
        self, agent: User, number: str, status: Status, reason: str | None = None
    ) -> None:
        self._require_staff(agent)
        if status is Status.NEW:
            message = "A case cannot be set back to New"
            raise Invalid(message, code="INVALID_STATUS", fields={"status": message})
        reason = (reason or "").strip() or None
        if status is Status.WAITING_ON_CUSTOMER and not reason:
            message = "Say what you are waiting for from the customer"
            raise Invalid(message, code="REASON_REQUIRED", fields={"reason": message})
        if reason is not None and len(reason) > MAX_REASON_LENGTH:
            message = f"Keep the reason to {MAX_REASON_LENGTH} characters or fewer"
            raise Invalid(message, code="REASON_TOO_LONG", fields={"reason": message})
        async with transaction(self._engine) as conn:
            case = await self._access(conn, agent, number)
            self._require_open(case, allow_resolved=True)
            if status is case.status and reason == case.waiting_reason:
                return
            await self._set_status(conn, case, agent, status, reason, self._clock.now())

    async def log_call(self, agent: User, number: str, notes: str) -> None:
        self._require_staff(agent)
        notes = _text(notes, "note of the call", field="notes")
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            case = await self._access(conn, agent, number)
            if case.channel is not Channel.CALL:
                raise Conflict("Calls are logged on call-us cases only", code="NOT_A_CALL_CASE")
            self._require_open(case)
            await store.update_case(conn, case.id, call_logged_at=now, updated_at=now)
            await self._log(conn, case.id, agent, ActivityKind.CALL_LOGGED, now, body=notes)
            if case.status is Status.NEW:
                await self._set_status(conn, case, agent, Status.IN_PROGRESS, None, now)

    async def move_case(self, agent: User, number: str, queue: str) -> None:
        self._require_staff(agent)
        if queue not in self.queues():
            raise Invalid("Choose a queue from the list", fields={"queue": "Unknown queue"})
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            case = await self._access(conn, agent, number)
            self._require_open(case, allow_resolved=True)
            if queue == case.owner_queue:
                return
            await store.update_case(conn, case.id, owner_queue=queue, updated_at=now)
            await self._log(
                conn, case.id, agent, ActivityKind.FIELD_CHANGED, now,
                data={"field": "Case Owner", "from": case.owner_queue, "to": queue},
            )  # fmt: skip

    async def set_agent_queues(self, agent: User, queues: list[str]) -> None:
        unknown = sorted(set(queues) - set(self.queues()))
        if unknown:
            raise Invalid(f"Unknown queues: {', '.join(unknown)}", fields={"queues": "Unknown"})
        async with transaction(self._engine) as conn:
            await store.replace_agent_queues(conn, agent.id, queues)

    async def close_unanswered_calls(self) -> list[int]:
        """Close call-us cases with no call logged within 24 hours. Safe on every node."""
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            closed = await store.close_unanswered_calls(
                conn, created_before=now - CALL_WINDOW, now=now, reason=CALL_CLOSE_REASON
            )
            for case_id in closed:
                await store.insert_activity(
                    conn, case_id=case_id, kind=ActivityKind.FIELD_CHANGED, actor_id=None,
                    actor_name="frontdesk", actor_role="System", now=now,
                    body=CALL_CLOSE_REASON, data={"field": "Status", "to": Status.CLOSED.label},
                )  # fmt: skip
        return closed

    # Attachments -----------------------------------------------------------------------

    async def add_attachment(
        self,
        actor: User,
        number: str,
        filename: str,
        chunks: AsyncIterator[bytes],
        declared_size: int | None = None,
    ) -> Attachment:
        """Stream a file onto the case; `declared_size` (a Content-Length) lets a file that
        is too big be refused before any of it is read."""
        case = await self.access_case(actor, number)
        self._require_open(case, allow_resolved=True)
        saved = await self._files.save(filename, chunks, declared_size)
        now = self._clock.now()
        try:
            async with transaction(self._engine) as conn:
                attachment_id = await store.insert_attachment(
                    conn,
                    {
                        "case_id": case.id, "original_name": saved.name,
                        "stored_name": saved.stored_name, "size": saved.size,
                        "content_type": saved.content_type, "sha256": saved.sha256,
                        "uploaded_by": actor.id, "created_at": now,
                    },
                )  # fmt: skip
                await self._log(
                    conn, case.id, actor, ActivityKind.ATTACHMENT, now, body=saved.name,
                    data={"attachment_id": attachment_id, "size": saved.size},
                )  # fmt: skip
                await store.update_case(conn, case.id, updated_at=now)
                attachment = await store.select_attachment(conn, case.id, attachment_id)
        except BaseException:
            self._files.discard(saved.stored_name)  # nothing half-kept
            raise
        assert attachment is not None
        return attachment

    async def attachments(self, actor: User, number: str) -> list[Attachment]:
        async with reading(self._engine) as conn:
            case = await self._access(conn, actor, number)
            return await store.select_attachments(conn, case.id)

    async def open_attachment(
        self, actor: User, number: str, attachment_id: int
    ) -> tuple[Attachment, Path]:
        async with reading(self._engine) as conn:
            case = await self._access(conn, actor, number)
            attachment = await store.select_attachment(conn, case.id, attachment_id)
        if attachment is None:
            raise NotFound("We could not find that file", code="ATTACHMENT_NOT_FOUND")
        return attachment, self._files.path_of(attachment.stored_name)

    # Helpers ---------------------------------------------------------------------------

    def _require_staff(self, user: User) -> None:
        if user.role not in STAFF:
            raise Forbidden("Only support staff can do this")

    def _require_open(self, case: Case, *, allow_resolved: bool = False) -> None:
        closed = {Status.CLOSED} if allow_resolved else {Status.CLOSED, Status.RESOLVED}
        if case.status in closed:
            raise Conflict(f"This case is {case.status.label.lower()}", code="CASE_CLOSED")

    async def _set_status(
        self,
        conn: AsyncConnection,
        case: Case,
        actor: User,
        status: Status,
        reason: str | None,
        now: datetime,
    ) -> None:
        closing = status is Status.CLOSED
        await store.update_case(
            conn,
            case.id,
            status=status.value,
            waiting_reason=reason if status is Status.WAITING_ON_CUSTOMER else None,
            closed_at=now if closing else None,
            closed_reason=reason if closing else None,
            updated_at=now,
        )
        data = {"field": "Status", "from": case.status.label, "to": status.label}
        if status is Status.WAITING_ON_CUSTOMER:
            data["reason"] = reason or ""
        await self._log(conn, case.id, actor, ActivityKind.FIELD_CHANGED, now, data=data)

    async def _log(
        self,
        conn: AsyncConnection,
        case_id: int,
        actor: User,
        kind: ActivityKind,
        now: datetime,
        *,
        body: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        await store.insert_activity(
            conn, case_id=case_id, kind=kind, actor_id=actor.id, actor_name=actor.display_name,
            actor_role=_role_name(actor), now=now, body=body, data=data,
        )  # fmt: skip

    async def _mail(self, conn: AsyncConnection, to: str, subject: str, body: str) -> None:
        await queue_mail(conn, to=to, subject=subject, body=body, now=self._clock.now())


def _subject(choice: Choice) -> str:
    """ "Missing Results (GCSE Mathematics)"; cut to SUBJECT_LENGTH, which three long
    taxonomy names (up to 200 characters each) could pass."""
    text = f"{choice.subcategory} ({choice.qualification} {choice.qualification_subject})"
    return text if len(text) <= SUBJECT_LENGTH else text[: SUBJECT_LENGTH - 1] + "…"


def _text(value: str, what: str, field: str = "body") -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"Write a {what} first", fields={field: f"Write a {what} first"})
    if len(value) > 10_000:
        raise Invalid(f"The {what} is too long", fields={field: "At most 10,000 characters"})
    return value


__all__ = ["CaseService", "uk_datetime"]
