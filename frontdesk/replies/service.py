"""Canned reply rules: who sees, writes and changes which reply, and filling one in for
a case.

A personal reply is its owner's alone: to anyone else it does not exist (NotFound). A
shared one every member of staff reads and uses; only supervisors and admins write,
change or delete it (Forbidden for an agent, who can see it is there).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.accounts.models import Role, User
from frontdesk.cases.models import Case
from frontdesk.cases.service import CaseService, require_staff
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.errors import Code, Forbidden, Invalid, NotFound
from frontdesk.intake.service import IntakeService
from frontdesk.replies import store
from frontdesk.replies.models import CannedReply, ReplyIn, Scope
from frontdesk.replies.placeholders import fill

SHARED_WRITERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


def may_edit(user: User, reply: CannedReply) -> bool:
    """Whether `user` may change or delete `reply` (which they can already see)."""
    if reply.scope is Scope.PERSONAL:
        return reply.owner_id == user.id
    return user.role in SHARED_WRITERS


def _not_found() -> NotFound:
    return NotFound("We could not find that canned reply", code=Code.REPLY_NOT_FOUND)


class CannedReplies:
    def __init__(
        self, engine: AsyncEngine, clock: Clock, intake: IntakeService, cases: CaseService
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._intake = intake
        self._cases = cases

    def group_names(self) -> dict[str, str]:
        """The customer groups a shared reply may be for, key -> name."""
        return {key: group.name for key, group in self._intake.taxonomy().groups.items()}

    async def list_for(
        self, staff: User, *, group: str | None = None, words: str = ""
    ) -> list[CannedReply]:
        """Staff's own replies and the shared ones (for `group` or all, if given)."""
        require_staff(staff)
        async with reading(self._engine) as conn:
            return await store.select_replies(conn, staff.id, group=group, words=words.strip())

    async def list_for_case(self, staff: User, number: str, words: str = "") -> list[CannedReply]:
        """The replies offered in case `number`: staff's own and those shared for its
        customer group or for all."""
        case = await self._cases.access_case(staff, number)
        return await self.list_for(staff, group=case.customer_group, words=words)

    async def access_reply(self, staff: User, reply_id: int) -> CannedReply:
        """The reply, for staff who may see it: shared, or their own."""
        require_staff(staff)
        async with reading(self._engine) as conn:
            reply = await store.select_reply(conn, reply_id)
        if reply is None:
            raise _not_found()
        if reply.scope is Scope.PERSONAL and reply.owner_id != staff.id:
            raise _not_found()
        return reply

    async def editable_reply(self, staff: User, reply_id: int) -> CannedReply:
        reply = await self.access_reply(staff, reply_id)
        if not may_edit(staff, reply):
            raise Forbidden("Only supervisors and admins change shared replies")
        return reply

    async def create(self, staff: User, data: ReplyIn) -> CannedReply:
        require_staff(staff)
        self._check(staff, data)
        now = self._clock.now()
        owner = staff.id if data.scope is Scope.PERSONAL else None
        async with transaction(self._engine) as conn:
            reply_id = await store.insert_reply(
                conn, {**data.model_dump(exclude={"scope"}), "owner_id": owner,
                       "created_by_id": staff.id, "created_at": now, "updated_at": now},
            )  # fmt: skip
            created = await store.select_reply(conn, reply_id)
        assert created is not None
        return created

    async def change(self, staff: User, reply_id: int, data: ReplyIn) -> CannedReply:
        reply = await self.editable_reply(staff, reply_id)
        if data.scope is not reply.scope:
            message = "A reply stays personal or shared: write a new one instead"
            raise Invalid(message, fields={"scope": message})
        self._check(staff, data)
        values = data.model_dump(exclude={"scope"})
        async with transaction(self._engine) as conn:
            await store.update_reply(conn, reply_id, **values, updated_at=self._clock.now())
            changed = await store.select_reply(conn, reply_id)
        assert changed is not None
        return changed

    async def remove(self, staff: User, reply_id: int) -> None:
        await self.editable_reply(staff, reply_id)
        async with transaction(self._engine) as conn:
            await store.delete_reply(conn, reply_id)

    async def render(self, staff: User, reply_id: int, case_number: str) -> str:
        """The reply's text with its placeholders filled for the case (which `staff`
        must be able to see, as for every case verb)."""
        reply = await self.access_reply(staff, reply_id)
        case = await self._cases.access_case(staff, case_number)
        return fill(reply.body, self._values(staff, case))

    def _values(self, staff: User, case: Case) -> dict[str, str]:
        group = self._intake.taxonomy().groups.get(case.customer_group)
        hours = group.hours.describe() if group else ""
        return {
            "customer_first_name": case.contact_first_name,
            "case_number": case.number,
            "agent_name": staff.display_name,
            # As Contact Us words them ("available Monday - Friday 09:00-17:00 (UK time)").
            "group_hours": f"{hours} (UK time)" if hours else "no set hours",
        }

    def _check(self, staff: User, data: ReplyIn) -> None:
        if data.scope is Scope.SHARED and staff.role not in SHARED_WRITERS:
            raise Forbidden("Only supervisors and admins write shared replies")
        if data.customer_group is not None and data.customer_group not in self.group_names():
            message = "Choose a customer group from the list"
            raise Invalid(message, fields={"customer_group": "Unknown customer group"})
