"""The team: what work each agent takes, as supervisors and admins set it. An agent's chat
groups and capacity belong to live chat (chat/desk.py), its case queues to cases
(cases/staff.py); this module reads and changes both through their own verbs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from frontdesk.accounts.models import Role, User
from frontdesk.accounts.service import AccountService
from frontdesk.audit.models import Action
from frontdesk.audit.service import AuditLog
from frontdesk.cases.service import CaseService
from frontdesk.cases.staff import CaseWork
from frontdesk.chat.agents import MAX_CAPACITY
from frontdesk.chat.desk import SupervisorDesk
from frontdesk.errors import Code, NotFound

# Who takes chats and cases: supervisors may too.
WORKERS = (Role.AGENT, Role.SUPERVISOR)
# What the audit log keeps of a change to an agent's work.
WORK_FIELDS = {"groups", "queues", "capacity"}


class AgentWork(BaseModel):
    """What an agent takes: chat `groups` (None: every group with chat), case `queues`
    (empty: every queue), and how many chats at once."""

    model_config = ConfigDict(frozen=True)

    agent_id: int
    name: str
    email: str
    role: Role
    groups: list[str] | None
    queues: list[str]
    capacity: int


class AgentWorkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    groups: list[str] | None = Field(default=None, max_length=50)
    queues: list[str] = Field(default_factory=list, max_length=100)
    capacity: int = Field(ge=1, le=MAX_CAPACITY)


def _not_found() -> NotFound:
    return NotFound("There is no such agent", code=Code.NOT_FOUND)


class Team:
    def __init__(
        self,
        accounts: AccountService,
        desk: SupervisorDesk,
        cases: CaseService,
        case_work: CaseWork,
        audit: AuditLog,
    ) -> None:
        self._accounts = accounts
        self._desk = desk
        self._cases = cases
        self._case_work = case_work
        self._audit = audit

    async def agents(self) -> list[AgentWork]:
        return [await self._work(user) for user in await self._accounts.users_with_roles(*WORKERS)]

    async def agent(self, agent_id: int) -> AgentWork:
        return await self._work(await self._worker(agent_id))

    async def set_work(self, by: User, agent_id: int, change: AgentWorkIn) -> AgentWork:
        """Both parts are checked before either is written: an unknown group or queue
        changes nothing. The change goes in the audit log, with what it was before."""
        agent = await self._worker(agent_id)
        before = await self._work(agent)
        self._case_work.check_queues(change.queues)
        await self._desk.configure(agent.id, groups=change.groups, capacity=change.capacity)
        await self._case_work.set_agent_queues(agent, change.queues)
        after = await self._work(agent)
        if after != before:
            await self._audit.record(
                by, Action.AGENT_WORK_CHANGED, f"{agent.display_name} ({agent.role.value})",
                before.model_dump(include=WORK_FIELDS), after.model_dump(include=WORK_FIELDS),
            )  # fmt: skip
        return after

    async def _worker(self, agent_id: int) -> User:
        user = await self._accounts.user(agent_id)
        if user is None or user.role not in WORKERS or not user.is_active:
            raise _not_found()
        return user

    async def _work(self, user: User) -> AgentWork:
        chat = await self._desk.live.agents.settings(user.id)
        return AgentWork(
            agent_id=user.id, name=user.display_name, email=user.email, role=user.role,
            groups=None if chat.groups is None else list(chat.groups),
            queues=await self._cases.agent_queues(user), capacity=chat.capacity,
        )  # fmt: skip
