"""Attachments API: streaming uploads to a case, downloads for its customer and staff.

POST takes the file itself as the body, named by `?name=`, and streams it into the case's
files: the 10 MB limit holds while it arrives, and a Content-Length over it is refused
before a byte is read. A multipart form with one or more `files` (the page's fallback
without JavaScript) is answered file by file: one refusal does not drop the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from urllib.parse import quote

from pydantic import BaseModel
from quart import Blueprint, Response, request
from quart.datastructures import FileStorage
from quart.wrappers.response import FileBody
from quart_schema import tag, validate_querystring, validate_response
from werkzeug.exceptions import RequestEntityTooLarge

from frontdesk.accounts.models import User
from frontdesk.cases.attachments import clean_name, too_large
from frontdesk.cases.models import Attachment
from frontdesk.errors import Code, Invalid, NotFound
from frontdesk.web.auth import current_user, require_user
from frontdesk.web.context import services

blueprint = Blueprint("attachments_api", __name__, url_prefix="/api/v1")

CHUNK_BYTES = 64 * 1024
FORM_FIELD = "files"
FORM_TOO_LARGE = "The files together are too large; attach them one at a time"


class AttachmentOut(BaseModel):
    id: int
    name: str
    size: int
    created_at: datetime

    @classmethod
    def of(cls, attachment: Attachment) -> AttachmentOut:
        return cls(
            id=attachment.id,
            name=attachment.original_name,
            size=attachment.size,
            created_at=attachment.created_at,
        )


class Refusal(BaseModel):
    code: str
    message: str


class UploadResult(BaseModel):
    """One file of a multipart upload: accepted (with the attachment) or refused."""

    name: str
    accepted: bool
    attachment: AttachmentOut | None = None
    error: Refusal | None = None


class UploadQuery(BaseModel):
    name: str | None = None


@blueprint.post("/cases/<number>/attachments")
@tag(["attachments"])
@validate_querystring(UploadQuery)
@validate_response(AttachmentOut, 201)
@validate_response(list[UploadResult], 200)
@require_user()
async def upload(
    number: str, query_args: UploadQuery
) -> tuple[AttachmentOut | list[UploadResult], int]:
    """Attach a file to the case: the raw file as the body with ?name=, answered 201; or
    a multipart form of `files`, answered 200 with a result per file."""
    user = _user()
    if request.mimetype == "multipart/form-data":
        return await upload_form(user, number), 200
    name = query_args.name or ""
    attachment = await services().attachments.add_attachment(
        user, number, name, body_chunks(name), request.content_length
    )
    return AttachmentOut.of(attachment), 201


@blueprint.get("/cases/<number>/attachments")
@tag(["attachments"])
@validate_response(list[AttachmentOut])
@require_user()
async def list_attachments(number: str) -> list[AttachmentOut]:
    """The case's files, oldest first."""
    found = await services().attachments.attachments(_user(), number)
    return [AttachmentOut.of(attachment) for attachment in found]


# `string:` spelled out: quart-schema's path pattern would otherwise run from <number> to
# the next colon, and list this route in /openapi.json as /cases/{attachment_id}.
@blueprint.get("/cases/<string:number>/attachments/<int:attachment_id>")
@tag(["attachments"])
@require_user()
async def download(number: str, attachment_id: int) -> Response:
    """The file, as a download that the browser neither renders nor caches."""
    attachment, path = await services().attachments.open_attachment(_user(), number, attachment_id)
    try:
        body = AttachmentBody(path, buffer_size=CHUNK_BYTES)
    except FileNotFoundError:
        raise NotFound("We could not find that file", code=Code.ATTACHMENT_NOT_FOUND) from None
    response = Response(body, content_type=attachment.content_type)
    response.content_length = body.size
    response.headers.update(download_headers(attachment.original_name))
    return response


class AttachmentBody(FileBody):
    """Quart's file body with the file opened and closed on the event loop (both are
    quick for a local file) and only the reads in a thread. Quart opens it in a thread
    too: a response cancelled during that open (a client gone, a node stopping) left the
    opened file to the garbage collector."""

    async def __aenter__(self) -> AttachmentBody:
        self._plain = self.file_path.open("rb")
        self._plain.seek(self.begin)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._plain.close()

    async def __anext__(self) -> bytes:
        left = self.end - self._plain.tell()
        if left <= 0:
            raise StopAsyncIteration()
        chunk = await asyncio.to_thread(self._plain.read, min(self.buffer_size, left))
        if not chunk:
            raise StopAsyncIteration()
        return chunk


def download_headers(name: str) -> dict[str, str]:
    return {
        "Content-Disposition": content_disposition(name),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        # Should a browser still open it in a tab: no scripts, no requests, no origin.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }


def content_disposition(name: str) -> str:
    """`attachment` with the name twice (RFC 6266): an ASCII stand-in for old clients and
    the exact name percent-encoded as UTF-8 in filename*."""
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\%;' else "_" for ch in name)
    encoded = quote(name, safe="")
    return f"attachment; filename=\"{fallback.strip() or 'download'}\"; filename*=UTF-8''{encoded}"


def _user() -> User:
    user = current_user()
    assert user is not None  # require_user let the request in
    return user


async def body_chunks(name: str) -> AsyncIterator[bytes]:
    """The request body as it arrives. Quart refuses once more than MAX_CONTENT_LENGTH
    waits unread; that too is a file too large."""
    try:
        async for chunk in request.body:
            yield chunk
    except RequestEntityTooLarge:
        raise too_large(clean_name(name)) from None


def form_too_large() -> Invalid:
    return Invalid(
        FORM_TOO_LARGE, code=Code.ATTACHMENT_FORM_TOO_LARGE, fields={FORM_FIELD: FORM_TOO_LARGE}
    )


async def upload_form(user: User, number: str) -> list[UploadResult]:
    """The request's multipart `files`, each attached or refused on its own: for this API
    and the case page's form (web/cases_pages.py)."""
    await services().cases.access_case(user, number)  # another's case: 404 before reading
    try:  # a file input left empty still sends a part, with no name
        files = [file for file in (await request.files).getlist(FORM_FIELD) if file.filename]
    except RequestEntityTooLarge:
        raise form_too_large() from None
    if not files:
        message = "Choose a file to attach"
        raise Invalid(message, code=Code.ATTACHMENT_NO_FILES, fields={FORM_FIELD: message})
    return [await _attach_one(user, number, file) for file in files]


async def _attach_one(user: User, number: str, file: FileStorage) -> UploadResult:
    name = file.filename or ""
    try:
        attachment = await services().attachments.add_attachment(
            user, number, name, _file_chunks(file)
        )
    except Invalid as refusal:
        error = Refusal(code=refusal.code, message=refusal.message)
        return UploadResult(name=name, accepted=False, error=error)
    finally:
        file.close()
    return UploadResult(
        name=attachment.original_name, accepted=True, attachment=AttachmentOut.of(attachment)
    )


async def _file_chunks(file: FileStorage) -> AsyncIterator[bytes]:
    """A form's file, already spooled by Quart (to disk past 500 KB), read in a thread."""
    while chunk := await asyncio.to_thread(file.stream.read, CHUNK_BYTES):
        yield chunk
