"""Account storage: SQL verbs over an AsyncConnection, returning models or None."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.accounts.models import Role, User
from frontdesk.db.tables import account_tokens, auth_failures, sessions, users

_USER_COLUMNS = [
    users.c.id,
    users.c.email,
    users.c.username,
    users.c.first_name,
    users.c.last_name,
    users.c.country,
    users.c.role,
    users.c.is_active,
    users.c.created_at,
    users.c.verified_at,
]


def _user(row: Any) -> User | None:
    return None if row is None else User.model_validate(row._mapping)


async def select_user(conn: AsyncConnection, user_id: int) -> User | None:
    row = (await conn.execute(select(*_USER_COLUMNS).where(users.c.id == user_id))).first()
    return _user(row)


async def select_user_by_login(conn: AsyncConnection, login: str) -> tuple[User, str] | None:
    """The user whose username or email is `login` (any case), with the password hash."""
    key = login.strip().lower()
    query = select(*_USER_COLUMNS, users.c.password_hash).where(
        or_(users.c.username_key == key, users.c.email_key == key)
    )
    # A username may equal someone else's email; the exact username wins.
    rows = (await conn.execute(query.order_by((users.c.username_key == key).desc()))).all()
    if not rows:
        return None
    return _user(rows[0]), rows[0].password_hash  # type: ignore[return-value]


async def select_users_by_email(conn: AsyncConnection, email: str) -> list[User]:
    rows = await conn.execute(select(*_USER_COLUMNS).where(users.c.email_key == email.lower()))
    return [u for u in map(_user, rows) if u is not None]


async def select_users_with_roles(conn: AsyncConnection, roles: list[Role]) -> list[User]:
    """Active users of these roles, by name."""
    query = (
        select(*_USER_COLUMNS)
        .where(users.c.role.in_([role.value for role in roles]), users.c.is_active.is_(True))
        .order_by(users.c.first_name, users.c.last_name, users.c.id)
    )
    return [u for u in map(_user, await conn.execute(query)) if u is not None]


def _matching(text: str | None, role: Role | None) -> list[Any]:
    conditions: list[Any] = []
    if role is not None:
        conditions.append(users.c.role == role.value)
    for word in (text or "").lower().split():
        like = f"%{word.replace('%', '').replace('_', '')}%"
        name = func.lower(users.c.first_name + " " + users.c.last_name)
        conditions.append(or_(name.like(like), users.c.email_key.like(like),
                              users.c.username_key.like(like)))  # fmt: skip
    return conditions


async def select_users_page(
    conn: AsyncConnection, text: str | None, role: Role | None, *, limit: int, offset: int
) -> tuple[list[User], int]:
    """Users whose name, email or username holds every word of `text`, by name; one page
    and how many match in all."""
    conditions = _matching(text, role)
    total = await conn.scalar(select(func.count()).select_from(users).where(*conditions))
    query = (
        select(*_USER_COLUMNS)
        .where(*conditions)
        .order_by(users.c.first_name, users.c.last_name, users.c.id)
        .limit(limit)
        .offset(offset)
    )
    found = [u for u in map(_user, await conn.execute(query)) if u is not None]
    return found, int(total or 0)


async def update_user_active(conn: AsyncConnection, user_id: int, active: bool) -> None:
    await conn.execute(update(users).where(users.c.id == user_id).values(is_active=active))


async def select_user_holding(
    conn: AsyncConnection, *, email: str, username: str
) -> list[tuple[User, str]]:
    """Users holding this email or this username (as email or username); with which."""
    email_key, username_key = email.lower(), username.lower()
    rows = await conn.execute(
        select(*_USER_COLUMNS, users.c.email_key, users.c.username_key).where(
            or_(
                users.c.email_key.in_([email_key, username_key]),
                users.c.username_key.in_([email_key, username_key]),
            )
        )
    )
    held = []
    for row in rows:
        what = "email" if email_key in (row.email_key, row.username_key) else "username"
        held.append((_user(row), what))
    return held  # type: ignore[return-value]


async def insert_user(
    conn: AsyncConnection,
    *,
    email: str,
    username: str,
    first_name: str,
    last_name: str,
    country: str,
    role: Role,
    password_hash: str,
    now: datetime,
    verified: bool = False,
) -> int:
    result = await conn.execute(
        insert(users)
        .values(
            email=email,
            email_key=email.lower(),
            username=username,
            username_key=username.lower(),
            first_name=first_name,
            last_name=last_name,
            country=country,
            role=role.value,
            password_hash=password_hash,
            is_active=True,
            created_at=now,
            terms_accepted_at=now,
            verified_at=now if verified else None,
        )
        .returning(users.c.id)
    )
    return int(result.scalar_one())


async def update_user_verified(conn: AsyncConnection, user_id: int, now: datetime) -> None:
    await conn.execute(
        update(users)
        .where(users.c.id == user_id, users.c.verified_at.is_(None))
        .values(verified_at=now)
    )


async def update_user_password(conn: AsyncConnection, user_id: int, password_hash: str) -> None:
    await conn.execute(
        update(users).where(users.c.id == user_id).values(password_hash=password_hash)
    )


async def update_user_role(conn: AsyncConnection, user_id: int, role: Role) -> None:
    await conn.execute(update(users).where(users.c.id == user_id).values(role=role.value))


async def delete_stale_unverified(
    conn: AsyncConnection, keys: list[str], created_before: datetime
) -> int:
    """Remove never-verified accounts holding any of `keys` (as email or username) that
    were created at or before `created_before`, so the address can be used again.
    A link expires at created_at + window (refused from that instant on), so the account
    must make way from that same instant."""
    result = await conn.execute(
        delete(users).where(
            or_(users.c.email_key.in_(keys), users.c.username_key.in_(keys)),
            users.c.verified_at.is_(None),
            users.c.created_at <= created_before,
        )
    )
    return result.rowcount or 0


async def delete_sessions_before(conn: AsyncConnection, now: datetime) -> int:
    result = await conn.execute(delete(sessions).where(sessions.c.expires_at <= now))
    return result.rowcount or 0


# Sessions -------------------------------------------------------------------------------


async def insert_session(
    conn: AsyncConnection,
    *,
    token_hash: str,
    user_id: int,
    now: datetime,
    expires_at: datetime,
    user_agent: str,
    address: str,
) -> None:
    await conn.execute(
        insert(sessions).values(
            token_hash=token_hash,
            user_id=user_id,
            created_at=now,
            expires_at=expires_at,
            user_agent=user_agent[:255],
            address=address[:64],
        )
    )


# Read on every signed-in request and socket: built once (building it cost more than
# running it on SQLite).
_SESSION_USER = (
    select(*_USER_COLUMNS)
    .select_from(sessions.join(users, sessions.c.user_id == users.c.id))
    .where(
        sessions.c.token_hash == bindparam("token_hash"),
        sessions.c.expires_at > bindparam("now"),
        users.c.is_active.is_(True),
    )
)


async def select_session_user(conn: AsyncConnection, token_hash: str, now: datetime) -> User | None:
    values = {"token_hash": token_hash, "now": now}
    return _user((await conn.execute(_SESSION_USER, values)).first())


async def select_live_sessions(
    conn: AsyncConnection, token_hashes: list[str], now: datetime
) -> set[str]:
    """Which of these sessions still hold: not ended, not expired, their user active."""
    query = (
        select(sessions.c.token_hash)
        .select_from(sessions.join(users, sessions.c.user_id == users.c.id))
        .where(
            sessions.c.token_hash.in_(token_hashes),
            sessions.c.expires_at > now,
            users.c.is_active.is_(True),
        )
    )
    return set((await conn.execute(query)).scalars())


async def delete_session(conn: AsyncConnection, token_hash: str) -> None:
    await conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


async def delete_user_sessions(conn: AsyncConnection, user_id: int) -> int:
    result = await conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
    return result.rowcount or 0


async def count_user_sessions(conn: AsyncConnection, user_id: int) -> int:
    query = select(func.count()).select_from(sessions).where(sessions.c.user_id == user_id)
    return int((await conn.execute(query)).scalar_one())


# Single-use tokens (verification, password reset) -----------------------------------------


async def insert_token(
    conn: AsyncConnection,
    *,
    user_id: int,
    purpose: str,
    nonce_hash: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(
        insert(account_tokens).values(
            user_id=user_id,
            purpose=purpose,
            nonce_hash=nonce_hash,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def select_token(conn: AsyncConnection, purpose: str, nonce_hash: str) -> Any | None:
    query = select(account_tokens).where(
        account_tokens.c.purpose == purpose, account_tokens.c.nonce_hash == nonce_hash
    )
    return (await conn.execute(query)).first()


async def use_token(conn: AsyncConnection, token_id: int, now: datetime) -> bool:
    """Mark a token used; False when it was used already (by a racing request too)."""
    result = await conn.execute(
        update(account_tokens)
        .where(account_tokens.c.id == token_id, account_tokens.c.used_at.is_(None))
        .values(used_at=now)
    )
    return (result.rowcount or 0) == 1


# Throttling ----------------------------------------------------------------------------


async def insert_failure(conn: AsyncConnection, scope: str, key: str, now: datetime) -> None:
    await conn.execute(insert(auth_failures).values(scope=scope, key=key[:254], at=now))


async def select_failures_since(
    conn: AsyncConnection, scope: str, key: str, since: datetime
) -> tuple[int, datetime | None]:
    """How many failures for (scope, key) after `since`, and the oldest of them.

    The window is open at `since`: a failure exactly one window old no longer counts, so
    a client that waits the Retry-After it was given is let through."""
    query = select(func.count(), func.min(auth_failures.c.at)).where(
        auth_failures.c.scope == scope,
        auth_failures.c.key == key[:254],
        auth_failures.c.at > since,
    )
    count, oldest = (await conn.execute(query)).one()
    return int(count), oldest


async def delete_failures(conn: AsyncConnection, scope: str, key: str) -> None:
    await conn.execute(
        delete(auth_failures).where(auth_failures.c.scope == scope, auth_failures.c.key == key)
    )


async def delete_failures_before(conn: AsyncConnection, before: datetime) -> int:
    result = await conn.execute(delete(auth_failures).where(auth_failures.c.at < before))
    return result.rowcount or 0
