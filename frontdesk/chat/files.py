"""Files shared in a chat: each one checked and kept exactly as a case attachment is
(cases/uploads.py, cases/attachments.py), attached to the chat's case, and posted in the
chat as a message that carries it, all in one transaction.

Only the two people of an active chat may share: its customer and the agent holding it.
Anyone else is told there is no such chat (NotFound), as for every chat not theirs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.accounts.models import User
from frontdesk.cases import actions
from frontdesk.cases.actions import role_label
from frontdesk.cases.models import Case
from frontdesk.cases.uploads import CaseAttachments
from frontdesk.chat import store
from frontdesk.chat.models import Chat, ChatMessage, ChatStatus
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.errors import Code, Conflict, NotFound


class ChatFiles:
    def __init__(self, engine: AsyncEngine, clock: Clock, attachments: CaseAttachments) -> None:
        self._engine = engine
        self._clock = clock
        self._attachments = attachments

    async def share(
        self,
        sender: User,
        chat_id: str,
        filename: str,
        chunks: AsyncIterator[bytes],
        declared_size: int | None = None,
    ) -> tuple[Chat, ChatMessage]:
        """Stream a file into the chat: refused before a byte is read when the sender
        may not share there, or the declared size is too big; refused with nothing kept
        when any rule of case attachments fails. The chat and the message sharing it."""
        async with reading(self._engine) as conn:
            await self._sharing_chat(conn, sender, chat_id)
        saved = await self._attachments.receive(filename, chunks, declared_size)
        try:
            async with transaction(self._engine) as conn:
                # Again, locked: the chat may have ended while the file arrived.
                chat, case = await self._sharing_chat(conn, sender, chat_id, for_update=True)
                now = self._clock.now()
                attachment = await actions.record_attachment(conn, case, sender, saved, now)
                message_id = await store.insert_message(
                    conn,
                    {
                        "chat_id": chat.id, "seq": await store.next_seq(conn, chat.id),
                        "sender_id": sender.id, "sender_role": role_label(sender),
                        "sender_name": sender.display_name, "client_msg_id": None,
                        "body": attachment.original_name, "created_at": now,
                        "attachment_id": attachment.id,
                    },
                )  # fmt: skip
                message = await store.select_message(conn, message_id)
                chat = await store.select_chat_by_row_id(conn, chat.id) or chat
        except BaseException:
            self._attachments.discard(saved)  # nothing half-kept
            raise
        assert message is not None, "read back in its own transaction"
        return chat, message

    async def _sharing_chat(
        self, conn: AsyncConnection, sender: User, chat_id: str, *, for_update: bool = False
    ) -> tuple[Chat, Case]:
        """The chat, active, with `sender` one of its two people, and its open case."""
        chat = await store.select_chat(conn, chat_id, for_update=for_update)
        if chat is None or not chat.has_participant(sender.id):
            raise NotFound("We could not find that chat", code=Code.CHAT_NOT_FOUND)
        if chat.status is ChatStatus.ENDED:
            raise Conflict("This chat has ended", code=Code.CHAT_ENDED)
        if chat.status is not ChatStatus.ACTIVE:
            raise Conflict(
                "Files can be shared once an agent has joined the chat", code=Code.CHAT_NOT_ACTIVE
            )
        case = await actions.case_by_id(conn, chat.case_id)
        actions.require_open(case, allow_resolved=True)  # as on the case page
        return chat, case
