"""What search reads, over an AsyncConnection: the documents (each store indexes them
itself, see search.py), the speller's vocabulary, the version every node watches to know
its cached vocabulary and filter lists are stale, and the searches that found nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.db.engine import dialect_insert
from frontdesk.db.tables import kb_documents, kb_missed_queries, kb_state, kb_words
from frontdesk.kb.models import MissedQuery
from frontdesk.kb.text import words


def document_words(title: str, summary: str, body: str) -> set[str]:
    return {w for w in words(f"{title} {summary} {body}") if 3 <= len(w) <= 40 and w.isalpha()}


async def save_documents(conn: AsyncConnection, documents: Iterable[dict[str, Any]]) -> None:
    """Insert or replace search documents (kind, ref_id, title, summary, body); the store
    indexes them, and the speller's vocabulary follows."""
    counts: Counter[str] = Counter()
    for document in documents:
        key = and_(
            kb_documents.c.kind == document["kind"], kb_documents.c.ref_id == document["ref_id"]
        )
        old = (await conn.execute(select(kb_documents).where(key))).first()
        new_words = document_words(document["title"], document["summary"], document["body"])
        if old is None:
            await conn.execute(insert(kb_documents).values(**document))
            counts.update(new_words)
            continue
        old_words = document_words(old.title, old.summary, old.body)
        await conn.execute(update(kb_documents).where(key).values(**document))
        counts.update(new_words - old_words)
        counts.subtract(old_words - new_words)
    await add_word_counts(conn, counts)


async def add_word_counts(conn: AsyncConnection, counts: Counter[str]) -> None:
    changes = [{"word": w, "documents": n} for w, n in sorted(counts.items()) if n]
    if not changes:
        return
    statement = dialect_insert(conn)(kb_words)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[kb_words.c.word],
            set_={"documents": kb_words.c.documents + statement.excluded.documents},
        ),
        changes,
    )
    await bump_version(conn)


async def select_words(conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(
        select(kb_words.c.word, kb_words.c.documents).where(kb_words.c.documents > 0)
    )
    return {word: int(number) for word, number in rows}


async def select_version(conn: AsyncConnection) -> int:
    version = (await conn.execute(select(kb_state.c.version).where(kb_state.c.id == 1))).scalar()
    return int(version or 0)


async def bump_version(conn: AsyncConnection) -> None:
    raised = await conn.execute(
        update(kb_state).where(kb_state.c.id == 1).values(version=kb_state.c.version + 1)
    )
    if raised.rowcount == 0:
        await conn.execute(
            dialect_insert(conn)(kb_state).values(id=1, version=1).on_conflict_do_nothing()
        )


# Missed queries -----------------------------------------------------------------------------


async def record_miss(conn: AsyncConnection, key: str, query: str, now: datetime) -> None:
    statement = dialect_insert(conn)(kb_missed_queries).values(
        query_key=key, query=query[:200], times=1, first_at=now, last_at=now
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[kb_missed_queries.c.query_key],
            set_={
                "times": kb_missed_queries.c.times + 1,
                "last_at": statement.excluded.last_at,
                "query": statement.excluded.query,
            },
        )
    )


async def select_misses(conn: AsyncConnection, limit: int) -> list[MissedQuery]:
    rows = await conn.execute(
        select(kb_missed_queries)
        .order_by(kb_missed_queries.c.times.desc(), kb_missed_queries.c.last_at.desc())
        .limit(limit)
    )
    return [MissedQuery.model_validate(row._mapping) for row in rows]
