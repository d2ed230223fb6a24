"""The team: supervisors and admins set what each agent takes (chat groups, case queues,
chats at once) in the API and on the page; a signed-in agent is routed by it at once;
to everyone else the addresses do not exist."""

from __future__ import annotations

import pytest

from frontdesk.accounts.models import Role
from frontdesk.team import AgentWorkIn
from tests.factories import make_user
from tests.helpers import api, csrf_token, login_as
from tests.integration.chat_clients import Clients, chat_case, person


@pytest.fixture
async def lead(client, services):
    supervisor = await make_user(services, Role.SUPERVISOR, first_name="Sue", last_name="Lead")
    await login_as(client, supervisor.username)
    return client


async def agents_of(client) -> dict[str, dict]:
    response = await client.get("/api/v1/agents")
    assert response.status_code == 200
    return {a["name"]: a for a in (await response.get_json())["agents"]}


@pytest.mark.both_stores
async def test_a_supervisor_sets_what_an_agent_takes(lead, services, agent, customer):
    listed = await agents_of(lead)
    assert "Sam Agent" in listed and "Sue Lead" in listed  # supervisors take work too
    assert "Ann Example" not in listed  # customers do not
    sam = listed["Sam Agent"]
    assert (sam["groups"], sam["queues"], sam["capacity"]) == (None, [], 3)

    queues = services.intake.queues()
    groups = services.live.router.chat_groups()
    change = {"groups": groups[:1], "queues": queues[:2], "capacity": 5}
    response = await api(lead, "PUT", f"/api/v1/agents/{agent.id}", change)
    assert response.status_code == 200, await response.get_data(as_text=True)
    assert await response.get_json() == {**sam, **change}
    assert (await agents_of(lead))["Sam Agent"] == {**sam, **change}
    assert await services.cases.agent_queues(agent) == sorted(queues[:2])

    back = {"groups": None, "queues": [], "capacity": 3}
    assert (await api(lead, "PUT", f"/api/v1/agents/{agent.id}", back)).status_code == 200
    assert (await agents_of(lead))["Sam Agent"] == sam


@pytest.mark.both_stores
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"groups": ["nowhere"], "queues": [], "capacity": 3}, "groups"),
        ({"groups": None, "queues": ["Nobody's queue"], "capacity": 3}, "queues"),
        ({"groups": None, "queues": [], "capacity": 0}, "capacity"),
        ({"groups": None, "queues": [], "capacity": 21}, "capacity"),
        ({"groups": None, "queues": [], "capacity": "many"}, "capacity"),
        ({"groups": None, "queues": [], "capacity": 3, "presence": "away"}, "presence"),
    ],
)
async def test_a_bad_change_is_refused_with_where_and_changes_nothing(
    lead, services, agent, change, field, store_counts
):
    await api(lead, "PUT", f"/api/v1/agents/{agent.id}", {"groups": None, "capacity": 4})
    before = await store_counts()
    response = await api(lead, "PUT", f"/api/v1/agents/{agent.id}", change)
    assert response.status_code == 422
    error = (await response.get_json())["error"]
    assert field in error["fields"], error
    assert await store_counts() == before
    assert (await agents_of(lead))["Sam Agent"]["capacity"] == 4
    assert await services.cases.agent_queues(agent) == []


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT])
async def test_to_anyone_else_the_team_does_not_exist(client, services, agent, role):
    other = await make_user(services, role, first_name="Olly", last_name="Other")
    await login_as(client, other.username)
    for method, path in (
        ("GET", "/api/v1/agents"),
        ("GET", f"/api/v1/agents/{agent.id}"),
        ("PUT", f"/api/v1/agents/{agent.id}"),
        ("GET", "/supervisor/agents"),
        ("POST", f"/supervisor/agents/{agent.id}"),
    ):
        body = {"groups": None, "queues": [], "capacity": 9}
        response = await api(client, method, path, body if method in ("PUT", "POST") else None)
        assert response.status_code == 404, (method, path)
    assert (await services.live.agents.settings(agent.id)).capacity == 3


async def test_only_people_who_take_work_can_be_set(lead, services, customer):
    admin = await make_user(services, Role.ADMIN)
    for user_id in (customer.id, admin.id, 999_999):
        response = await api(lead, "PUT", f"/api/v1/agents/{user_id}", {"capacity": 2})
        assert response.status_code == 404


async def test_the_page_form_saves_and_says_what_is_wrong(lead, services, agent):
    page = await lead.get("/supervisor/agents")
    html = await page.get_data(as_text=True)
    assert page.status_code == 200 and "Sam Agent" in html and "Chats at once" in html
    token = await csrf_token(lead)
    wrong = {"csrf_token": token, "groups_mode": "only", "queues_mode": "every", "capacity": "2"}
    response = await lead.post(f"/supervisor/agents/{agent.id}", form=wrong)
    assert response.status_code == 422
    assert "Choose at least one chat group" in await response.get_data(as_text=True)
    assert (await services.live.agents.settings(agent.id)).capacity == 3

    group, queue = services.live.router.chat_groups()[0], services.intake.queues()[0]
    right = {**wrong, "groups": group, "queues_mode": "only", "queues": queue}
    response = await lead.post(f"/supervisor/agents/{agent.id}", form=right)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/supervisor/agents#agent-{agent.id}"
    settings = await services.live.agents.settings(agent.id)
    assert (settings.groups, settings.capacity) == ((group,), 2)
    assert await services.cases.agent_queues(agent) == [queue]
    again = await lead.get("/supervisor/agents")
    assert "Saved what Sam Agent takes" in await again.get_data(as_text=True)

    missing = {**right}
    missing.pop("csrf_token")
    assert (await lead.post(f"/supervisor/agents/{agent.id}", form=missing)).status_code == 403


async def test_a_signed_in_agent_is_routed_by_the_change_at_once(servers, clock):
    server = servers.start(chat_sweep_seconds=0.05)
    ben = await person(server, Role.AGENT)
    lead = await person(server, Role.SUPERVISOR)
    customer = await person(server)
    team = server.services.team
    chat_groups = server.services.live.router.chat_groups()
    async with Clients() as clients:
        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        other_groups = [g for g in chat_groups if g != "centres"]
        await server.acall(
            lambda: team.set_work(lead, ben.id, AgentWorkIn(groups=other_groups, capacity=1))
        )
        told = await agent.next("presence_changed")
        assert told["settings"]["groups"] == sorted(other_groups)
        assert told["settings"]["presence"] == "available"  # theirs, unchanged

        case = await chat_case(server, customer)  # a "centres" case
        assert case.customer_group == "centres"
        ann = await clients.open(server, "/customer", customer)
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await ann.next("queue_updated", chat_id=chat_id, position=1)
        assert agent.events["chat_offered"].empty()

        # Given the group back: the waiting chat is offered at once.
        await server.acall(
            lambda: team.set_work(lead, ben.id, AgentWorkIn(groups=None, capacity=1))
        )
        await agent.next("chat_offered", chat_id=chat_id)
