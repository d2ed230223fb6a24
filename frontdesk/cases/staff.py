"""Staff work on cases: reply, change the status, log a call, write an internal note,
move a case to another queue, set the queues an agent serves; and the sweep that closes
call-us cases nobody called about."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.accounts.models import User
from frontdesk.cases import actions, emails, store
from frontdesk.cases.actions import SYSTEM, Actor
from frontdesk.cases.models import ActivityKind, Case, Channel, Status
from frontdesk.cases.service import require_staff, required_text
from frontdesk.clock import Clock
from frontdesk.db.engine import transaction
from frontdesk.errors import Code, Conflict, Invalid
from frontdesk.intake.phone_lines import CALL_WINDOW
from frontdesk.intake.service import IntakeService
from frontdesk.mail import queue_mail

CALL_CLOSE_REASON = "No call was logged in the time given to call us"
# A status reason is kept as the closing reason too, a 300-character column.
MAX_REASON_LENGTH = 300
# Cases answered by email or phone whose resolution is emailed, with a link to rate it;
# a chat case's customer is asked in the chat window as the chat ends.
RESOLUTION_EMAILED = frozenset({Channel.MESSAGE, Channel.CALL})

# Asked, inside the transaction resolving a case, for the link to rate it: the case and
# the id of the staff member resolving it.
RatingLink = Callable[[AsyncConnection, Case, int], Awaitable[str]]


class CaseWork:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        intake: IntakeService,
        mail_queued: Callable[[], None] = lambda: None,
        changed: Callable[[], None] = lambda: None,
        rating_link: RatingLink | None = None,
        *,
        public_url: str,
    ) -> None:
        self._engine = engine
        self._public_url = public_url  # links in emails start with it
        self._clock = clock
        self._intake = intake
        self._mail_queued = mail_queued
        # Told after a commit that changed a case's queue or status (the case board).
        self._changed = changed
        self._rating_link = rating_link

    async def reply(self, agent: User, number: str, body: str) -> None:
        """Answer the customer: into the feed, and by email."""
        require_staff(agent)
        body = required_text(body, "reply")
        now = self._clock.now()
        actor = Actor.of(agent)
        async with transaction(self._engine) as conn:
            case = await actions.access_case(conn, agent, number)
            actions.require_open(case)
            await actions.log_activity(conn, case.id, actor, ActivityKind.REPLY, now, body=body)
            await store.update_case(conn, case.id, updated_at=now)
            if case.status is Status.NEW:
                await actions.set_status(conn, case, actor, Status.IN_PROGRESS, None, now)
            email = emails.agent_replied(case, body, self._public_url)
            await queue_mail(conn, to=case.contact_email, email=email, now=now)
        self._mail_queued()
        self._changed()

    async def change_status(
        self, agent: User, number: str, status: Status, reason: str | None = None
    ) -> None:
        require_staff(agent)
        reason = _status_reason(status, reason)
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            case = await actions.access_case(conn, agent, number)
            actions.require_open(case, allow_resolved=True)
            if status is case.status and reason == case.waiting_reason:
                return
            await actions.set_status(conn, case, Actor.of(agent), status, reason, now)
            emailed = (
                status is Status.RESOLVED
                and case.status is not Status.RESOLVED
                and case.channel in RESOLUTION_EMAILED
            )
            if emailed:
                link = await self._rating_link(conn, case, agent.id) if self._rating_link else None
                email = emails.case_resolved(case, link, self._public_url)
                await queue_mail(conn, to=case.contact_email, email=email, now=now)
        if emailed:
            self._mail_queued()
        self._changed()

    async def log_call(self, agent: User, number: str, notes: str) -> None:
        require_staff(agent)
        notes = required_text(notes, "note of the call", field="notes")
        now = self._clock.now()
        actor = Actor.of(agent)
        async with transaction(self._engine) as conn:
            case = await actions.access_case(conn, agent, number)
            if case.channel is not Channel.CALL:
                message = "Calls are logged on call-us cases only"
                raise Conflict(message, code=Code.NOT_A_CALL_CASE)
            actions.require_open(case)
            await store.update_case(conn, case.id, call_logged_at=now, updated_at=now)
            await actions.log_activity(
                conn, case.id, actor, ActivityKind.CALL_LOGGED, now, body=notes
            )
            if case.status is Status.NEW:
                await actions.set_status(conn, case, actor, Status.IN_PROGRESS, None, now)

    async def add_note(self, staff: User, number: str, body: str) -> int:
        """An internal note for the team, in the case's activity: on a case of any status
        (a closed case's history is still the team's), and never the customer's to see.

        Only the activity row is written. No email, no status change, and the case's
        `updated_at` stays: that time is in the customer's own case list and API, and
        moving it for something they may not see would tell them it happened. Returns the
        note's activity id."""
        require_staff(staff)
        body = required_text(body, "note")
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            case = await actions.access_case(conn, staff, number)
            return await actions.log_activity(
                conn, case.id, Actor.of(staff), ActivityKind.NOTE, now, body=body
            )

    async def move_case(self, agent: User, number: str, queue: str) -> None:
        require_staff(agent)
        if queue not in self._intake.queues():
            raise Invalid("Choose a queue from the list", fields={"queue": "Unknown queue"})
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            case = await actions.access_case(conn, agent, number)
            actions.require_open(case, allow_resolved=True)
            if queue == case.owner_queue:
                return
            await store.update_case(conn, case.id, owner_queue=queue, updated_at=now)
            await actions.log_activity(
                conn, case.id, Actor.of(agent), ActivityKind.FIELD_CHANGED, now,
                data={"field": "Case Owner", "from": case.owner_queue, "to": queue},
            )  # fmt: skip
        self._changed()

    def check_queues(self, queues: list[str]) -> None:
        """Refuse queues the taxonomy does not have."""
        unknown = sorted(set(queues) - set(self._intake.queues()))
        if unknown:
            message = f"Unknown queues: {', '.join(unknown)}"
            raise Invalid(message, fields={"queues": message})

    async def set_agent_queues(self, agent: User, queues: list[str]) -> None:
        """The case queues an agent works; none means every queue."""
        self.check_queues(queues)
        async with transaction(self._engine) as conn:
            await store.replace_agent_queues(conn, agent.id, queues)

    async def close_unanswered_calls(self) -> list[int]:
        """Close call-us cases with no call logged by their call-by time (24 hours from
        opening for cases from before it was kept). Safe on every node."""
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            closed = await store.close_unanswered_calls(
                conn, created_before=now - CALL_WINDOW, now=now, reason=CALL_CLOSE_REASON
            )
            for case_id in closed:
                await actions.log_activity(
                    conn, case_id, SYSTEM, ActivityKind.FIELD_CHANGED, now,
                    body=CALL_CLOSE_REASON, data={"field": "Status", "to": Status.CLOSED.label},
                )  # fmt: skip
        if closed:
            self._changed()
        return closed


def _status_reason(status: Status, reason: str | None) -> str | None:
    """The reason a status change carries, checked: required when waiting on the
    customer; a case never goes back to New."""
    if status is Status.NEW:
        message = "A case cannot be set back to New"
        raise Invalid(message, code=Code.INVALID_STATUS, fields={"status": message})
    reason = (reason or "").strip() or None
    if status is Status.WAITING_ON_CUSTOMER and not reason:
        message = "Say what you are waiting for from the customer"
        raise Invalid(message, code=Code.REASON_REQUIRED, fields={"reason": message})
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        message = f"Keep the reason to {MAX_REASON_LENGTH} characters or fewer"
        raise Invalid(message, code=Code.REASON_TOO_LONG, fields={"reason": message})
    return reason
