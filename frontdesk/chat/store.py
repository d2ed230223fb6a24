"""Chat storage: SQL verbs over an AsyncConnection, returning models or None."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.chat.models import Chat, ChatMessage, ChatStatus
from frontdesk.db.tables import chat_messages, chats

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
)


def _chat(row: Any) -> Chat | None:
    return None if row is None else Chat.model_validate(row._mapping)


def _message(row: Any) -> ChatMessage | None:
    return None if row is None else ChatMessage.model_validate(row._mapping)


def _messages_query() -> Any:
    return select(*_MESSAGE_COLUMNS).join(chats, chats.c.id == chat_messages.c.chat_id)


async def insert_chat(conn: AsyncConnection, values: dict[str, Any]) -> int:
    result = await conn.execute(insert(chats).values(**values).returning(chats.c.id))
    return int(result.scalar_one())


async def select_chat(
    conn: AsyncConnection, public_id: str, *, for_update: bool = False
) -> Chat | None:
    """The chat, locked against concurrent writers until commit when `for_update`.

    PostgreSQL takes a row lock; SQLite renders no FOR UPDATE, but a writing
    transaction there holds the database's write lock from BEGIN IMMEDIATE on."""
    query = select(chats).where(chats.c.public_id == public_id)
    if for_update:
        query = query.with_for_update()
    return _chat((await conn.execute(query)).first())


async def select_chat_by_row_id(conn: AsyncConnection, row_id: int) -> Chat | None:
    return _chat((await conn.execute(select(chats).where(chats.c.id == row_id))).first())


async def select_open_chat_of_case(conn: AsyncConnection, case_id: int) -> Chat | None:
    query = select(chats).where(chats.c.open_case_id == case_id)
    return _chat((await conn.execute(query)).first())


async def update_chat(conn: AsyncConnection, chat_id: int, **values: Any) -> None:
    await conn.execute(update(chats).where(chats.c.id == chat_id).values(**values))


async def accept_chat(conn: AsyncConnection, chat_id: int, agent_id: int, now: datetime) -> bool:
    """Give a waiting chat to the agent; False if it is not waiting any more."""
    waiting = [ChatStatus.REQUESTED.value, ChatStatus.OFFERED.value]
    result = await conn.execute(
        update(chats)
        .where(chats.c.id == chat_id, chats.c.status.in_(waiting))
        .values(status=ChatStatus.ACTIVE.value, agent_id=agent_id, accepted_at=now)
        .returning(chats.c.id)
    )
    return result.first() is not None


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
    query = _messages_query().where(chat_messages.c.id == message_id)
    return _message((await conn.execute(query)).first())


async def select_message_by_client_id(
    conn: AsyncConnection, chat_id: int, client_msg_id: str
) -> ChatMessage | None:
    query = _messages_query().where(
        chat_messages.c.chat_id == chat_id, chat_messages.c.client_msg_id == client_msg_id
    )
    return _message((await conn.execute(query)).first())


async def select_messages(
    conn: AsyncConnection, chat_id: int, *, after_seq: int = 0
) -> list[ChatMessage]:
    """The chat's messages with a sequence number above `after_seq`, oldest first."""
    query = (
        _messages_query()
        .where(chat_messages.c.chat_id == chat_id, chat_messages.c.seq > after_seq)
        .order_by(chat_messages.c.seq)
    )
    return [m for m in map(_message, await conn.execute(query)) if m is not None]
