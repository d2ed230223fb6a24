"""The audit log: an administrative change is kept with who, what, before and after;
admins read and filter it in the API and on the page; nobody else sees it exist."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontdesk.accounts.models import Role
from tests.factories import make_user
from tests.helpers import api, login_as


@pytest.fixture
async def sue(services):
    return await make_user(services, Role.SUPERVISOR, first_name="Sue", last_name="Lead")


@pytest.fixture
async def ada(services):
    return await make_user(services, Role.ADMIN, first_name="Ada", last_name="Admin")


async def change_work(client, user, agent, **work):
    await login_as(client, user.username)
    response = await api(client, "PUT", f"/api/v1/agents/{agent.id}", work)
    assert response.status_code == 200, await response.get_data(as_text=True)


async def audit(client, query: str = "") -> dict:
    response = await client.get(f"/api/v1/audit{query}")
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


@pytest.mark.both_stores
async def test_a_change_is_kept_with_who_what_before_and_after(
    client, services, clock, agent, sue, ada
):
    await change_work(client, sue, agent, groups=None, queues=[], capacity=5)
    clock.advance(minutes=5)
    queue = services.intake.queues()[0]
    await change_work(client, sue, agent, groups=[], queues=[queue], capacity=5)
    await change_work(client, sue, agent, groups=[], queues=[queue], capacity=5)  # the same

    await login_as(client, ada.username)
    found = await audit(client)
    assert (found["total"], found["pages"]) == (2, 1)
    newest, oldest = found["entries"]
    assert (newest["actor_name"], newest["action"]) == ("Sue Lead", "agent.work_changed")
    assert newest["target"] == "Sam Agent (agent)"
    assert newest["before"] == {"groups": None, "queues": [], "capacity": 5}
    assert newest["after"] == {"groups": [], "queues": [queue], "capacity": 5}
    assert (oldest["before"]["capacity"], oldest["after"]["capacity"]) == (3, 5)

    page = await client.get("/admin/audit")
    html = await page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Changed what an agent takes" in html and "Chats at once" in html
    assert "no chats" in html and queue in html


@pytest.mark.both_stores
async def test_admins_filter_by_action_target_and_time(client, services, clock, agent, sue, ada):
    kim = await make_user(services, Role.AGENT, first_name="Kim", last_name="Second")
    start = clock.now()
    await change_work(client, sue, agent, groups=None, queues=[], capacity=4)
    clock.advance(days=2)
    await change_work(client, sue, kim, groups=None, queues=[], capacity=6)

    await login_as(client, ada.username)
    assert (await audit(client, "?target=kim"))["total"] == 1
    assert (await audit(client, "?target=SAM AGENT"))["total"] == 1
    assert (await audit(client, "?action=agent.work_changed"))["total"] == 2
    assert (await audit(client, f"?actor_id={sue.id}"))["total"] == 2
    assert (await audit(client, f"?actor_id={ada.id}"))["total"] == 0
    later = (start + timedelta(days=1)).isoformat().replace("+", "%2B")
    since = await audit(client, f"?since={later}")
    assert [e["target"] for e in since["entries"]] == ["Kim Second (agent)"]
    until = await audit(client, f"?until={later}")
    assert [e["target"] for e in until["entries"]] == ["Sam Agent (agent)"]
    paged = await audit(client, "?page_size=1&page=2")
    assert (paged["total"], paged["pages"], len(paged["entries"])) == (2, 2, 1)

    day = start.date().isoformat()
    page = await client.get(f"/admin/audit?since={day}&until={day}")
    html = await page.get_data(as_text=True)
    assert "Sam Agent (agent)" in html and "Kim Second (agent)" not in html


@pytest.mark.parametrize(
    "query", ["?action=deleted_everything", "?since=yesterday", "?page=0", "?page_size=500"]
)
async def test_a_bad_filter_is_a_clear_422(client, ada, query):
    await login_as(client, ada.username)
    response = await client.get(f"/api/v1/audit{query}")
    assert response.status_code == 422
    assert (await response.get_json())["error"]["fields"]


async def test_a_bad_date_on_the_page_is_said_beside_it(client, ada):
    await login_as(client, ada.username)
    response = await client.get("/admin/audit?since=31/12/2026")
    assert response.status_code == 422
    assert "Use a date" in await response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT, Role.SUPERVISOR])
async def test_to_anyone_but_an_admin_the_audit_log_does_not_exist(client, services, role):
    other = await make_user(services, role)
    await login_as(client, other.username)
    for path in ("/api/v1/audit", "/admin/audit"):
        assert (await client.get(path)).status_code == 404, path
