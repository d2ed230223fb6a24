"""Who works a case: an agent takes a case or releases their own, a supervisor assigns
to any active staff member; every change a staff-only item in the case's activity that
the customer never sees, in pages, the API or emails."""

from __future__ import annotations

import pytest

from frontdesk.accounts import store as accounts_store
from frontdesk.accounts.models import Role
from frontdesk.cases.models import ActivityKind
from frontdesk.db.engine import transaction
from tests.factories import make_user, open_case, outbox_messages
from tests.helpers import api, csrf_token
from tests.integration.case_tools import error_of, signed_in


@pytest.fixture
async def case(services, customer):
    return await open_case(services, customer)


@pytest.fixture
async def staff(web_app, agent):
    return await signed_in(web_app, agent)


@pytest.fixture
async def sue(services):
    return await make_user(services, Role.SUPERVISOR, first_name="Sue", last_name="Supervisor")


@pytest.fixture
async def ben(services):
    return await make_user(services, Role.AGENT, first_name="Ben", last_name="Agent")


def assignee_path(number):
    return f"/api/v1/cases/{number}/assignee"


async def assignments(services, viewer, number):
    feed = await services.cases.feed(viewer, number, newest_first=False)
    return [item.body for item in feed if item.kind is ActivityKind.ASSIGNMENT]


async def test_an_agent_takes_a_case_and_releases_it(services, staff, agent, case):
    taken = await api(staff, "PUT", assignee_path(case.number), {"agent_id": agent.id})
    body = await taken.get_json()
    assert taken.status_code == 200, body
    assert (body["assigned_agent_id"], body["assigned_agent_name"]) == (agent.id, "Sam Agent")
    released = await api(staff, "PUT", assignee_path(case.number), {"agent_id": None})
    assert (await released.get_json())["assigned_agent_id"] is None
    assert await assignments(services, agent, case.number) == [
        "Sam Agent took this case",
        "Sam Agent released this case",
    ]


async def test_an_agent_cannot_give_a_case_to_someone_else(services, staff, agent, ben, case):
    refused = await api(staff, "PUT", assignee_path(case.number), {"agent_id": ben.id})
    assert (await error_of(refused, 403))["code"] == "FORBIDDEN"
    await services.assignment.take(ben, case.number)
    refused = await api(staff, "PUT", assignee_path(case.number), {"agent_id": None})
    await error_of(refused, 403)  # not theirs to release
    taken = await api(staff, "PUT", assignee_path(case.number), {"agent_id": agent.id})
    assert taken.status_code == 200  # but an agent may take it over
    assert await assignments(services, agent, case.number) == [
        "Ben Agent took this case",
        "Sam Agent took this case from Ben Agent",
    ]


async def test_a_supervisor_assigns_to_any_active_staff_member_or_nobody(
    web_app, services, sue, ben, agent, customer, case
):
    client = await signed_in(web_app, sue)
    assigned = await api(client, "PUT", assignee_path(case.number), {"agent_id": ben.id})
    assert (await assigned.get_json())["assigned_agent_name"] == "Ben Agent"
    cleared = await api(client, "PUT", assignee_path(case.number), {"agent_id": None})
    assert cleared.status_code == 200
    assert await assignments(services, sue, case.number) == [
        "Sue Supervisor assigned this case to Ben Agent",
        "Sue Supervisor unassigned this case from Ben Agent",
    ]
    gone = await make_user(services, Role.AGENT)
    async with transaction(services.engine) as conn:
        await accounts_store.update_user_active(conn, gone.id, False)
    for nobody in (customer.id, gone.id, 999_999):
        refused = await api(client, "PUT", assignee_path(case.number), {"agent_id": nobody})
        assert list((await error_of(refused, 422))["fields"]) == ["agent_id"]


async def test_bad_payloads_are_4xx_in_the_error_shape(staff, case):
    for payload in ({"agent_id": "me"}, {"who": 1}, [1]):
        response = await api(staff, "PUT", assignee_path(case.number), payload)
        assert 400 <= response.status_code < 500
        await error_of(response, response.status_code)
    missing = await api(staff, "PUT", assignee_path("99999999"), {"agent_id": None})
    assert (await error_of(missing, 404))["code"] == "CASE_NOT_FOUND"


async def test_the_customer_never_sees_who_works_their_case(
    services, web_app, staff, agent, customer, case
):
    mails_before = len(await outbox_messages(services))
    before = await services.cases.access_case(customer, case.number)
    await api(staff, "PUT", assignee_path(case.number), {"agent_id": agent.id})
    theirs = await signed_in(web_app, customer)
    feed = await (await theirs.get(f"/api/v1/cases/{case.number}/feed")).get_json()
    assert ActivityKind.ASSIGNMENT.value not in {item["kind"] for item in feed["items"]}
    for path in (f"/api/v1/cases/{case.number}", "/api/v1/cases", f"/my-cases/{case.number}",
                 f"/my-cases/{case.number}/feed", "/my-cases"):  # fmt: skip
        seen = await (await theirs.get(path)).get_data(as_text=True)
        assert "Sam Agent" not in seen and "assigned_agent" not in seen, path
        assert "took this case" not in seen, path
    assert len(await outbox_messages(services)) == mails_before
    after = await services.cases.access_case(customer, case.number)
    assert after.updated_at == before.updated_at  # their list's time tells nothing


async def test_customers_are_told_there_is_no_such_thing(web_app, customer, case, store_counts):
    theirs = await signed_in(web_app, customer)
    before = await store_counts()
    response = await api(theirs, "PUT", assignee_path(case.number), {"agent_id": customer.id})
    assert response.status_code == 404
    form = {"csrf_token": await csrf_token(theirs), "agent_id": str(customer.id)}
    page = await theirs.post(f"/agent/cases/{case.number}/assignee", form=form)
    assert page.status_code == 404
    assert await store_counts() == before


async def test_without_the_csrf_token_nothing_changes(staff, agent, case, store_counts):
    before = await store_counts()
    response = await staff.put(assignee_path(case.number), json={"agent_id": agent.id})
    assert (await error_of(response, 403))["code"] == "CSRF_FAILED"
    page = await staff.post(f"/agent/cases/{case.number}/assignee", form={"agent_id": agent.id})
    assert page.status_code == 403
    assert await store_counts() == before


async def test_the_case_page_takes_and_releases_without_javascript(staff, agent, case):
    path = f"/agent/cases/{case.number}"
    page = await (await staff.get(path)).get_data(as_text=True)
    assert "Nobody is working this case yet." in page and "Take this case" in page
    form = {"csrf_token": await csrf_token(staff), "agent_id": str(agent.id)}
    response = await staff.post(f"{path}/assignee", form=form)
    assert (response.status_code, response.headers["Location"]) == (302, path)
    page = await (await staff.get(path)).get_data(as_text=True)
    assert "You are working this case." in page and "Release this case" in page
    assert "Sam Agent took this case" in page  # in the staff feed
    assert "Assign to" not in page  # an agent has no one else to choose


async def test_a_supervisor_chooses_whom_on_the_case_page(web_app, sue, ben, case):
    client = await signed_in(web_app, sue)
    path = f"/agent/cases/{case.number}"
    page = await (await client.get(path)).get_data(as_text=True)
    assert f'<option value="{ben.id}">Ben Agent</option>' in page
    form = {"csrf_token": await csrf_token(client), "agent_id": str(ben.id)}
    assert (await client.post(f"{path}/assignee", form=form)).status_code == 302
    page = await (await client.get(path)).get_data(as_text=True)
    assert "Ben Agent is working this case." in page
    bad = {"csrf_token": await csrf_token(client), "agent_id": "x1"}
    response = await client.post(f"{path}/assignee", form=bad)
    assert response.status_code == 422
    assert 'id="assignee-agent_id-error"' in await response.get_data(as_text=True)
