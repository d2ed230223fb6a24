"""Chat storage: SQL verbs over an AsyncConnection, returning models or None."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.chat.models import (
    OPEN_CHAT_STATUSES,
    Chat,
    ChatBeat,
    ChatFile,
    ChatMessage,
    ChatStatus,
)
from frontdesk.db.tables import attachments, cases, chat_agents, chat_messages, chats, users

_MESSAGE_COLUMNS = (
    chat_messages.c.id,
    chats.c.public_id.label("chat_id"),
    chat_messages.c.seq,
    chat_messages.c.sender_id,
    chat_messages.c.sender_role,
    chat_messages.c.sender_name,
    chat_messages.c.client_msg_id,
    chat_messages.c.body,
    chat_messages.c.created_at,
    # A shared file's name and size, and the number of the case it is attached to.
    attachments.c.id.label("file_id"),
    attachments.c.original_name.label("file_name"),
    attachments.c.size.label("file_size"),
    cases.c.number.label("file_case_number"),
)


def _chat(row: Any) -> Chat | None:
    return None if row is None else Chat.model_validate(row._mapping)


def _message(row: Any) -> ChatMessage | None:
    return None if row is None else message_of(row._mapping)


def message_of(mapping: Any) -> ChatMessage:
    """A message from a row of messages_query()."""
    values = dict(mapping)
    file_id = values.pop("file_id", None)
    shared = (values.pop("file_name", None), values.pop("file_size", None))
    case_number = values.pop("file_case_number", None)
    if file_id is not None:
        name, size = shared
        values["attachment"] = ChatFile(
            attachment_id=file_id, name=name, size=size, case_number=case_number
        )
    return ChatMessage.model_validate(values)


def messages_query() -> Any:
    """Messages with their chat's public id, and the file a message shares, if any."""
    return (
        select(*_MESSAGE_COLUMNS)
        .join(chats, chats.c.id == chat_messages.c.chat_id)
        .outerjoin(attachments, attachments.c.id == chat_messages.c.attachment_id)
        .outerjoin(cases, cases.c.id == attachments.c.case_id)
    )


# The statements of live chat's hot paths (a request, an offer, an accept, a view), built
# once: building one cost more than running it on SQLite (~120 against ~90 us).
_CHAT = select(chats).where(chats.c.public_id == bindparam("public_id"))
_CHAT_FOR_UPDATE = _CHAT.with_for_update()
_CHAT_BY_ROW_ID = select(chats).where(chats.c.id == bindparam("row_id"))
_OPEN_CHAT_OF_CASE = select(chats).where(chats.c.open_case_id == bindparam("case_id"))
# Each change of a chat's state reads the chat back in the same statement (RETURNING),
# and tests its state with OR rather than IN: SQLAlchemy renders an IN list afresh on
# every execution.
_INSERT_CHAT = insert(chats).returning(*chats.c)
_ACCEPT = (
    update(chats)
    .where(
        chats.c.public_id == bindparam("chat"),
        or_(
            chats.c.status == ChatStatus.REQUESTED.value,
            chats.c.status == ChatStatus.OFFERED.value,
        ),
    )
    .values(
        status=ChatStatus.ACTIVE.value, agent_id=bindparam("agent"), accepted_at=bindparam("now")
    )
    .returning(*chats.c)
)
_MARK_OFFERED = (
    update(chats)
    .where(
        chats.c.public_id == bindparam("chat"),
        chats.c.status == ChatStatus.REQUESTED.value,
    )
    .values(status=ChatStatus.OFFERED.value)
    .returning(chats.c.case_id)
)
_MESSAGES_AFTER = (
    messages_query()
    .where(
        chat_messages.c.chat_id == bindparam("row_id"),
        chat_messages.c.seq > bindparam("after_seq"),
    )
    .order_by(chat_messages.c.seq)
)


async def insert_chat(conn: AsyncConnection, values: dict[str, Any]) -> Chat:
    chat = _chat((await conn.execute(_INSERT_CHAT, values)).one())
    assert chat is not None
    return chat


async def select_chat(
    conn: AsyncConnection, public_id: str, *, for_update: bool = False
) -> Chat | None:
    """The chat, locked against concurrent writers until commit when `for_update`.

    PostgreSQL takes a row lock; SQLite renders no FOR UPDATE, but a writing
    transaction there holds the database's write lock from BEGIN IMMEDIATE on."""
    query = _CHAT_FOR_UPDATE if for_update else _CHAT
    return _chat((await conn.execute(query, {"public_id": public_id})).first())


async def select_chat_by_row_id(conn: AsyncConnection, row_id: int) -> Chat | None:
    return _chat((await conn.execute(_CHAT_BY_ROW_ID, {"row_id": row_id})).first())


async def select_open_chat_of_case(conn: AsyncConnection, case_id: int) -> Chat | None:
    return _chat((await conn.execute(_OPEN_CHAT_OF_CASE, {"case_id": case_id})).first())


async def update_chat(conn: AsyncConnection, chat_id: int, **values: Any) -> None:
    await conn.execute(update(chats).where(chats.c.id == chat_id).values(**values))


async def accept_chat(
    conn: AsyncConnection, public_id: str, agent_id: int, now: datetime
) -> Chat | None:
    """Give a waiting chat to the agent: the chat as it is now, or None if there is no
    such chat waiting (gone, ended, or another agent's)."""
    values = {"chat": public_id, "agent": agent_id, "now": now}
    return _chat((await conn.execute(_ACCEPT, values)).first())


async def next_seq(conn: AsyncConnection, chat_id: int) -> int:
    """Raise the chat's last sequence number by one and return it.

    The increment is one UPDATE in the caller's transaction: concurrent posters queue on
    the row (PostgreSQL) or the write lock (SQLite), so no two get the same number, and
    a rolled-back post gives its number back."""
    result = await conn.execute(
        update(chats)
        .where(chats.c.id == chat_id)
        .values(last_seq=chats.c.last_seq + 1)
        .returning(chats.c.last_seq)
    )
    return int(result.scalar_one())


async def insert_message(conn: AsyncConnection, values: dict[str, Any]) -> int:
    result = await conn.execute(
        insert(chat_messages).values(**values).returning(chat_messages.c.id)
    )
    return int(result.scalar_one())


async def select_message(conn: AsyncConnection, message_id: int) -> ChatMessage | None:
    query = messages_query().where(chat_messages.c.id == message_id)
    return _message((await conn.execute(query)).first())


async def select_message_by_client_id(
    conn: AsyncConnection, chat_id: int, client_msg_id: str
) -> ChatMessage | None:
    query = messages_query().where(
        chat_messages.c.chat_id == chat_id, chat_messages.c.client_msg_id == client_msg_id
    )
    return _message((await conn.execute(query)).first())


async def select_messages(
    conn: AsyncConnection, chat_id: int, *, after_seq: int = 0
) -> list[ChatMessage]:
    """The chat's messages with a sequence number above `after_seq`, oldest first."""
    rows = await conn.execute(_MESSAGES_AFTER, {"row_id": chat_id, "after_seq": after_seq})
    return [m for m in map(_message, rows) if m is not None]


OPEN_STATUSES = [s.value for s in OPEN_CHAT_STATUSES]


async def mark_offered(conn: AsyncConnection, public_id: str) -> int | None:
    """A waiting chat is being offered: its case's id, or None if the chat no longer
    waits (or never did)."""
    row = (await conn.execute(_MARK_OFFERED, {"chat": public_id})).first()
    return None if row is None else int(row.case_id)


async def return_to_queue(conn: AsyncConnection, chat_id: int, **values: Any) -> bool:
    """An open chat waits again (an offer lapsed, its agent vanished, a transfer);
    False if it has ended."""
    result = await conn.execute(
        update(chats)
        .where(chats.c.id == chat_id, chats.c.status.in_(OPEN_STATUSES))
        .values(status=ChatStatus.REQUESTED.value, agent_id=None, accepted_at=None, **values)
        .returning(chats.c.id)
    )
    return result.first() is not None


_OPEN_CHAT_BEATS = select(
    chats.c.public_id, chats.c.last_seq, chats.c.status, chats.c.agent_id
).where(chats.c.status.in_(OPEN_STATUSES))


async def select_open_chat_beats(conn: AsyncConnection) -> list[ChatBeat]:
    """Where each open chat stands: read every few seconds for thousands of chats, so
    four columns as plain tuples (a Chat model each held the loop ~25 us a chat)."""
    return [ChatBeat(*row) for row in await conn.execute(_OPEN_CHAT_BEATS)]


async def select_open_chats(conn: AsyncConnection) -> list[Chat]:
    """Every chat not yet ended, oldest first: what a rebuilt queue starts from."""
    query = select(chats).where(chats.c.status.in_(OPEN_STATUSES)).order_by(chats.c.requested_at)
    return [c for c in map(_chat, await conn.execute(query)) if c is not None]


async def select_customer_chats(conn: AsyncConnection, customer_id: int) -> list[Chat]:
    """The customer's chats not yet ended (waiting, offered or active), oldest first; the
    status index finds the few open chats, and they are filtered by customer."""
    query = (
        select(chats)
        .where(chats.c.status.in_(OPEN_STATUSES), chats.c.customer_id == customer_id)
        .order_by(chats.c.requested_at)
    )
    return [c for c in map(_chat, await conn.execute(query)) if c is not None]


async def select_agent_chats(conn: AsyncConnection, agent_id: int) -> list[Chat]:
    """The agent's accepted chats still going, oldest first."""
    query = (
        select(chats)
        .where(chats.c.agent_id == agent_id, chats.c.status == ChatStatus.ACTIVE.value)
        .order_by(chats.c.accepted_at)
    )
    return [c for c in map(_chat, await conn.execute(query)) if c is not None]


async def select_group_times(
    conn: AsyncConnection, group: str, *, since: datetime
) -> list[tuple[datetime, datetime | None, datetime | None]]:
    """(requested_at, accepted_at, ended_at) of a group's chats requested since `since`."""
    query = select(chats.c.requested_at, chats.c.accepted_at, chats.c.ended_at).where(
        chats.c.group_name == group, chats.c.requested_at >= since
    )
    return [(r.requested_at, r.accepted_at, r.ended_at) for r in await conn.execute(query)]


async def select_recent_handle_times(
    conn: AsyncConnection, group: str, *, limit: int
) -> list[tuple[datetime, datetime]]:
    """(accepted_at, ended_at) of the group's latest chats an agent answered and ended."""
    query = (
        select(chats.c.accepted_at, chats.c.ended_at)
        .where(
            chats.c.group_name == group,
            chats.c.status == ChatStatus.ENDED.value,
            chats.c.accepted_at.is_not(None),
        )
        .order_by(chats.c.ended_at.desc())
        .limit(limit)
    )
    return [(r.accepted_at, r.ended_at) for r in await conn.execute(query)]


async def select_chat_agent(conn: AsyncConnection, user_id: int) -> dict[str, Any] | None:
    row = (await conn.execute(select(chat_agents).where(chat_agents.c.user_id == user_id))).first()
    return None if row is None else dict(row._mapping)


async def select_chat_agents(conn: AsyncConnection) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in await conn.execute(select(chat_agents))]


async def upsert_chat_agent(conn: AsyncConnection, user_id: int, values: dict[str, Any]) -> None:
    found = await conn.execute(
        update(chat_agents).where(chat_agents.c.user_id == user_id).values(**values)
    )
    if found.rowcount == 0:
        await conn.execute(insert(chat_agents).values(user_id=user_id, **values))


async def count_active_chats(conn: AsyncConnection, group: str) -> int:
    query = select(func.count()).where(
        chats.c.group_name == group, chats.c.status == ChatStatus.ACTIVE.value
    )
    return int((await conn.execute(query)).scalar_one())


_USER_NAME = select(users.c.first_name, users.c.last_name).where(users.c.id == bindparam("user_id"))


async def select_user_name(conn: AsyncConnection, user_id: int) -> str | None:
    """One person's name (a chat's agent, on every view of the chat)."""
    row = (await conn.execute(_USER_NAME, {"user_id": user_id})).first()
    return None if row is None else f"{row.first_name} {row.last_name}"


async def select_user_names(conn: AsyncConnection, user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    query = select(users.c.id, users.c.first_name, users.c.last_name).where(
        users.c.id.in_(user_ids)
    )
    return {row.id: f"{row.first_name} {row.last_name}" for row in await conn.execute(query)}


# The supervisor's desk: every open chat, with what a supervisor reads at a glance ---------

_WAITING = [ChatStatus.REQUESTED.value, ChatStatus.OFFERED.value]
# Named as the desk's shapes name them (chat/protocol.py WaitingChatOut, ActiveChatOut).
_DESK_COLUMNS = (
    chats.c.public_id.label("chat_id"),
    cases.c.number.label("case_number"),
    chats.c.group_name.label("group"),
    (cases.c.contact_first_name + " " + cases.c.contact_last_name).label("customer_name"),
)


async def count_desk_chats(conn: AsyncConnection) -> dict[str, int]:
    """How many chats wait (requested or offered) and how many are active."""
    query = (
        select(chats.c.status, func.count())
        .where(chats.c.status.in_(OPEN_STATUSES))
        .group_by(chats.c.status)
    )
    counts = {row[0]: int(row[1]) for row in await conn.execute(query)}
    waiting = sum(counts.get(status, 0) for status in _WAITING)
    return {"waiting": waiting, "active": counts.get(ChatStatus.ACTIVE.value, 0)}


async def select_desk_waiting(conn: AsyncConnection, *, limit: int) -> list[dict[str, Any]]:
    """Waiting chats, the longest waiting first: id, case number, group, customer, when
    asked for."""
    query = (
        select(*_DESK_COLUMNS, chats.c.requested_at)
        .join(cases, cases.c.id == chats.c.case_id)
        .where(chats.c.status.in_(_WAITING))
        .order_by(chats.c.requested_at, chats.c.public_id)
        .limit(limit)
    )  # fmt: skip
    return [dict(row._mapping) for row in await conn.execute(query)]


async def select_desk_active(conn: AsyncConnection, *, limit: int) -> list[dict[str, Any]]:
    """Active chats, those with most unread first: id, case number, group, customer,
    agent, when answered, the last message's time, and `unread`, the customer's messages
    after the agent's latest (what waits for the agent)."""
    mine = chat_messages.alias("mine")
    agent_last_seq = (
        select(func.coalesce(func.max(mine.c.seq), 0))
        .where(mine.c.chat_id == chats.c.id, mine.c.sender_id == chats.c.agent_id)
        .scalar_subquery()
    )
    unread = (
        select(func.count())
        .select_from(chat_messages)
        .where(chat_messages.c.chat_id == chats.c.id,
               chat_messages.c.sender_id == chats.c.customer_id,
               chat_messages.c.seq > agent_last_seq)
        .scalar_subquery()
        .label("unread")
    )  # fmt: skip
    last = chat_messages.alias("last")
    query = (
        select(*_DESK_COLUMNS, chats.c.agent_id,
               (users.c.first_name + " " + users.c.last_name).label("agent_name"),
               chats.c.accepted_at, last.c.created_at.label("last_message_at"), unread)
        .join(cases, cases.c.id == chats.c.case_id)
        .join(users, users.c.id == chats.c.agent_id)
        .outerjoin(last, and_(last.c.chat_id == chats.c.id, last.c.seq == chats.c.last_seq))
        .where(chats.c.status == ChatStatus.ACTIVE.value)
        .order_by(unread.desc(), chats.c.accepted_at, chats.c.public_id)
        .limit(limit)
    )  # fmt: skip
    return [dict(row._mapping) for row in await conn.execute(query)]


async def select_agent_chat_times(
    conn: AsyncConnection, agent_ids: list[int], *, since: datetime
) -> dict[int, dict[str, Any]]:
    """Per agent: `chats` active now, `busy_since` (the earliest of those was answered),
    `last_ended_at` (its latest chat ended since `since`)."""
    if not agent_ids:
        return {}
    active = ChatStatus.ACTIVE.value
    query = (
        select(
            chats.c.agent_id,
            func.count().filter(chats.c.status == active).label("chats"),
            func.min(chats.c.accepted_at).filter(chats.c.status == active).label("busy_since"),
            func.max(chats.c.ended_at).label("last_ended_at"),
        )
        .where(
            chats.c.agent_id.in_(agent_ids),
            (chats.c.status == active) | (chats.c.ended_at >= since),
        )
        .group_by(chats.c.agent_id)
    )
    return {row.agent_id: dict(row._mapping) for row in await conn.execute(query)}
