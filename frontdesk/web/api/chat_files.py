"""Files shared in a chat, over HTTP: a file is too big for a socket event, and this way
it streams through the same checks as any case attachment (web/api/attachments.py).

POST takes the file itself as the body, named by `?name=`; the answer is the chat
message that carries it, which both sides (and staff following the chat) are also told
of over their sockets, as message_created. It downloads from the chat's case.
"""

from __future__ import annotations

import re

from quart import Blueprint, request
from quart_schema import tag, validate_querystring, validate_response

from frontdesk.chat.protocol import MessageOut
from frontdesk.errors import Code, NotFound
from frontdesk.web.api.attachments import UploadQuery, body_chunks
from frontdesk.web.auth import current_user, require_user
from frontdesk.web.context import services

blueprint = Blueprint("chat_files_api", __name__, url_prefix="/api/v1")

CHAT_ID = re.compile(r"[0-9a-f]{1,32}")


@blueprint.post("/chats/<chat_id>/attachments")
@tag(["chats"])
@validate_querystring(UploadQuery)
@validate_response(MessageOut, 201)
@require_user()
async def share_file(chat_id: str, query_args: UploadQuery) -> tuple[MessageOut, int]:
    """Share a file in an active chat, as its customer or the agent holding it (anyone
    else: 404): the raw file as the body with ?name=; checked as case attachments are,
    kept as an attachment of the chat's case, and answered 201 with the chat message
    that carries it (its `attachment.url` downloads it)."""
    user = current_user()
    assert user is not None  # require_user let the request in
    if not CHAT_ID.fullmatch(chat_id):
        raise NotFound("We could not find that chat", code=Code.CHAT_NOT_FOUND)
    name = query_args.name or ""
    message = await services().live.share_file(
        user, chat_id, name, body_chunks(name), request.content_length
    )
    return MessageOut.of(message), 201
