"""People, as an admin runs them: find anyone, invite staff, change a role, disable and
enable an account, send a reset link. Each change is kept in the audit log; a disabled
account or a changed role ends the person's sessions, and with them their open sockets on
every node (chat/sessions.py)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from math import ceil

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.accounts import emails, store
from frontdesk.accounts.models import STAFF, Role, User
from frontdesk.accounts.service import AccountService
from frontdesk.audit.models import Action
from frontdesk.audit.service import AuditLog
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.errors import Code, Conflict, Invalid, NotFound
from frontdesk.mail import queue_mail

# An invitation's link lasts longer than a reset's: people do not read mail at once.
INVITE_DAYS = 7


class PeopleQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=200)


class PeoplePage(BaseModel):
    people: list[User]
    total: int
    page: int
    pages: int


class InviteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    role: Role


def _not_found() -> NotFound:
    return NotFound("There is no such person", code=Code.NOT_FOUND)


class People:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        accounts: AccountService,
        audit: AuditLog,
        mail_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._accounts = accounts
        self._audit = audit
        self._mail_queued = mail_queued

    async def find(self, query: PeopleQuery) -> PeoplePage:
        async with reading(self._engine) as conn:
            found, total = await store.select_users_page(
                conn, query.q, query.role, limit=query.page_size,
                offset=(query.page - 1) * query.page_size,
            )  # fmt: skip
        pages = max(1, ceil(total / query.page_size))
        return PeoplePage(people=found, total=total, page=query.page, pages=pages)

    async def invite(self, by: User, data: InviteIn) -> User:
        """A staff account with no password yet, and an email with a single-use link to
        choose one (valid INVITE_DAYS)."""
        if data.role not in STAFF:
            message = "Invite staff only: customers create their own accounts"
            raise Invalid(message, fields={"role": message})
        unusable = await self._accounts.hash_password(secrets.token_urlsafe(32))
        now = self._clock.now()
        try:
            async with transaction(self._engine) as conn:
                user_id = await store.insert_user(
                    conn, email=data.email, username=data.email, first_name=data.first_name,
                    last_name=data.last_name, country="GB", role=data.role,
                    password_hash=unusable, now=now, verified=True,
                )  # fmt: skip
                user = await store.select_user(conn, user_id)
                assert user is not None
                link = await self._accounts.password_link(
                    conn, user, valid=timedelta(days=INVITE_DAYS)
                )
                email = emails.invitation(
                    user, by, link, INVITE_DAYS, product=self._accounts.product_name
                )
                await queue_mail(conn, to=user.email, email=email, now=now)
        except IntegrityError:
            message = "Someone has this email or username already"
            raise Conflict(message, fields={"email": message}) from None
        self._mail_queued()
        after = {"email": user.email, "role": user.role.value}
        await self._audit.record(by, Action.PERSON_INVITED, _target(user), {}, after)
        return user

    async def set_role(self, by: User, user_id: int, role: Role) -> User:
        """A new role; the person's sessions end, so every page and socket they open
        next is of the new role."""
        person = await self._person(by, user_id)
        if person.role is role:
            return person
        async with transaction(self._engine) as conn:
            await store.update_user_role(conn, person.id, role)
            await store.delete_user_sessions(conn, person.id)
        await self._audit.record(
            by, Action.ROLE_CHANGED, _target(person), {"role": person.role.value},
            {"role": role.value},
        )  # fmt: skip
        return person.model_copy(update={"role": role})

    async def set_active(self, by: User, user_id: int, active: bool) -> User:
        """Disable (sessions end, signing in is refused) or enable an account."""
        person = await self._person(by, user_id)
        if person.is_active is active:
            return person
        async with transaction(self._engine) as conn:
            await store.update_user_active(conn, person.id, active)
            if not active:
                await store.delete_user_sessions(conn, person.id)
        action = Action.ACCOUNT_ENABLED if active else Action.ACCOUNT_DISABLED
        await self._audit.record(
            by, action, _target(person), {"active": person.is_active}, {"active": active}
        )
        return person.model_copy(update={"is_active": active})

    async def send_reset(self, by: User, user_id: int) -> None:
        """Email the person the reset email anyone may ask for, with its link."""
        person = await self._person(by, user_id, own_ok=True)
        if not person.is_active:
            raise Conflict("Enable the account first", code=Code.CONFLICT)
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            link = await self._accounts.password_link(conn, person)
            email = emails.password_reset(person, link, product=self._accounts.product_name)
            await queue_mail(conn, to=person.email, email=email, now=now)
        self._mail_queued()
        await self._audit.record(by, Action.RESET_SENT, _target(person), {}, {})

    async def _person(self, by: User, user_id: int, *, own_ok: bool = False) -> User:
        person = await self._accounts.user(user_id)
        if person is None:
            raise _not_found()
        if person.id == by.id and not own_ok:
            # An admin who demoted or disabled themselves could leave nobody to undo it.
            raise Conflict("You cannot change your own account here", code=Code.CONFLICT)
        return person


def _target(user: User) -> str:
    return f"{user.display_name} <{user.email}>"
