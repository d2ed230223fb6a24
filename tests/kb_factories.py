"""Knowledge-base test data, made through KnowledgeBase.save_article and
Community.save_discussion, and stores seeded once per module for tests that only read."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from frontdesk.clock import FixedClock
from frontdesk.db.engine import make_engine
from frontdesk.kb.community import Community
from frontdesk.kb.models import ArticleIn, DiscussionIn
from frontdesk.kb.service import KnowledgeBase
from tests.conftest import _create_postgres_database, _drop_postgres_database


async def knowledge_base(url: str, clock: FixedClock) -> AsyncIterator[KnowledgeBase]:
    """A KnowledgeBase over the store at `url`, for a fixture to yield from."""
    engine = make_engine(url)
    yield KnowledgeBase(engine, clock)
    await engine.dispose()


def source_hash(model: ArticleIn | DiscussionIn) -> str:
    """What the importer would store: any change to the content changes it."""
    return hashlib.sha256(model.model_dump_json().encode()).hexdigest()


def article_in(slug: str, **fields: Any) -> ArticleIn:
    values: dict[str, Any] = {
        "slug": slug,
        "title": f"Plain heading {slug.replace('-', ' ')}",
        "summary": "A plain summary sentence.",
        "body": "Plain body text that says very little.",
        "updated": date(2026, 5, 1),
        **fields,
    }
    return ArticleIn(**values)


async def make_article(kb: KnowledgeBase, slug: str, **fields: Any) -> str:
    """Create (or re-save) an article; returns "created", "updated" or "unchanged"."""
    article = article_in(slug, **fields)
    return await kb.save_article(article, source_hash(article))


def discussion_in(slug: str, **fields: Any) -> DiscussionIn:
    values: dict[str, Any] = {
        "slug": slug,
        "title": f"Community thread {slug.replace('-', ' ')}",
        "author": "Pat Poster",
        "created": datetime(2026, 5, 2, 9, 0, tzinfo=UTC),
        "body": "A question from the community.",
        **fields,
    }
    return DiscussionIn(**values)


async def make_discussion(community: Community, slug: str, **fields: Any) -> str:
    thread = discussion_in(slug, **fields)
    return await community.save_discussion(thread, source_hash(thread))


async def count_rows(kb_or_engine: Any, table: Any) -> int:
    engine = getattr(kb_or_engine, "_engine", kb_or_engine)
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


Seed = Callable[[KnowledgeBase, Community], Awaitable[None]]


def seeded_url(request: pytest.FixtureRequest, folder: Path, seed: Seed) -> Iterator[str]:
    """A migrated store on `request.param` ("sqlite" or "postgres") holding what `seed`
    saves through the knowledge base and the community it is given: for a module-scoped
    fixture whose tests only read."""
    if request.param == "sqlite":
        path = folder / "frontdesk.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        url, name = f"sqlite+aiosqlite:///{path}", None
    else:
        template = request.getfixturevalue("_postgres_template")
        name, url = asyncio.run(_create_postgres_database(template=template))

    async def run() -> None:
        engine = make_engine(url)
        try:
            clock = FixedClock()
            await seed(KnowledgeBase(engine, clock), Community(engine, clock))
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
        yield url
    finally:
        if name is not None:
            asyncio.run(_drop_postgres_database(name))
