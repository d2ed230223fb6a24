"""Canned replies over the API: an agent's own are theirs alone (404 to anyone else),
shared ones every member of staff reads and only supervisors and admins write; a reply
is filled in for a case the caller can see; and the articles that fit a case."""

from __future__ import annotations

import pytest

from frontdesk.accounts.models import Role
from tests.factories import make_user, open_case
from tests.helpers import api, csrf_token, login_as
from tests.kb_factories import make_article

REPLIES = "/api/v1/canned-replies"
HELLO = {
    "shortcut": "Hello",
    "title": "Greeting",
    "body": "Hello {customer_first_name}, I'm {agent_name}. Case {case_number}; "
    "we chat {group_hours}.",
}


async def signed_in(web_app, user):
    client = web_app.test_client()
    await login_as(client, user.username)
    return client


@pytest.fixture
async def case(services, customer):
    return await open_case(services, customer)


@pytest.fixture
async def staff(web_app, agent):
    return await signed_in(web_app, agent)


@pytest.fixture
async def other_agent(web_app, services):
    return await signed_in(web_app, await make_user(services, Role.AGENT))


@pytest.fixture
async def boss(web_app, services):
    return await signed_in(web_app, await make_user(services, Role.SUPERVISOR))


@pytest.fixture
async def theirs(web_app, customer):
    return await signed_in(web_app, customer)


async def created(client, **fields):
    response = await api(client, "POST", REPLIES, {**HELLO, **fields})
    body = await response.get_json()
    assert response.status_code == 201, body
    return body


async def shortcuts(client, query=""):
    response = await client.get(f"{REPLIES}{query}")
    assert response.status_code == 200
    return [item["shortcut"] for item in (await response.get_json())["items"]]


async def test_a_personal_reply_is_its_owners_alone(staff, other_agent, boss, theirs):
    mine = await created(staff)
    assert mine["scope"] == "personal" and mine["shortcut"] == "hello" and mine["editable"]
    path = f"{REPLIES}/{mine['id']}"

    assert await shortcuts(staff) == ["hello"]
    assert await shortcuts(other_agent) == [] and await shortcuts(boss) == []
    for stranger in (other_agent, boss, theirs):
        assert (await stranger.get(path)).status_code == 404
        changed = await api(stranger, "PUT", path, {**HELLO, "title": "Mine now"})
        assert changed.status_code == 404
        assert (await api(stranger, "DELETE", path)).status_code == 404
    assert (await theirs.get(REPLIES)).status_code == 404

    changed = await api(staff, "PUT", path, {**HELLO, "title": "Hi there"})
    assert (await changed.get_json())["title"] == "Hi there"
    assert (await api(staff, "DELETE", path)).status_code == 204
    assert (await staff.get(path)).status_code == 404


async def test_shared_replies_are_read_by_all_staff_and_written_by_supervisors(staff, boss, theirs):
    refused = await api(staff, "POST", REPLIES, {**HELLO, "scope": "shared"})
    assert refused.status_code == 403
    for_centres = await created(boss, scope="shared", customer_group="centres", shortcut="hours")
    await created(boss, scope="shared", customer_group="associates", shortcut="examiners")
    await created(boss, scope="shared", shortcut="bye")
    await created(staff, shortcut="mine")

    assert await shortcuts(staff) == ["bye", "examiners", "hours", "mine"]
    assert await shortcuts(staff, "?group=centres") == ["bye", "hours", "mine"]
    assert await shortcuts(staff, "?group=centres&q=HOU") == ["hours"]
    path = f"{REPLIES}/{for_centres['id']}"
    seen = await (await staff.get(path)).get_json()
    assert seen["customer_group_name"] == "Schools, colleges and training providers"
    assert seen["editable"] is False
    assert (await api(staff, "PUT", path, {**HELLO, "scope": "shared"})).status_code == 403
    assert (await api(staff, "DELETE", path)).status_code == 403
    assert (await theirs.get(path)).status_code == 404

    moved = await api(boss, "PUT", path, {**HELLO, "scope": "shared", "customer_group": None})
    assert (await moved.get_json())["customer_group_name"] == "All groups"
    assert (await api(boss, "DELETE", path)).status_code == 204


async def test_a_reply_is_filled_in_for_the_case(staff, theirs, case, agent):
    mine = await created(staff)
    response = await staff.get(f"{REPLIES}/{mine['id']}/rendered?case={case.number}")

    assert response.status_code == 200
    assert (await response.get_json())["text"] == (
        f"Hello {case.contact_first_name}, I'm {agent.display_name}. Case {case.number}; "
        "we chat Monday - Friday 09:00-17:00 (UK time)."
    )
    missing = await staff.get(f"{REPLIES}/{mine['id']}/rendered?case=99999999")
    assert missing.status_code == 404
    theirs_filled = await theirs.get(f"{REPLIES}/{mine['id']}/rendered?case={case.number}")
    assert theirs_filled.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"body": "Dear {customer_name}"}, "body"),
        ({"body": "  "}, "body"),
        ({"shortcut": "two words"}, "shortcut"),
        ({"customer_group": "nowhere"}, "customer_group"),
        ({"scope": "everyone"}, "scope"),
        ({"title": "x" * 121}, "title"),
    ],
)
async def test_bad_replies_are_refused_and_nothing_is_saved(staff, change, field):
    response = await api(staff, "POST", REPLIES, {**HELLO, **change})

    body = await response.get_json()
    assert response.status_code in (400, 422), body
    assert field in body["error"]["fields"], body
    if field == "body" and "customer_name" in change["body"]:
        assert "{customer_name}" in body["error"]["fields"]["body"]
    assert await shortcuts(staff) == []


async def test_a_reply_keeps_its_scope(boss):
    mine = await created(boss)
    response = await api(boss, "PUT", f"{REPLIES}/{mine['id']}", {**HELLO, "scope": "shared"})
    assert response.status_code == 422


async def test_the_articles_for_a_case_fit_its_choices_for_staff_only(
    services, staff, theirs, case
):
    await make_article(services.kb, "general", views=900, roles=["Exams Officers"])
    await make_article(services.kb, "receipt", views=5, topics=["Certificate Receipt Dates"])

    response = await staff.get(f"/api/v1/cases/{case.number}/articles")

    assert response.status_code == 200
    items = (await response.get_json())["items"]
    assert [item["slug"] for item in items][:2] == ["receipt", "general"]
    assert items[0]["url"] == "/articles/receipt"
    assert (await theirs.get(f"/api/v1/cases/{case.number}/articles")).status_code == 404
    assert (await staff.get("/api/v1/cases/99999999/articles")).status_code == 404


# The page ----------------------------------------------------------------------------------


async def form_post(client, path, **fields):
    token = await csrf_token(client)
    return await client.post(path, form={"csrf_token": token, **fields})


async def test_the_page_writes_changes_and_deletes_by_plain_forms(staff, other_agent, theirs):
    made = await form_post(staff, "/agent/replies", shortcut="thanks", title="Thanks", body="Ta")
    assert made.status_code == 302
    [reply] = (await (await staff.get(REPLIES)).get_json())["items"]
    page = await (await staff.get("/agent/replies")).get_data(as_text=True)
    assert "/thanks" in page and "{customer_first_name}" in page

    refused = await form_post(staff, "/agent/replies", shortcut="x", title="X", body="{oops}")
    assert refused.status_code == 422
    assert "Unknown placeholder {oops}" in await refused.get_data(as_text=True)
    no_token = await staff.post("/agent/replies", form={"shortcut": "y", "title": "Y", "body": "Y"})
    assert no_token.status_code == 403

    path = f"/agent/replies/{reply['id']}"
    theirs_now = await form_post(other_agent, path, shortcut="x", title="X", body="X")
    assert theirs_now.status_code == 404
    assert (await other_agent.get(path)).status_code == 404
    assert (await theirs.get("/agent/replies")).status_code == 404
    fields = {"scope": "personal", "shortcut": "thanks", "title": "T", "body": "Ta"}
    changed = await form_post(staff, path, **fields)
    assert changed.status_code == 302
    assert (await form_post(other_agent, f"{path}/delete")).status_code == 404
    assert (await form_post(staff, f"{path}/delete")).status_code == 302
    assert (await (await staff.get(REPLIES)).get_json())["items"] == []
