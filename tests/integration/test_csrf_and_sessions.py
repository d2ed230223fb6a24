"""CSRF on every change, the session cookie's flags, and sessions that end server-side."""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import pytest

from tests.factories import PASSWORD, last_link_token, make_user, registration
from tests.helpers import csrf_token, login_as

COOKIE = "frontdesk_session"
CSRF_MESSAGE = "did not come from this site"
NEW_PASSWORD = "Brand2newpass"


@dataclass
class World:
    """A signed-in user, plus live links, so every refused request had something to do."""

    user: Any
    verify_token: str
    reset_token: str
    pending_email: str


@pytest.fixture
async def world(client, services) -> World:
    user = await make_user(services)
    pending = registration()
    headers = {"X-CSRF-Token": await csrf_token(client)}
    assert (await client.post("/api/v1/accounts", json=pending, headers=headers)).status_code == 201
    reset = {"username": user.username}
    response = await client.post("/api/v1/accounts/password-reset", json=reset, headers=headers)
    assert response.status_code == 202
    await login_as(client, user.username)
    return World(
        user=user,
        verify_token=await last_link_token(services, pending["email"]),
        reset_token=await last_link_token(services, user.email),
        pending_email=pending["email"],
    )


def api_requests(world: World) -> dict[str, tuple[str, str, Any]]:
    """Every state-changing API call, with a body that would succeed."""
    return {
        "sign-in": (
            "POST", "/api/v1/session", {"username": world.user.username, "password": PASSWORD}
        ),
        "sign-out": ("DELETE", "/api/v1/session", None),
        "register": ("POST", "/api/v1/accounts", registration()),
        "verify": ("POST", "/api/v1/accounts/verify", {"token": world.verify_token}),
        "username-reminder": (
            "POST", "/api/v1/accounts/username-reminder", {"email": world.user.email}
        ),
        "password-reset": (
            "POST", "/api/v1/accounts/password-reset", {"username": world.user.username}
        ),
        "password": (
            "POST", "/api/v1/accounts/password",
            {"token": world.reset_token, "password": NEW_PASSWORD},
        ),
    }  # fmt: skip


def form_posts(world: World) -> dict[str, tuple[str, dict[str, str]]]:
    """Every HTML form post, with fields that would succeed."""
    form = registration()
    form["accept_terms"] = "on"
    return {
        "sign-in": ("/sign-in", {"username": world.user.username, "password": PASSWORD}),
        "sign-out": ("/sign-out", {}),
        "create-account": ("/create-account", form),
        "verify-email": ("/verify-email", {"token": world.verify_token}),
        "forgot-username": ("/forgot-username", {"email": world.user.email}),
        "forgot-password": ("/forgot-password", {"username": world.user.username}),
        "reset-password": (
            "/reset-password", {"token": world.reset_token, "password": NEW_PASSWORD}
        ),
    }  # fmt: skip


API_NAMES = ["sign-in", "sign-out", "register", "verify", "username-reminder", "password-reset",
             "password"]  # fmt: skip
FORM_NAMES = ["sign-in", "sign-out", "create-account", "verify-email", "forgot-username",
              "forgot-password", "reset-password"]  # fmt: skip


async def other_sessions_token(web_app: Any) -> str:
    return await csrf_token(web_app.test_client())


async def bad_token(kind: str, web_app: Any) -> str | None:
    if kind == "missing":
        return None
    if kind == "wrong":
        return "not-the-token"
    return await other_sessions_token(web_app)  # valid, but another visitor's


async def whoami(client: Any) -> int | None:
    user = (await (await client.get("/api/v1/session")).get_json())["user"]
    return None if user is None else int(user["id"])


BAD_TOKENS = ["missing", "wrong", "other-session"]


@pytest.mark.parametrize("name", API_NAMES)
async def test_api_changes_without_the_csrf_token_are_refused_and_change_nothing(
    client, web_app, world, store_counts, name
):
    method, path, body = api_requests(world)[name]
    before = await store_counts()
    for kind in BAD_TOKENS:
        token = await bad_token(kind, web_app)
        headers = {} if token is None else {"X-CSRF-Token": token}

        response = await client.open(path, method=method, json=body, headers=headers)

        assert response.status_code == 403, kind
        error = (await response.get_json())["error"]
        assert error["code"] == "CSRF_FAILED"
        assert CSRF_MESSAGE in error["message"]
        assert await store_counts() == before
        assert await whoami(client) == world.user.id
    # The same request with this session's token goes through: it was refused for CSRF only.
    headers = {"X-CSRF-Token": await csrf_token(client)}
    allowed = await client.open(path, method=method, json=body, headers=headers)
    assert allowed.status_code in {200, 201, 202, 204}, await allowed.get_data(as_text=True)


@pytest.mark.parametrize("name", FORM_NAMES)
async def test_form_posts_without_the_csrf_token_are_refused_and_change_nothing(
    client, web_app, world, store_counts, name
):
    path, form = form_posts(world)[name]
    before = await store_counts()
    for kind in BAD_TOKENS:
        token = await bad_token(kind, web_app)
        data = form if token is None else {**form, "csrf_token": token}

        response = await client.post(path, form=data)

        assert response.status_code == 403, kind
        assert response.mimetype == "text/html"
        assert CSRF_MESSAGE in await response.get_data(as_text=True)
        assert await store_counts() == before
        assert await whoami(client) == world.user.id
    allowed = await client.post(path, form={**form, "csrf_token": await csrf_token(client)})
    assert allowed.status_code in {200, 302}, await allowed.get_data(as_text=True)


async def test_a_form_token_in_the_query_string_does_not_count(client, world, store_counts):
    token = await csrf_token(client)
    before = await store_counts()
    response = await client.post(f"/sign-out?csrf_token={token}", form={})
    assert response.status_code == 403
    assert await store_counts() == before


async def test_a_json_body_token_does_not_count(client, world):
    token = await csrf_token(client)
    response = await client.delete("/api/v1/session", json={"csrf_token": token})
    assert response.status_code == 403
    assert await whoami(client) == world.user.id


async def test_safe_methods_need_no_token(client):
    for path in ("/api/v1/session", "/", "/sign-in", "/create-account"):
        assert (await client.get(path)).status_code == 200


# The session cookie -----------------------------------------------------------------------


def session_cookie(response: Any) -> Any:
    for header in response.headers.getlist("Set-Cookie"):
        cookies = SimpleCookie()
        cookies.load(header)
        if COOKIE in cookies:
            return cookies[COOKIE]
    raise AssertionError(f"no {COOKIE} cookie set")


async def test_the_session_cookie_is_httponly_lax_and_not_secure_on_http(client, services):
    response = await client.get("/api/v1/session")
    cookie = session_cookie(response)
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    user = await make_user(services)
    signed_in = session_cookie(await login_as(client, user.username))
    assert signed_in["httponly"] is True
    assert signed_in["samesite"] == "Lax"
    assert not signed_in["secure"]
    assert signed_in["expires"]  # a permanent session, not a browser-session cookie


async def test_the_session_cookie_is_secure_behind_https(start_app):
    app = await start_app(public_url="https://help.example")
    client = app.test_client()
    response = await client.get("/api/v1/session", scheme="https")
    cookie = session_cookie(response)
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# Sign-in and sign-out ---------------------------------------------------------------------


async def test_signing_in_issues_a_new_csrf_token(client, services):
    user = await make_user(services)
    old = await csrf_token(client)
    response = await client.post(
        "/api/v1/session",
        json={"username": user.username, "password": PASSWORD},
        headers={"X-CSRF-Token": old},
    )
    assert response.status_code == 200
    new = (await response.get_json())["csrf_token"]
    assert new != old
    assert await csrf_token(client) == new

    refused = await client.delete("/api/v1/session", headers={"X-CSRF-Token": old})
    assert refused.status_code == 403
    assert await whoami(client) == user.id
    accepted = await client.delete("/api/v1/session", headers={"X-CSRF-Token": new})
    assert accepted.status_code == 204
    assert await whoami(client) is None


async def test_signing_in_replaces_the_cookie_so_a_planted_one_gains_nothing(
    client, web_app, services
):
    user = await make_user(services)
    planted = session_cookie(await client.get("/api/v1/session")).value
    await login_as(client, user.username)
    attacker = web_app.test_client(use_cookies=False)
    response = await attacker.get("/api/v1/me", headers={"Cookie": f"{COOKIE}={planted}"})
    assert response.status_code == 401


async def test_signing_out_ends_the_session_on_the_server(client, web_app, services, store_counts):
    user = await make_user(services)
    cookie = session_cookie(await login_as(client, user.username)).value
    replay = web_app.test_client(use_cookies=False)
    headers = {"Cookie": f"{COOKIE}={cookie}"}
    assert (await replay.get("/api/v1/me", headers=headers)).status_code == 200

    response = await client.delete(
        "/api/v1/session", headers={"X-CSRF-Token": await csrf_token(client)}
    )

    assert response.status_code == 204
    assert (await store_counts())["sessions"] == 0
    replayed = await replay.get("/api/v1/me", headers=headers)
    assert replayed.status_code == 401
    assert (await replayed.get_json())["error"]["code"] == "NOT_SIGNED_IN"


async def test_signing_out_by_form_ends_the_session_on_the_server(client, web_app, services):
    user = await make_user(services)
    cookie = session_cookie(await login_as(client, user.username)).value
    response = await client.post("/sign-out", form={"csrf_token": await csrf_token(client)})
    assert response.status_code == 302
    replay = web_app.test_client(use_cookies=False)
    replayed = await replay.get("/api/v1/me", headers={"Cookie": f"{COOKIE}={cookie}"})
    assert replayed.status_code == 401


async def test_signing_out_one_device_keeps_the_others(web_app, services):
    user = await make_user(services)
    laptop, phone = web_app.test_client(), web_app.test_client()
    await login_as(laptop, user.username)
    await login_as(phone, user.username)
    await laptop.delete("/api/v1/session", headers={"X-CSRF-Token": await csrf_token(laptop)})
    assert (await laptop.get("/api/v1/me")).status_code == 401
    assert (await phone.get("/api/v1/me")).status_code == 200


async def test_a_tampered_cookie_is_anonymous(client, web_app, services):
    user = await make_user(services)
    cookie = session_cookie(await login_as(client, user.username)).value
    payload, _, signature = cookie.rpartition(".")
    forged = f"{payload}.{'A' * len(signature)}"
    replay = web_app.test_client(use_cookies=False)
    response = await replay.get("/api/v1/me", headers={"Cookie": f"{COOKIE}={forged}"})
    assert response.status_code == 401


async def test_a_session_ends_after_its_lifetime(client, services, clock, settings):
    user = await make_user(services)
    await login_as(client, user.username)
    clock.advance(days=settings.session_days, seconds=-1)
    assert (await client.get("/api/v1/me")).status_code == 200
    clock.advance(seconds=1)
    assert (await client.get("/api/v1/me")).status_code == 401
