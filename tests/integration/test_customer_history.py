"""A customer's other cases, one click from any of their cases: for staff only."""

from __future__ import annotations

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
