"""Migrations build exactly the schema the code describes, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from frontdesk.accounts.models import Role
from frontdesk.db.engine import make_engine
from frontdesk.db.migrate import alembic_config, migrate
from frontdesk.db.tables import metadata
from frontdesk.events import RecordingNotifier
from frontdesk.kb.models import BrowseFilters
from frontdesk.kb.service import KnowledgeBase
from frontdesk.services import Services
from tests.conftest import make_settings

# On both stores: each migration runs on each store.
pytestmark = pytest.mark.both_stores


@pytest.fixture
async def engine(empty_database_url: str) -> Any:
    engine = make_engine(empty_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


# Each store indexes search its own way (migration 0005), outside the portable metadata:
# FTS5 tables on SQLite, tsvector columns on PostgreSQL, all named kb_search_*.
SEARCH_INDEX_PREFIX = "kb_search_"


def _portable(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (name or "").startswith(SEARCH_INDEX_PREFIX)


def _differences(connection: Any) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "render_as_batch": connection.dialect.name == "sqlite",
            "include_object": _portable,
        },
    )
    return list(compare_metadata(context, metadata))


def _schema(connection: Any) -> dict[str, Any]:
    inspector = inspect(connection)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted(str(sorted(ix.items())) for ix in inspector.get_indexes(table)),
            sorted(str(sorted(uq.items())) for uq in inspector.get_unique_constraints(table)),
        )
        for table in sorted(inspector.get_table_names())
    }


async def _revision(engine: Any) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def test_an_empty_store_migrates_to_the_described_schema(engine):
    async with engine.connect() as conn:
        assert await conn.run_sync(lambda c: inspect(c).get_table_names()) == []

    await migrate(engine)

    async with engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    portable = {table for table in tables if not table.startswith(SEARCH_INDEX_PREFIX)}
    assert portable == set(metadata.tables) | {"alembic_version"}
    assert await _revision(engine) is not None


async def test_comparing_notices_a_schema_that_differs(engine):
    """The check above can fail: a store missing an index is reported."""
    await migrate(engine)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("DROP INDEX ix_outbox_sent_at")
    async with engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert [diff[0] for diff in differences] == ["add_index"]


async def test_migrating_twice_changes_nothing(engine):
    await migrate(engine)
    async with engine.connect() as conn:
        first = await conn.run_sync(_schema)
    revision = await _revision(engine)

    await migrate(engine)

    async with engine.connect() as conn:
        assert await conn.run_sync(_schema) == first
        assert await conn.run_sync(_differences) == []
    assert await _revision(engine) == revision


async def test_migrating_again_keeps_the_data(empty_database_url, tmp_path):
    services = Services.build(
        make_settings(empty_database_url, tmp_path), notifier=RecordingNotifier()
    )
    await migrate(services.engine)
    try:
        await services.accounts.add_user(
            email="ann@centre.ac.uk",
            username="ann",
            password="Correct1horse",
            first_name="Ann",
            last_name="Example",
            role=Role.CUSTOMER,
        )
        await migrate(services.engine)
        async with services.engine.connect() as conn:
            count = (await conn.exec_driver_sql("SELECT count(*) FROM users")).scalar_one()
        assert count == 1
    finally:
        await services.aclose()


async def test_0014_makes_the_routing_of_existing_cases_the_systems(engine):
    """Before 0014 a new case's routing was written as the customer's doing; after it,
    that item is the system's, and nothing else a customer did changes hands."""
    from datetime import UTC, datetime

    from frontdesk.db.tables import case_activities, cases, users

    await migrate(engine, "0013")
    at = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
    customer = {"actor_id": 1, "actor_name": "Ann Example", "actor_role": "Customer"}
    async with engine.begin() as conn:
        await conn.execute(
            users.insert().values(
                id=1, email="ann@centre.ac.uk", email_key="ann@centre.ac.uk", username="ann",
                username_key="ann", first_name="Ann", last_name="Example", country="GB",
                role="customer", password_hash="x", is_active=True, created_at=at,
                terms_accepted_at=at,
            )
        )  # fmt: skip
        fields = ["contact_" + f for f in ("first_name", "last_name", "email", "phone")]
        fields += ["contact_" + f for f in ("country", "language", "institution")]
        fields += ["customer_type", "issue_type", "category", "subcategory", "qualification"]
        fields += ["qualification_subject", "customer_group", "subject", "description", "phone"]
        await conn.execute(
            cases.insert().values(
                id=1, number="12345678", customer_id=1, channel="call", status="new",
                owner_queue="Exams Officers", reply_days=2, reply_by=at, created_at=at,
                updated_at=at, **dict.fromkeys(fields, "x"),
            )
        )  # fmt: skip
        routing = '{"field": "Case Owner", "from": "Pearson", "to": "Exams Officers"}'
        for kind, data in (("created", "{}"), ("field_changed", routing)):
            await conn.execute(
                case_activities.insert().values(
                    case_id=1, kind=kind, body="", data=data, created_at=at, **customer
                )
            )

    await migrate(engine)

    async with engine.connect() as conn:
        rows = (await conn.execute(case_activities.select().order_by("id"))).all()
        call_by = (await conn.execute(cases.select())).one().call_by
    assert [(r.kind, r.actor_id, r.actor_name, r.actor_role) for r in rows] == [
        ("created", 1, "Ann Example", "Customer"),
        ("field_changed", None, "frontdesk", "System"),
    ]
    assert rows[1].data == '{"field": "Case Owner", "to": "Exams Officers"}'
    assert call_by is None  # the sweep gives it 24 hours from opening, as before


def _revision_before(revision: str) -> str:
    down = ScriptDirectory.from_config(alembic_config()).get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


async def _store_an_article_as_0013_did(engine: Any) -> None:
    """Rows as the service wrote them before 0016: no kb_documents.tags."""
    columns = ("id", "slug", "title", "title_key", "summary", "body_md", "body_html",
               "source_hash", "updated_at", "views", "helpful_yes", "helpful_no")  # fmt: skip
    articles = sa.table("kb_articles", *(sa.column(c) for c in columns))
    tags = sa.table("kb_article_tags", *(sa.column(c) for c in ("article_id", "kind", "value")))
    documents = sa.table(
        "kb_documents", *(sa.column(c) for c in ("kind", "ref_id", "title", "summary", "body"))
    )
    body = "Ask at <b>reception</b> or write to help@frontdesk.example."
    async with engine.begin() as conn:
        article = {
            "id": 1, "slug": "before-0016", "title": "Café opening times",
            "title_key": " cafe opening times ", "summary": "When to visit.", "body_md": body,
            "body_html": body, "source_hash": "0" * 64, "views": 1, "helpful_yes": 0,
            "helpful_no": 0, "updated_at": datetime(2026, 5, 1, tzinfo=UTC),
        }  # fmt: skip
        await conn.execute(articles.insert().values(**article))
        await conn.execute(tags.insert().values(article_id=1, kind="role", value="Exams Officers"))
        document = {"kind": "article", "ref_id": 1, "title": article["title"],
                    "summary": article["summary"], "body": body}  # fmt: skip
        await conn.execute(documents.insert().values(**document))


async def test_search_finds_what_was_stored_before_its_indexes_were_rebuilt(engine, clock):
    """0016 rebuilds the search indexes over the documents already there, their tags
    filled in from the articles'."""
    await migrate(engine, _revision_before("0016"))
    await _store_an_article_as_0013_did(engine)

    await migrate(engine)

    kb = KnowledgeBase(engine, clock)
    for query in ("cafe", "CAFÉ", "reception", "frontdesk"):
        assert [hit.slug for hit in (await kb.search(query)).hits] == ["before-0016"], query
    assert [row.slug for row in await kb.suggest("caf")] == ["before-0016"]
    for filters in (BrowseFilters(q="cafe"), BrowseFilters(q="visit", role="Exams Officers")):
        assert [row.slug for row in (await kb.browse(filters)).rows] == ["before-0016"]
    assert (await kb.browse(BrowseFilters(q="cafe", role="Students"))).rows == []
