"""Who works a case: an agent takes a case or releases it; a supervisor (or an admin)
assigns it to any active staff member, or to nobody. Each change is a staff-only item in
the case's activity ("Sue Supervisor assigned this case to Ben Agent").

Like an internal note, an assignment writes no email and leaves the case's `updated_at`
alone: that time is in the customer's own case list, and moving it for something they
may never see would tell them it happened.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.accounts import store as accounts_store
from frontdesk.accounts.models import STAFF, Role, User
from frontdesk.cases import actions, search_store, store
from frontdesk.cases.actions import Actor
from frontdesk.cases.models import ActivityKind, Case
from frontdesk.cases.service import require_staff
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.errors import Forbidden, Invalid

# Who may hand a case to someone other than themselves.
ASSIGNERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


def may_assign_others(user: User) -> bool:
    return user.role in ASSIGNERS


def assignment_text(actor: Actor, before: str | None, after: str | None) -> str:
    """The feed's sentence for a change of who works the case."""
    if after is not None and after == actor.name:
        return f"{actor.name} took this case" + (f" from {before}" if before else "")
    if after is not None:
        return f"{actor.name} assigned this case to {after}"
    if before == actor.name:
        return f"{actor.name} released this case"
    return f"{actor.name} unassigned this case from {before}"


class CaseAssignment:
    def __init__(
        self, engine: AsyncEngine, clock: Clock, changed: Callable[[], None] = lambda: None
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._changed = changed

    async def assignees(self) -> list[tuple[int, str]]:
        """Every active staff member a case can be assigned to: (id, name), by name."""
        async with reading(self._engine) as conn:
            people = await accounts_store.select_users_with_roles(conn, sorted(STAFF))
        return [(person.id, person.display_name) for person in people]

    async def take(self, staff: User, number: str) -> None:
        """Assign the case to oneself (from whoever had it)."""
        await self.assign(staff, number, staff.id)

    async def release(self, staff: User, number: str) -> None:
        """Leave the case unassigned: one's own case, or anyone's for a supervisor."""
        await self.assign(staff, number, None)

    async def assign(self, staff: User, number: str, agent_id: int | None) -> None:
        """Assign the case to `agent_id`, or to nobody. An agent may only take a case or
        release their own; a supervisor or an admin may assign to any active staff member."""
        require_staff(staff)
        async with transaction(self._engine) as conn:
            case = await actions.access_case(conn, staff, number)
            actions.require_open(case, allow_resolved=True)
            _check_allowed(staff, case, agent_id)
            if agent_id == case.assigned_agent_id:
                return
            if agent_id is not None:
                await _require_active_staff(conn, agent_id)
            await self._write(conn, staff, case, agent_id)
        self._changed()

    async def _write(
        self, conn: AsyncConnection, staff: User, case: Case, agent_id: int | None
    ) -> None:
        ids = [i for i in (case.assigned_agent_id, agent_id) if i is not None]
        names = await search_store.select_staff_names(conn, ids)
        before = names.get(case.assigned_agent_id) if case.assigned_agent_id else None
        after = names.get(agent_id) if agent_id is not None else None
        actor = Actor.of(staff)
        await store.update_case(conn, case.id, assigned_agent_id=agent_id)
        await actions.log_activity(
            conn, case.id, actor, ActivityKind.ASSIGNMENT, self._clock.now(),
            body=assignment_text(actor, before, after),
            data={"field": "Assigned to", "from": before, "to": after or "Nobody"},
        )  # fmt: skip


def _check_allowed(staff: User, case: Case, agent_id: int | None) -> None:
    if may_assign_others(staff):
        return
    if agent_id is not None and agent_id != staff.id:
        raise Forbidden("Only a supervisor can assign a case to someone else")
    if agent_id is None and case.assigned_agent_id not in (None, staff.id):
        raise Forbidden("Only a supervisor can release a case someone else is working")


async def _require_active_staff(conn: AsyncConnection, user_id: int) -> None:
    user = await accounts_store.select_user(conn, user_id)
    if user is None or user.role not in STAFF or not user.is_active:
        message = "Choose an active member of staff"
        raise Invalid(message, fields={"agent_id": message})
