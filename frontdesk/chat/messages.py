"""MessageWriter: chat messages stored in batches, a handful of statements per batch.

A message is stored before anyone hears of it, so the store's write path sets the pace
of every chat. One transaction per message holds the store's write lock (all of SQLite;
the chat's row on PostgreSQL) across four round trips, each waiting its turn on a busy
event loop: a node topped out near 200 messages a second. Here the messages that arrive
while a batch is being written form the next batch (group commit), and a batch costs the
same statements whatever its size: lock the chats, insert the new messages, raise the
chats' last numbers. A resent client id is rare, so it is not looked up first: the
UNIQUE (chat, client id) refuses the batch, which is then written again with the lookup.
The whole batch is one plain function: on SQLite it runs on the loop's thread without a
pause (db/inline.py), straight on the driver (`_DriverStatements`); run on a thread of
its own it was slower (1,580 against 1,726 messages/s closed loop, fixed-rate p99 131
against 56 ms), the two threads taking turns at the GIL.

Every rule of a single post holds per message: numbers 1, 2, 3... per chat with no gap
or repeat; a repeated client_msg_id returns the stored message; an ended chat, another
customer's chat or a non-participant is refused, and only that message fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.accounts.models import Role, User
from frontdesk.chat import store
from frontdesk.chat.models import Chat, ChatMessage, ChatStatus, MessageIn
from frontdesk.clock import Clock
from frontdesk.db import driver_rows
from frontdesk.db.engine import driver_transaction, has_driver_writes, transaction
from frontdesk.db.tables import chat_messages, chats
from frontdesk.errors import Code, Conflict, Forbidden, FrontdeskError, NotFound

log = logging.getLogger(__name__)

# Messages written in one transaction at most; more wait for the next batch.
MAX_BATCH = 500

Posted = tuple[Chat, ChatMessage]


@dataclass
class _Post:
    chat_id: str
    sender: User
    message: MessageIn
    sender_role: str
    done: asyncio.Future[Posted] = field(repr=False)


class MessageWriter:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._waiting: list[_Post] = []
        self._task: asyncio.Task[None] | None = None

    async def post(self, chat_id: str, sender: User, message: MessageIn, role: str) -> Posted:
        """Store one message (in the next batch) and return the chat and the message."""
        done: asyncio.Future[Posted] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Post(chat_id, sender, message, role, done))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write_while_waiting(), name="chat-writer")
        return await done

    async def aclose(self) -> None:
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task  # what was accepted is written before the node stops

    async def _write_while_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            results: list[Posted | Exception]
            try:
                results = list(await self._write(batch))
            except Exception as error:  # the store failed: every sender may retry
                log.exception("storing %d chat messages failed", len(batch))
                results = [error] * len(batch)
            for post, result in zip(batch, results, strict=True):
                if post.done.done():
                    continue  # the sender gave up waiting
                if isinstance(result, BaseException):
                    post.done.set_exception(result)
                else:
                    post.done.set_result(result)

    async def _write(self, batch: list[_Post]) -> list[Posted | FrontdeskError]:
        now = self._clock.now()
        try:
            # Most batches hold no resend: the UNIQUE (chat, client id) says if one does.
            if has_driver_writes(self._engine):
                rows = _driver_rows(self._engine.dialect)
                return await driver_transaction(
                    self._engine, lambda conn: _write_batch(rows.on(conn), batch, now)
                )
            return await self._write_with_core(batch, now, look_up_resends=False)
        except (IntegrityError, sqlite3.IntegrityError):
            return await self._write_with_core(batch, now, look_up_resends=True)

    async def _write_with_core(
        self, batch: list[_Post], now: datetime, *, look_up_resends: bool
    ) -> list[Posted | FrontdeskError]:
        def write(conn: Connection) -> list[Posted | FrontdeskError]:
            return _write_batch(_CoreRows(conn, look_up_resends), batch, now)

        async with transaction(self._engine) as conn:
            return await conn.run_sync(write)


class _Rows(Protocol):
    """The batch's three statements, over SQLAlchemy or straight on SQLite's driver."""

    def lock_chats(self, public_ids: set[str]) -> dict[str, Chat]: ...

    def stored_by_client_id(
        self, found: Iterable[Chat], batch: list[_Post]
    ) -> dict[tuple[int, str], Any]: ...

    def insert(self, rows: list[dict[str, Any]]) -> None: ...

    def raise_last_seqs(self, changed: list[tuple[int, int]]) -> None: ...


def _write_batch(rows: _Rows, batch: list[_Post], now: datetime) -> list[Posted | FrontdeskError]:
    found = rows.lock_chats({post.chat_id for post in batch})
    known = rows.stored_by_client_id(found.values(), batch)
    results: list[Posted | FrontdeskError] = []
    new_rows: list[dict[str, Any]] = []
    last_seq = {chat.id: chat.last_seq for chat in found.values()}
    for post in batch:
        results.append(_place(post, found.get(post.chat_id), known, last_seq, new_rows, now))
    rows.insert(new_rows)
    raised = [chat for chat in found.values() if last_seq[chat.id] != chat.last_seq]
    rows.raise_last_seqs([(chat.id, last_seq[chat.id]) for chat in raised])
    return [r if isinstance(r, FrontdeskError) else _resolve(r, last_seq) for r in results]


def _place(
    post: _Post,
    chat: Chat | None,
    known: dict[tuple[int, str], Any],
    last_seq: dict[int, int],
    new_rows: list[dict[str, Any]],
    now: datetime,
) -> Posted | FrontdeskError:
    """Check one message against its chat and give it a number, or the error."""
    refusal = _refusal(chat, post.sender)
    if refusal is not None:
        return refusal
    assert chat is not None
    key = (chat.id, post.message.client_msg_id)
    if key in known:
        stored = known[key]
        sender_id = stored["sender_id"] if isinstance(stored, dict) else stored.sender_id
        if sender_id != post.sender.id:
            return Conflict("That message id is already in use", code=Code.CLIENT_MSG_ID_IN_USE)
        return (chat, stored)  # the stored message, read or written in this batch
    if chat.status is ChatStatus.ENDED:
        return Conflict("This chat has ended", code=Code.CHAT_ENDED)
    last_seq[chat.id] += 1
    row = {
        "chat_id": chat.id, "seq": last_seq[chat.id], "sender_id": post.sender.id,
        "sender_role": post.sender_role, "sender_name": post.sender.display_name,
        "client_msg_id": post.message.client_msg_id, "body": post.message.body,
        "created_at": now,
    }  # fmt: skip
    new_rows.append(row)
    known[key] = row  # a repeat later in this batch gets this message
    return (chat, row)  # type: ignore[return-value]


def _refusal(chat: Chat | None, sender: User) -> FrontdeskError | None:
    if chat is None or (sender.role is Role.CUSTOMER and chat.customer_id != sender.id):
        return NotFound("We could not find that chat", code=Code.CHAT_NOT_FOUND)
    if not chat.has_participant(sender.id):
        return Forbidden("Only the customer and the agent of a chat can post in it")
    return None


# The batch's statements, built once: building one costs more than running it on SQLite
# (a batch of one message took 1.7 ms of CPU, most of it in SQLAlchemy's constructors).
_LOCK_CHATS = (
    select(chats)
    .where(chats.c.public_id.in_(bindparam("public_ids", expanding=True)))
    .order_by(chats.c.id)
    .with_for_update()
)
_RESENDS = (
    store.messages_query()
    .add_columns(chat_messages.c.chat_id.label("row_chat"))
    .where(
        chat_messages.c.chat_id.in_(bindparam("chat_ids", expanding=True)),
        chat_messages.c.client_msg_id.in_(bindparam("client_ids", expanding=True)),
    )
)
_INSERT = insert(chat_messages).returning(chat_messages.c.id, sort_by_parameter_order=True)
_RAISE_LAST_SEQ = (
    update(chats).where(chats.c.id == bindparam("row_id")).values(last_seq=bindparam("new_seq"))
)


class _CoreRows:
    """Through SQLAlchemy: PostgreSQL, and any batch that holds a resend."""

    def __init__(self, conn: Connection, look_up_resends: bool) -> None:
        self._conn = conn
        self._look_up_resends = look_up_resends

    def lock_chats(self, public_ids: set[str]) -> dict[str, Chat]:
        """The chats, locked against other writers until commit (PostgreSQL row locks;
        SQLite's BEGIN IMMEDIATE already holds the database's write lock)."""
        rows = self._conn.execute(_LOCK_CHATS, {"public_ids": sorted(public_ids)}).all()
        return {row.public_id: Chat.model_validate(row._mapping) for row in rows}

    def stored_by_client_id(
        self, found: Iterable[Chat], batch: list[_Post]
    ) -> dict[tuple[int, str], Any]:
        if not self._look_up_resends:
            return {}
        return _stored_by_client_id(self._conn, found, batch)

    def insert(self, rows: list[dict[str, Any]]) -> None:
        """One multi-row INSERT; each row learns its id."""
        if not rows:
            return
        result = self._conn.execute(_INSERT, rows)
        for row, (row_id,) in zip(rows, result.all(), strict=True):
            row["id"] = row_id

    def raise_last_seqs(self, changed: list[tuple[int, int]]) -> None:
        if changed:
            params = [{"row_id": row_id, "new_seq": seq} for row_id, seq in changed]
            self._conn.execute(_RAISE_LAST_SEQ, params)


def _stored_by_client_id(
    conn: Connection, found: Iterable[Chat], batch: list[_Post]
) -> dict[tuple[int, str], Any]:
    """Messages already stored under the client ids of this batch, by (chat, client id)."""
    chat_ids = [chat.id for chat in found]
    client_ids = sorted({post.message.client_msg_id for post in batch})
    if not chat_ids:
        return {}
    stored: dict[tuple[int, str], Any] = {}
    for row in conn.execute(_RESENDS, {"chat_ids": chat_ids, "client_ids": client_ids}):
        message = store.message_of(row._mapping)
        stored[(row.row_chat, str(message.client_msg_id))] = message
    return stored


_NEW_MESSAGE_COLUMNS = (
    "chat_id", "seq", "sender_id", "sender_role", "sender_name", "client_msg_id", "body",
    "created_at",
)  # fmt: skip


class _DriverStatements:
    """The batch on SQLite's driver, without SQLAlchemy, whose execution of the three
    statements cost the loop several times what SQLite takes to run them: with it gone
    a node's CPU per message fell by a fifth (bench/README.md, "the message batch on
    the driver"). A resend is looked up through SQLAlchemy (`_CoreRows`): it is rare."""

    def __init__(self, dialect: Dialect) -> None:
        # Built from the tables' own column names, never from input.
        columns = list(chats.c)
        self.lock_chats = (
            f"SELECT {driver_rows.column_list(columns, dialect)} FROM chats"  # noqa: S608
            " WHERE public_id IN (SELECT value FROM json_each(?)) ORDER BY id"
        )
        self.read_chat = driver_rows.row_reader(columns, dialect)
        names, marks = ", ".join(_NEW_MESSAGE_COLUMNS), ", ".join("?" * len(_NEW_MESSAGE_COLUMNS))
        self.insert = f"INSERT INTO chat_messages ({names}) VALUES ({marks})"  # noqa: S608
        self.stored_at = driver_rows.to_store(chat_messages.c.created_at, dialect)
        self.raise_last_seq = "UPDATE chats SET last_seq = ? WHERE id = ?"

    def on(self, conn: sqlite3.Connection) -> _DriverRows:
        return _DriverRows(conn, self)


@functools.cache
def _driver_rows(dialect: Dialect) -> _DriverStatements:
    return _DriverStatements(dialect)


class _DriverRows:
    def __init__(self, conn: sqlite3.Connection, statements: _DriverStatements) -> None:
        self._conn = conn
        self._sql = statements

    def lock_chats(self, public_ids: set[str]) -> dict[str, Chat]:
        # The ids as one JSON array: one statement text, prepared once, for any batch.
        rows = self._conn.execute(self._sql.lock_chats, (json.dumps(sorted(public_ids)),))
        chats_found = (Chat.model_validate(self._sql.read_chat(row)) for row in rows)
        return {chat.public_id: chat for chat in chats_found}

    def stored_by_client_id(
        self, found: Iterable[Chat], batch: list[_Post]
    ) -> dict[tuple[int, str], Any]:
        return {}

    def insert(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            values = [row[name] for name in _NEW_MESSAGE_COLUMNS]
            values[-1] = self._sql.stored_at(values[-1])
            row["id"] = self._conn.execute(self._sql.insert, values).lastrowid

    def raise_last_seqs(self, changed: list[tuple[int, int]]) -> None:
        if changed:
            self._conn.executemany(self._sql.raise_last_seq, [(s, i) for i, s in changed])


def _resolve(placed: Posted, last_seq: dict[int, int]) -> Posted | FrontdeskError:
    chat, message = placed
    if isinstance(message, dict):  # stored in this batch
        message = ChatMessage.model_validate({**message, "chat_id": chat.public_id})
    return chat.model_copy(update={"last_seq": last_seq[chat.id]}), message
