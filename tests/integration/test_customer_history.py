"""A customer's other cases and chats, one click from any of their cases (the case page,
and the console's chat panel, which reads the same API): for staff only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontdesk.cases.models import Channel
from tests.factories import make_user, open_case
from tests.helpers import login_as


@pytest.mark.both_stores
async def test_staff_see_every_case_of_the_customer_and_no_one_elses(
    client, services, clock, customer, agent
):
    first = await open_case(services, customer, Channel.MESSAGE)
    clock.advance(minutes=5)
    second = await open_case(services, customer, Channel.CHAT)
    other = await open_case(services, await make_user(services), Channel.MESSAGE)
    await login_as(client, agent.username)

    response = await client.get(f"/api/v1/cases/{first.number}/customer-cases")
    assert response.status_code == 200
    found = await response.get_json()
    assert [c["number"] for c in found["items"]] == [second.number, first.number]
    assert found["total"] == 2

    page = await (await client.get(f"/agent/cases/{first.number}")).get_data(as_text=True)
    assert "This customer&#39;s cases" in page or "This customer's cases" in page
    assert f'href="/agent/cases/{second.number}"' in page
    assert other.number not in page


async def test_a_customer_is_shown_no_history_route(client, services, customer):
    case = await open_case(services, customer, Channel.MESSAGE)
    await login_as(client, customer.username)
    response = await client.get(f"/api/v1/cases/{case.number}/customer-cases")
    assert response.status_code == 404


async def test_an_unknown_case_has_no_history(client, agent):
    await login_as(client, agent.username)
    response = await client.get("/api/v1/cases/99999999/customer-cases")
    assert response.status_code == 404
    assert (await response.get_json())["error"]["code"] == "CASE_NOT_FOUND"


async def test_chats_of_the_last_30_days_are_counted_by_the_clock_to_the_edge(
    client, services, clock, customer, agent
):
    first_chat = await open_case(services, customer, Channel.CHAT)
    clock.advance(days=2)
    later_chat = await open_case(services, customer, Channel.CHAT)
    message = await open_case(services, customer, Channel.MESSAGE)
    await open_case(services, await make_user(services), Channel.CHAT)  # someone else's

    clock.set(first_chat.created_at + timedelta(days=30))  # exactly 30 days on: it counts
    await login_as(client, agent.username)
    response = await client.get(f"/api/v1/cases/{message.number}/customer-cases")
    found = await response.get_json()
    assert response.status_code == 200, found
    assert found["chats_last_30_days"] == 2
    assert found["chats_since"].startswith(first_chat.created_at.isoformat()[:19])
    rows = {row["number"]: row for row in found["items"]}
    assert list(rows) == [message.number, later_chat.number, first_chat.number]
    first = rows[first_chat.number]
    assert (first["channel"], first["channel_label"], first["status_label"]) == (
        "chat", "Chat", "New",
    )  # fmt: skip
    assert first["subject"] == first_chat.subject
    assert first["created_uk"] and first["created_at"]

    clock.advance(milliseconds=1)  # a moment past: the first chat is out of the window
    later = await client.get(f"/api/v1/cases/{message.number}/customer-cases")
    assert (await later.get_json())["chats_last_30_days"] == 1
    page = await (await client.get(f"/agent/cases/{message.number}")).get_data(as_text=True)
    assert "<strong>1 chat</strong> in the last 30 days" in page
    assert f'href="/agent/cases/{first_chat.number}"' in page


async def test_a_customer_cannot_read_the_history_even_of_their_own_chat(
    client, services, customer
):
    chat = await open_case(services, customer, Channel.CHAT)
    await login_as(client, customer.username)
    response = await client.get(f"/api/v1/cases/{chat.number}/customer-cases")
    assert response.status_code == 404
    assert "chats_last_30_days" not in await response.get_data(as_text=True)
