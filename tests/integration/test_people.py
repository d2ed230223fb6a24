"""People, as an admin runs them: invite staff (they choose a password from the emailed
link and sign in), change a role and disable an account (sessions end), send a reset
link; each change audited; nobody but an admin sees any of it exist."""

from __future__ import annotations

import pytest

from frontdesk.accounts.models import Role
from tests.factories import PASSWORD, last_link_token, make_user, outbox_messages
from tests.helpers import api, csrf_token, login_as

NEW_PASSWORD = "Chosen2026"


@pytest.fixture
async def ada(services):
    return await make_user(services, Role.ADMIN, first_name="Ada", last_name="Admin")


@pytest.fixture
async def admin_client(client, ada):
    await login_as(client, ada.username)
    return client


async def actions(client) -> list[str]:
    found = await (await client.get("/api/v1/audit")).get_json()
    return [f"{e['action']} {e['target']}" for e in reversed(found["entries"])]


@pytest.mark.both_stores
async def test_an_invited_agent_chooses_a_password_and_signs_in(
    admin_client, services, web_app, ada
):
    invite = {"email": "kim@frontdesk.test", "first_name": "Kim", "last_name": "New",
              "role": "agent"}  # fmt: skip
    response = await api(admin_client, "POST", "/api/v1/people", invite)
    assert response.status_code == 201, await response.get_data(as_text=True)
    kim = await response.get_json()
    assert (kim["role"], kim["is_active"]) == ("agent", True)
    (mail,) = await outbox_messages(services, "kim@frontdesk.test")
    assert "Ada Admin has invited you" in mail.body and "expires in 7 days" in mail.body

    # No password works until they choose one from the link.
    newcomer = web_app.test_client()
    refused = await api(newcomer, "POST", "/api/v1/session",
                        {"username": "kim@frontdesk.test", "password": PASSWORD})  # fmt: skip
    assert refused.status_code == 401
    token = await last_link_token(services, "kim@frontdesk.test")
    chosen = await api(newcomer, "POST", "/api/v1/accounts/password",
                       {"token": token, "password": NEW_PASSWORD})  # fmt: skip
    assert chosen.status_code == 200
    await login_as(newcomer, "kim@frontdesk.test", NEW_PASSWORD)
    assert (await newcomer.get("/agent")).status_code == 200

    again = await api(admin_client, "POST", "/api/v1/people", invite)
    assert again.status_code == 409
    assert await actions(admin_client) == ["person.invited Kim New <kim@frontdesk.test>"]


async def test_a_new_role_or_a_disabled_account_ends_their_sessions(
    admin_client, services, web_app, agent
):
    sam = web_app.test_client()
    await login_as(sam, agent.username)
    assert (await sam.get("/api/v1/me")).status_code == 200

    response = await api(admin_client, "PUT", f"/api/v1/people/{agent.id}/role",
                         {"role": "supervisor"})  # fmt: skip
    assert (await response.get_json())["role"] == "supervisor"
    assert (await sam.get("/api/v1/me")).status_code == 401
    await login_as(sam, agent.username)
    assert (await sam.get("/supervisor")).status_code == 200

    off = await api(admin_client, "PUT", f"/api/v1/people/{agent.id}/active", {"active": False})
    assert (await off.get_json())["is_active"] is False
    assert (await sam.get("/api/v1/me")).status_code == 401
    refused = await api(sam, "POST", "/api/v1/session",
                        {"username": agent.username, "password": PASSWORD})  # fmt: skip
    assert refused.status_code == 401
    on = await api(admin_client, "PUT", f"/api/v1/people/{agent.id}/active", {"active": True})
    assert (await on.get_json())["is_active"] is True
    await login_as(sam, agent.username)
    assert await actions(admin_client) == [
        "person.role_changed Sam Agent <" + agent.email + ">",
        "person.disabled Sam Agent <" + agent.email + ">",
        "person.enabled Sam Agent <" + agent.email + ">",
    ]


async def test_a_reset_link_goes_to_the_person(admin_client, services, customer):
    response = await api(admin_client, "POST", f"/api/v1/people/{customer.id}/reset")
    assert response.status_code == 204
    (mail,) = await outbox_messages(services, customer.email)
    assert "reset-password?token=" in mail.body


@pytest.mark.both_stores
async def test_admins_find_people_by_any_words_and_role(admin_client, services, agent, customer):
    async def names(query: str) -> list[str]:
        found = await (await admin_client.get(f"/api/v1/people{query}")).get_json()
        return [f"{p['first_name']} {p['last_name']}" for p in found["people"]]

    assert await names("?q=sam") == ["Sam Agent"]
    assert await names("?q=ann%20example") == ["Ann Example"]
    assert await names(f"?q={customer.email.upper()}") == ["Ann Example"]
    assert await names("?role=admin") == ["Ada Admin"]
    assert await names("?q=ann&role=agent") == []
    assert await names("?q=%25") == await names("")  # a wildcard is no wildcard
    paged = await (await admin_client.get("/api/v1/people?page_size=1&page=2")).get_json()
    assert (paged["total"], paged["pages"], len(paged["people"])) == (3, 3, 1)


async def test_an_admin_cannot_change_their_own_account(admin_client, ada, store_counts):
    before = await store_counts()
    for path, body in ((f"/api/v1/people/{ada.id}/role", {"role": "agent"}),
                       (f"/api/v1/people/{ada.id}/active", {"active": False})):  # fmt: skip
        response = await api(admin_client, "PUT", path, body)
        assert response.status_code == 409
    assert await store_counts() == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/people", {"email": "not an email", "first_name": "A", "last_name": "B",
                            "role": "agent"}),
        ("/api/v1/people", {"email": "c@x.org", "first_name": "C", "last_name": "D",
                            "role": "customer"}),
        ("/api/v1/people", {"email": "c@x.org", "first_name": "", "last_name": "D",
                            "role": "agent"}),
        ("/api/v1/people/{id}/role", {"role": "king"}),
        ("/api/v1/people/{id}/active", {"active": "maybe"}),
    ],
)  # fmt: skip
async def test_bad_input_is_a_clear_4xx_and_changes_nothing(
    admin_client, agent, path, body, store_counts
):
    before = await store_counts()
    method = "POST" if path.endswith("people") else "PUT"
    response = await api(admin_client, method, path.format(id=agent.id), body)
    assert response.status_code == 422
    assert (await response.get_json())["error"]["fields"]
    assert await store_counts() == before


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT, Role.SUPERVISOR])
async def test_to_anyone_but_an_admin_people_do_not_exist(client, services, agent, role):
    other = await make_user(services, role)
    await login_as(client, other.username)
    for method, path in (
        ("GET", "/api/v1/people"),
        ("POST", "/api/v1/people"),
        ("PUT", f"/api/v1/people/{agent.id}/role"),
        ("PUT", f"/api/v1/people/{agent.id}/active"),
        ("POST", f"/api/v1/people/{agent.id}/reset"),
        ("GET", "/admin/people"),
        ("POST", f"/admin/people/{agent.id}/active"),
    ):
        response = await api(client, method, path, {} if method != "GET" else None)
        assert response.status_code == 404, (method, path)


async def test_the_page_invites_and_disables_with_plain_forms(admin_client, services, agent):
    page = await admin_client.get("/admin/people?q=sam")
    html = await page.get_data(as_text=True)
    assert page.status_code == 200 and "Sam Agent" in html and "Ann Example" not in html
    token = await csrf_token(admin_client)
    bad = {"csrf_token": token, "email": "x", "first_name": "X", "last_name": "Y",
           "role": "agent"}  # fmt: skip
    response = await admin_client.post("/admin/people/invite", form=bad)
    assert response.status_code == 422
    form = {"csrf_token": token, "active": "false", "back_q": "sam"}
    response = await admin_client.post(f"/admin/people/{agent.id}/active", form=form)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/people?q=sam#person-{agent.id}"
    listed = await (await admin_client.get("/admin/people?q=sam")).get_data(as_text=True)
    assert "Sam Agent is disabled" in listed and "Disabled" in listed
