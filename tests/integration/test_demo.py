"""Demo data: the accounts, the demo agent's queues and the demo customer's cases, once."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from frontdesk.__main__ import main
from frontdesk.accounts import store as accounts_store
from frontdesk.accounts.models import Role
from frontdesk.business_hours import UK
from frontdesk.cases.models import ActivityKind, Channel, Status
from frontdesk.db.engine import make_engine
from frontdesk.db.tables import case_activities, cases, users
from frontdesk.demo import (
    CALL_NOTES,
    DEMO_ACCOUNTS,
    REPLY,
    WAITING_REASON,
    last_working_morning,
    load_demo_data,
)
from tests.factories import make_user
from tests.integration.test_case_rules import open_case

# On both stores: the demo runs against either store.
pytestmark = pytest.mark.both_stores

ANN = DEMO_ACCOUNTS[0].username
BEN = DEMO_ACCOUNTS[1].username


@pytest.fixture(autouse=True)
def _restore_logging():
    """main() points the root logger at this test's captured stderr; put it back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def demo_cases(database_url: str) -> list[dict]:
    """The demo customer's cases with their activity kinds, oldest first."""

    async def read() -> list[dict]:
        engine = make_engine(database_url)
        try:
            async with engine.connect() as conn:
                query = (
                    select(cases)
                    .join(users, users.c.id == cases.c.customer_id)
                    .where(users.c.username == ANN)
                    .order_by(cases.c.created_at)
                )
                found = [dict(row._mapping) for row in await conn.execute(query)]
                for case in found:
                    rows = await conn.execute(
                        select(case_activities.c.kind, case_activities.c.actor_name)
                        .where(case_activities.c.case_id == case["id"])
                        .order_by(case_activities.c.id)
                    )
                    case["feed"] = [tuple(row) for row in rows]
                return found
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_frontdesk_demo_twice_leaves_the_demo_cases_once(
    monkeypatch, database_url, tmp_path, capsys
):
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("FRONTDESK_ENV", "demo")
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert "ben.agent@frontdesk.test works every queue" in first
    assert first.count("(created)") == len(DEMO_ACCOUNTS) + 1 + 3  # accounts, replies, cases
    assert "shared canned replies /hello, /hours, /thanks (created)" in first
    made = demo_cases(database_url)
    assert main(["demo"]) == 0
    second = capsys.readouterr().out
    assert "(created)" not in second
    assert f"{ANN} has 3 already (kept)" in second
    assert "3 shared canned replies already (kept)" in second
    assert demo_cases(database_url) == made

    message, call, chat = made
    assert [c["channel"] for c in made] == ["message", "call", "chat"]
    assert all(c["number"] in first for c in made)
    assert message["status"] == Status.IN_PROGRESS.value
    assert ("reply", "Ben Agent") in message["feed"]
    assert call["status"] == Status.WAITING_ON_CUSTOMER.value
    assert call["waiting_reason"] == WAITING_REASON
    assert call["call_logged_at"] is not None
    assert chat["status"] == Status.NEW.value
    assert [kind for kind, _ in chat["feed"]] == ["created", "field_changed"]


async def test_the_demo_through_the_services(services, clock):
    # Monday 15 June 2026: the cases were opened on Friday 12 June from 10:00 UK time.
    await load_demo_data(services, progress=lambda line: None)
    agent = await user_named(services, BEN)
    assert agent.role is Role.AGENT
    page = await services.cases.list_queue_cases(agent, page=1, page_size=10)
    assert await services.cases.agent_queues(agent) == []  # every queue
    assert page.total == 3
    by_channel = {case.channel: case for case in page.cases}
    opened = datetime(2026, 6, 12, 10, 0, tzinfo=UK).astimezone(UTC)
    assert by_channel[Channel.MESSAGE].created_at == opened
    assert by_channel[Channel.CALL].created_at == opened + timedelta(minutes=30)
    assert by_channel[Channel.CHAT].created_at == opened + timedelta(minutes=60)
    feed = await services.cases.feed(agent, by_channel[Channel.MESSAGE].number)
    assert [(a.kind, a.body) for a in feed if a.kind is ActivityKind.REPLY] == [
        (ActivityKind.REPLY, REPLY)
    ]
    feed = await services.cases.feed(agent, by_channel[Channel.CALL].number)
    assert CALL_NOTES in [a.body for a in feed if a.kind is ActivityKind.CALL_LOGGED]
    # The call was logged: the 24-hour close never takes the demo call case.
    clock.advance(days=3)
    assert await services.case_work.close_unanswered_calls() == []
    # Shared canned replies, filled in for the agent's case.
    (hello,) = await services.replies.list_for(agent, words="hello")
    filled = await services.replies.render(agent, hello.id, by_channel[Channel.CHAT].number)
    assert filled.startswith("Hello Ann, I'm Ben Agent and I'm looking at case ")


async def test_no_demo_cases_for_a_customer_who_has_cases(services):
    ann = await make_user(services, email=ANN, username=ANN, first_name="Ann")
    own = await open_case(services, ann)
    lines: list[str] = []
    await load_demo_data(services, progress=lines.append)
    assert f"      cases      {ANN} has 1 already (kept)" in lines
    page = await services.cases.list_my_cases(
        ann, sort="created_at", descending=True, page=1, page_size=10
    )
    assert [c.number for c in page.cases] == [own.number]


async def user_named(services, username):
    async with services.engine.connect() as conn:
        found = await accounts_store.select_user_by_login(conn, username)
    assert found is not None
    return found[0]


@pytest.mark.parametrize(
    "now, morning",
    [
        (datetime(2026, 6, 16, 12, 0, tzinfo=UK), datetime(2026, 6, 15, 10, 0, tzinfo=UK)),
        (datetime(2026, 6, 15, 8, 0, tzinfo=UK), datetime(2026, 6, 12, 10, 0, tzinfo=UK)),
        (datetime(2026, 6, 21, 12, 0, tzinfo=UK), datetime(2026, 6, 19, 10, 0, tzinfo=UK)),
        (datetime(2026, 9, 1, 9, 0, tzinfo=UK), datetime(2026, 8, 28, 10, 0, tzinfo=UK)),
        (datetime(2026, 12, 29, 9, 0, tzinfo=UK), datetime(2026, 12, 24, 10, 0, tzinfo=UK)),
        (datetime(2026, 3, 30, 0, 30, tzinfo=UK), datetime(2026, 3, 27, 10, 0, tzinfo=UK)),
    ],
    ids=["weekday", "monday", "sunday", "after a bank holiday", "after christmas", "bst"],
)
def test_the_demo_cases_open_on_the_last_working_morning(now, morning):
    found = last_working_morning(now.astimezone(UTC))
    assert found == morning
    assert found.tzinfo is UTC
