"""Files on cases: stream one onto a case (checked on the way in, cases/attachments.py),
list them, open one for download; only for the case's customer and staff."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.accounts.models import User
from frontdesk.cases import actions, store
from frontdesk.cases.attachments import AttachmentFiles, SavedFile
from frontdesk.cases.models import Attachment
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.errors import Code, NotFound


class CaseAttachments:
    def __init__(self, engine: AsyncEngine, clock: Clock, files: AttachmentFiles) -> None:
        self._engine = engine
        self._clock = clock
        self._files = files

    async def add_attachment(
        self,
        actor: User,
        number: str,
        filename: str,
        chunks: AsyncIterator[bytes],
        declared_size: int | None = None,
    ) -> Attachment:
        """Stream a file onto the case; `declared_size` (a Content-Length) lets a file that
        is too big be refused before any of it is read."""
        async with reading(self._engine) as conn:
            case = await actions.access_case(conn, actor, number)
        actions.require_open(case, allow_resolved=True)
        saved = await self.receive(filename, chunks, declared_size)
        try:
            async with transaction(self._engine) as conn:
                return await actions.record_attachment(conn, case, actor, saved, self._clock.now())
        except BaseException:
            self.discard(saved)  # nothing half-kept
            raise

    async def receive(
        self, filename: str, chunks: AsyncIterator[bytes], declared_size: int | None = None
    ) -> SavedFile:
        """The file checked by every rule of case attachments and kept, not yet on any
        case: the caller records it (actions.record_attachment) or discards it."""
        return await self._files.save(filename, chunks, declared_size)

    def discard(self, saved: SavedFile) -> None:
        self._files.discard(saved.stored_name)

    async def attachments(self, actor: User, number: str) -> list[Attachment]:
        async with reading(self._engine) as conn:
            case = await actions.access_case(conn, actor, number)
            return await store.select_attachments(conn, case.id)

    async def open_attachment(
        self, actor: User, number: str, attachment_id: int
    ) -> tuple[Attachment, Path]:
        async with reading(self._engine) as conn:
            case = await actions.access_case(conn, actor, number)
            attachment = await store.select_attachment(conn, case.id, attachment_id)
        if attachment is None:
            raise NotFound("We could not find that file", code=Code.ATTACHMENT_NOT_FOUND)
        return attachment, self._files.path_of(attachment.stored_name)
