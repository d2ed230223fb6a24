"""Community discussions: threads and replies, imported or posted by signed-in visitors;
staff mark the reply that answers. Every thread is also a search document, which
KnowledgeBase (service.py) finds with the articles."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.accounts.models import STAFF, User
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.db.tables import kb_discussions
from frontdesk.errors import Forbidden, Invalid, NotFound
from frontdesk.kb import community_store, index_store
from frontdesk.kb.markdown import plain_text, render
from frontdesk.kb.models import (
    PAGE_SIZE,
    Discussion,
    DiscussionIn,
    DiscussionRow,
    PostIn,
    Reply,
    ReplyIn,
    ReplyPostIn,
    Saved,
    page_count,
)
from frontdesk.kb.text import clean


def _aware(at: datetime) -> datetime:
    """Front-matter times without a zone are UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "thread"


class Community:
    """Community discussions, for every page that shows them and the importer; one per
    node, over the store, beside the KnowledgeBase that searches them."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def save_discussion(self, thread: DiscussionIn, source_hash: str) -> Saved:
        """Create or update an imported thread. Its imported replies are replaced; replies
        posted on the site since are kept, and so is a site reply marked as the answer
        when the file marks none."""
        async with transaction(self._engine) as conn:
            found = await community_store.select_discussion_source(conn, thread.slug)
            if found is not None and found[1] == source_hash:
                return "unchanged"
            values = {
                "slug": thread.slug,
                "title": thread.title,
                "body_md": thread.body,
                "body_html": render(thread.body),
                "author_name": thread.author,
                "author_role": thread.author_role,
                "topics": json.dumps(thread.topics),
                "source_hash": source_hash,
                "created_at": _aware(thread.created),
            }
            if found is None:
                discussion_id = await community_store.insert_discussion(
                    conn, values | {"reply_count": 0, "answer_id": None}
                )
            else:
                discussion_id = found[0]
                await community_store.update_discussion(conn, discussion_id, values)
                await community_store.delete_imported_replies(conn, discussion_id)
            imported_answer = await self._import_replies(conn, discussion_id, thread.replies)
            await community_store.recount_replies(conn, discussion_id, imported_answer)
            await self._index_thread(conn, discussion_id)
        return "created" if found is None else "updated"

    async def _import_replies(
        self, conn: AsyncConnection, discussion_id: int, replies: list[ReplyIn]
    ) -> int | None:
        """Store the file's replies in time order; the id of the one marked the answer."""
        answer_id = None
        for reply in sorted(replies, key=lambda reply: reply.created):
            reply_id = await community_store.insert_reply(
                conn,
                {
                    "discussion_id": discussion_id,
                    "author_name": reply.author,
                    "is_staff": reply.staff,
                    "body_md": reply.body,
                    "body_html": render(reply.body),
                    "created_at": _aware(reply.created),
                },
            )
            answer_id = reply_id if reply.answer else answer_id
        return answer_id

    async def _index_thread(self, conn: AsyncConnection, discussion_id: int) -> None:
        title, parts = await community_store.select_thread_html(conn, discussion_id)
        document = {
            "kind": "discussion",
            "ref_id": discussion_id,
            "title": clean(title),
            "summary": "",
            "body": clean(" ".join(plain_text(part) for part in parts)),
        }
        # Saving raises the store's vocabulary version in this transaction, so every
        # node's KnowledgeBase reloads its speller: there is nothing to tell it here.
        await index_store.save_documents(conn, [document])

    # Reading and posting --------------------------------------------------------------------

    async def discussions(self, page: int = 1) -> tuple[list[DiscussionRow], int, int]:
        """A page of threads, most recently active first: rows, page, pages."""
        async with reading(self._engine) as conn:
            last = page_count(await community_store.count_discussions(conn), PAGE_SIZE)
            page = min(max(page, 1), last)
            rows = await community_store.select_discussion_rows(
                conn, PAGE_SIZE, (page - 1) * PAGE_SIZE
            )
        return rows, page, last

    async def discussion(self, slug: str) -> Discussion:
        async with reading(self._engine) as conn:
            found = await community_store.select_discussion(conn, slug)
        if found is None:
            raise NotFound("There is no such discussion.")
        return found

    async def post_discussion(self, author: User, post: PostIn) -> Discussion:
        slug = f"{_slugify(post.title)}-{secrets.token_hex(3)}"
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            discussion_id = await community_store.insert_discussion(
                conn,
                {
                    "slug": slug,
                    "title": " ".join(post.title.split()),
                    "body_md": post.body,
                    "body_html": render(post.body),
                    "author_id": author.id,
                    "author_name": author.display_name,
                    "author_role": "Support staff" if author.role in STAFF else "",
                    "topics": "[]",
                    "created_at": now,
                    "reply_count": 0,
                },
            )
            await self._index_thread(conn, discussion_id)
        return await self.discussion(slug)

    async def reply(self, author: User, slug: str, post: ReplyPostIn) -> Reply:
        thread = await self.discussion(slug)
        now = self._clock.now()
        body_html = render(post.body)
        if not plain_text(body_html):
            raise Invalid("Write a reply first.", fields={"body": "Write a reply first."})
        async with transaction(self._engine) as conn:
            reply_id = await community_store.insert_reply(
                conn,
                {
                    "discussion_id": thread.id,
                    "author_id": author.id,
                    "author_name": author.display_name,
                    "is_staff": author.role in STAFF,
                    "body_md": post.body,
                    "body_html": body_html,
                    "created_at": now,
                },
            )
            await community_store.update_discussion(
                conn,
                thread.id,
                # Counted in the store: two replies at once must both count.
                {"reply_count": kb_discussions.c.reply_count + 1, "last_reply_at": now},
            )
            await self._index_thread(conn, thread.id)
        return Reply(
            id=reply_id,
            author_name=author.display_name,
            is_staff=author.role in STAFF,
            body_html=body_html,
            created_at=now,
        )

    async def mark_answer(self, staff: User, slug: str, reply_id: int | None) -> Discussion:
        """Staff mark the reply that answers the thread, or clear the mark (None)."""
        if staff.role not in STAFF:
            raise Forbidden("Only support staff can mark an answer.")
        thread = await self.discussion(slug)
        if reply_id is not None and reply_id not in {reply.id for reply in thread.replies}:
            raise NotFound("That reply is not in this discussion.")
        async with transaction(self._engine) as conn:
            await community_store.update_discussion(conn, thread.id, {"answer_id": reply_id})
        return thread.model_copy(update={"answer_id": reply_id})
