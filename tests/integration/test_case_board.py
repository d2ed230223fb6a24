"""Supervisors see each queue's cases live over a real socket: open, unassigned, overdue
and due soon, pushed when a case is opened, assigned or resolved, and when the clock
passes a reply-by; on one node and across nodes sharing Redis."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Status
from tests.factories import EXAMS_OFFICERS_QUEUE, open_case
from tests.integration.chat_clients import ChatClient, Clients, person
from tests.integration.test_ops import sample
from tests.live import LiveServer

QUEUE = EXAMS_OFFICERS_QUEUE  # where tests.factories' cases go
# Recounts this often, so a test that moves the clock hears of it at once.
RECOUNT_SECONDS = 0.05


def row_of(queues: list[dict[str, Any]], queue: str = QUEUE) -> dict[str, Any]:
    return next(row for row in queues if row["queue"] == queue)


async def counts_become(sue: ChatClient, **expected: int) -> dict[str, Any]:
    """The first pushed counts of QUEUE that are `expected` (earlier pushes skipped)."""
    while True:
        row = row_of((await sue.next("cases_changed"))["queues"])
        if all(row[key] == value for key, value in expected.items()):
            return row


async def opened(server: LiveServer, customer: Any) -> Any:
    return await server.acall(lambda: open_case(server.services, customer))


async def test_counts_are_pushed_as_cases_change_and_time_passes(servers, clock):
    server = servers.start(case_figures_seconds=RECOUNT_SECONDS)
    sue = await person(server, Role.SUPERVISOR)
    agent = await person(server, Role.AGENT)
    customer = await person(server)
    async with Clients() as clients:
        watching = await clients.open(server, "/supervisor", sue)
        start = row_of((await watching.ok("watch"))["cases"])
        assert start == {"queue": QUEUE, "open": 0, "unassigned": 0, "overdue": 0, "due_soon": 0}

        case = await opened(server, customer)
        await counts_become(watching, open=1, unassigned=1, overdue=0)
        await server.acall(lambda: server.services.assignment.take(agent, case.number))
        await counts_become(watching, open=1, unassigned=0)

        clock.set(case.reply_by - timedelta(hours=4))  # the edge of "due soon"
        await counts_become(watching, due_soon=1, overdue=0)
        clock.set(case.reply_by)  # at the reply-by: due, not yet overdue
        clock.set(case.reply_by + timedelta(microseconds=1))
        await counts_become(watching, due_soon=0, overdue=1)
        async with httpx.AsyncClient() as http:
            metrics = (await http.get(f"{server.url}/metrics")).text
        assert sample(metrics, "frontdesk_cases_overdue", queue=QUEUE) == 1.0

        await server.acall(
            lambda: server.services.case_work.change_status(agent, case.number, Status.RESOLVED)
        )
        await counts_become(watching, open=0, overdue=0, unassigned=0)


async def test_the_page_shows_the_counts_without_javascript(servers, clock):
    server = servers.start()
    customer = await person(server)
    case = await opened(server, customer)
    clock.set(case.reply_by + timedelta(seconds=1))
    sue = await person(server, Role.SUPERVISOR)
    async with httpx.AsyncClient(base_url=server.url) as http:
        token = (await http.get("/api/v1/session")).json()["csrf_token"]
        signed = await http.post(
            "/api/v1/session", json={"username": sue.username, "password": "Correct1horse"},
            headers={"X-CSRF-Token": token},
        )  # fmt: skip
        assert signed.status_code == 200
        page = (await http.get("/supervisor")).text
    assert "Cases by queue" in page
    assert "1 overdue</strong>" in page


@pytest.mark.redis
async def test_a_change_on_one_node_reaches_a_supervisor_on_another(servers, redis_url, clock):
    one = servers.start(redis_url, node_id="cases-one", case_figures_seconds=RECOUNT_SECONDS)
    two = servers.start(redis_url, node_id="cases-two", auto_migrate=False)
    sue = await person(one, Role.SUPERVISOR)
    customer = await person(one)
    async with Clients() as clients:
        watching = await clients.open(two, "/supervisor", sue)
        await watching.ok("watch")
        case = await opened(one, customer)
        await counts_become(watching, open=1)
        clock.set(case.reply_by + timedelta(seconds=1))  # counted on either node
        await counts_become(watching, overdue=1)
