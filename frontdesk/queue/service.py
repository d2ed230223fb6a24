"""The router: office hours and waits decided first (policy), then one backend call each.

It knows chats only by their public id and group; what a routing step means for a chat
in the store, and who is told, is the live chat service's business (chat/live.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from frontdesk.business_hours import UK, BusinessCalendar
from frontdesk.errors import Code, Conflict
from frontdesk.intake.taxonomy import Group
from frontdesk.queue import policy
from frontdesk.queue.backend import QueueBackend
from frontdesk.queue.models import Offer, QueueEntry

# Deadline kinds kept in the backend besides offers.
WAIT = "wait"  # a waiting request reaches its group's maximum wait, or the group closes
GRACE = "grace"  # a disconnected agent's time to come back to its chats


@dataclass(frozen=True)
class Timings:
    offer_seconds: int = 20
    grace_seconds: int = 60
    max_wait: timedelta = policy.DEFAULT_MAX_WAIT
    capacity: int = 3


class Router:
    def __init__(
        self,
        backend: QueueBackend,
        calendar: BusinessCalendar,
        groups: Callable[[], Mapping[str, Group]],
        timings: Timings,
    ) -> None:
        self.backend = backend
        self.timings = timings
        self._calendar = calendar
        self._groups = groups

    # Policy ------------------------------------------------------------------------------

    def chat_groups(self) -> list[str]:
        return sorted(key for key, group in self._groups().items() if group.chat)

    def group_name(self, group_key: str) -> str:
        """The group's name for people; its key if the taxonomy no longer has it."""
        group = self._groups().get(group_key)
        return group.name if group is not None else group_key

    def admit(self, group_key: str, now: datetime) -> None:
        """Refuse a request its group cannot take now, saying when chat opens again."""
        group = self._groups().get(group_key)
        if group is None or not group.chat:
            raise Conflict("Live chat is not offered for this case", code=Code.CHAT_NOT_OFFERED)
        admission = policy.admission(self._calendar, group.hours, now)
        if admission.open:
            return
        message = "Our chat team is away now."
        fields = {}
        if admission.next_opening is not None:
            opening = admission.next_opening.astimezone(UK)
            message += f" Chat opens again {opening:%A %d %B at %H:%M} (UK time)."
            fields["next_opening"] = admission.next_opening.isoformat()
        raise Conflict(message, code=Code.OUTSIDE_OFFICE_HOURS, fields=fields)

    def leave_by(self, group_key: str, enqueued_at: datetime, now: datetime) -> datetime:
        """When a waiting request must give up: its maximum wait, or its group's closing
        if that comes first."""
        give_up = enqueued_at + self.timings.max_wait
        group = self._groups().get(group_key)
        closing = group and self._calendar.closing_time(group.hours, now)
        return min(give_up, closing) if closing else give_up

    def overdue(self, group_key: str, enqueued_at: datetime, now: datetime) -> str | None:
        """Why a waiting request must stop waiting now ("closed", "max_wait"), or None."""
        group = self._groups().get(group_key)
        if group is None or not group.chat or not self._calendar.is_open(group.hours, now):
            return "closed"
        if policy.waited_too_long(enqueued_at, now, self.timings.max_wait):
            return "max_wait"
        return None

    async def estimated_wait(
        self, group_key: str, position: int, handle_times: list[timedelta]
    ) -> timedelta | None:
        snapshot = await self.backend.snapshot(group_key)
        return policy.estimated_wait(position, int(snapshot["seats"]), handle_times)

    # Requests ----------------------------------------------------------------------------

    async def enqueue(self, entry: QueueEntry, now: datetime) -> int:
        """Join the line (idempotent) with a deadline to give up by."""
        position = await self.backend.enqueue(entry)
        leave_by = self.leave_by(entry.group, entry.enqueued_at, now)
        await self.backend.set_deadline(WAIT, entry.chat_id, leave_by)
        return position

    async def route_request(self, chat_id: str, now: datetime) -> Offer | None:
        return await self.backend.route_request(chat_id, now, self.timings.offer_seconds)

    async def withdraw(self, chat_id: str) -> bool:
        await self.backend.cancel_deadline(WAIT, chat_id)
        return await self.backend.withdraw(chat_id)

    # Agents ------------------------------------------------------------------------------

    async def fill_seats(self, agent_id: int, now: datetime) -> list[Offer]:
        """Offer the agent the oldest waiting chats it serves, one per free seat."""
        offers = []
        while offer := await self.backend.route_agent(agent_id, now, self.timings.offer_seconds):
            offers.append(offer)
        return offers

    async def accept(self, chat_id: str, agent_id: int) -> bool:
        accepted = await self.backend.accept(chat_id, agent_id)
        if accepted:
            await self.backend.cancel_deadline(WAIT, chat_id)
        return accepted

    async def decline(self, chat_id: str, agent_id: int) -> QueueEntry | None:
        return await self.backend.decline(chat_id, agent_id)

    async def release(self, agent_id: int, chat_id: str, now: datetime) -> None:
        await self.backend.release(agent_id, chat_id, now)

    async def start_grace(self, agent_id: int, now: datetime) -> datetime:
        until = now + timedelta(seconds=self.timings.grace_seconds)
        await self.backend.set_deadline(GRACE, str(agent_id), until)
        return until

    async def end_grace(self, agent_id: int) -> bool:
        return await self.backend.cancel_deadline(GRACE, str(agent_id))
