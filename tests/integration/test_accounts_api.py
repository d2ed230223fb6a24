"""The accounts JSON API: registration, verification, sign-in, recovery, throttling."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.accounts.policy import PUBLIC_EMAIL_WARNING
from frontdesk.accounts.service import RECOVERY_SENT
from frontdesk.intake.human_check import solve
from tests.factories import PASSWORD, last_link_token, make_user, outbox_messages, registration
from tests.helpers import api, csrf_token, login_as

NEW_PASSWORD = "Brand2newpass"
THROTTLE_WINDOW_SECONDS = 15 * 60  # Settings.throttle_window_minutes default


async def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    """The {"error": {"code", "message", "fields"}} body, checked for shape and code."""
    body = await response.get_json()
    assert response.status_code == status, body
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]


async def register(client: Any, **overrides: Any) -> tuple[Any, dict[str, Any]]:
    form = registration(**overrides)
    return await api(client, "POST", "/api/v1/accounts", form), form


async def verify(client: Any, token: str) -> Any:
    return await api(client, "POST", "/api/v1/accounts/verify", {"token": token})


async def sign_in(client: Any, username: str, password: str = PASSWORD, address: str | None = None):
    headers = {"X-CSRF-Token": await csrf_token(client)}
    scope = {"client": (address, 40000)} if address else None
    return await client.post(
        "/api/v1/session",
        json={"username": username, "password": password},
        headers=headers,
        scope_base=scope,
    )


async def me(client: Any) -> Any:
    return await client.get("/api/v1/me")


def expected_message(email: str) -> str:
    return (
        f"We have sent a link to {email}. Open it within 24 hours to finish creating your account."
    )


# Registration ----------------------------------------------------------------------------


async def test_registration_sends_a_link_that_verifies_and_allows_sign_in(client, services):
    response, form = await register(client, first_name="Ann", last_name="Example")
    assert response.status_code == 201
    assert await response.get_json() == {
        "message": expected_message(form["email"]),
        "warnings": {},
    }
    [mail] = await outbox_messages(services, form["email"])
    assert mail.subject == "Verify your email address for frontdesk"
    assert "Hello Ann," in mail.body
    assert "http://127.0.0.1:8000/verify-email?token=" in mail.body

    verified = await verify(client, await last_link_token(services, form["email"]))
    assert verified.status_code == 200
    assert (await verified.get_json())["email"] == form["email"]

    await login_as(client, form["email"])
    shown = await (await me(client)).get_json()
    assert (shown["first_name"], shown["last_name"]) == ("Ann", "Example")
    assert shown["username"] == form["email"]  # a blank username defaults to the email
    assert shown["role"] == "customer"
    assert "password" not in str(shown)


async def test_a_chosen_username_signs_in(client, services):
    response, form = await register(client, username="ann.example")
    assert response.status_code == 201
    await verify(client, await last_link_token(services, form["email"]))
    await login_as(client, "ann.example")
    assert (await (await me(client)).get_json())["username"] == "ann.example"


async def test_a_public_email_domain_is_warned_about_but_registers(client, services, store_counts):
    before = await store_counts()
    response, _ = await register(client, email="ann.example@gmail.com")
    assert response.status_code == 201
    assert (await response.get_json())["warnings"] == {"email": PUBLIC_EMAIL_WARNING}
    after = await store_counts()
    assert after["users"] == before["users"] + 1
    assert len(await outbox_messages(services, "ann.example@gmail.com")) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password": "weakpass1"}, "password", "at least one uppercase letter"),
        ({"password": "Short1"}, "password", "8 or more characters"),
        ({"email_confirm": "someone.else@centre.ac.uk"}, "email_confirm", "do not match"),
        ({"country": "XX"}, "country", "Choose your country"),
        ({"accept_terms": False}, "accept_terms", "Terms of Use"),
        ({"is_admin": True}, "is_admin", "not expected"),
        ({"email": "not an email", "email_confirm": "not an email"}, "email", "valid email"),
    ],
)
async def test_invalid_registrations_are_refused_and_change_nothing(
    client, store_counts, overrides, field, message
):
    before = await store_counts()
    response, _ = await register(client, **overrides)
    error = await error_of(response, 422, "INVALID")
    assert field in error["fields"]
    assert message in error["fields"][field]
    assert await store_counts() == before


@pytest.mark.both_stores
async def test_a_taken_username_is_refused_and_changes_nothing(client, services, store_counts):
    await make_user(services, username="taken.name")
    before = await store_counts()
    response, _ = await register(client, username="TAKEN.name")
    error = await error_of(response, 409, "USERNAME_TAKEN")
    assert set(error["fields"]) == {"username"}
    assert await store_counts() == before


async def test_registering_a_verified_email_answers_as_usual_and_tells_the_owner(
    client, services, store_counts
):
    owner = await make_user(services, email="owner@centre.ac.uk", first_name="Olive")
    fresh, fresh_form = await register(client)
    before = await store_counts()

    response, _ = await register(
        client,
        email="OWNER@centre.ac.uk",
        email_confirm="owner@centre.ac.uk",
        password="Another9pass",
    )

    assert response.status_code == fresh.status_code == 201
    body, fresh_body = await response.get_json(), await fresh.get_json()
    assert body["message"].replace("OWNER@centre.ac.uk", "X") == fresh_body["message"].replace(
        fresh_form["email"], "X"
    )
    assert body["warnings"] == fresh_body["warnings"] == {}
    after = await store_counts()
    assert after["users"] == before["users"]
    assert after["outbox"] == before["outbox"] + 1
    [mail] = await outbox_messages(services, owner.email)
    assert mail.subject == "You already have a frontdesk account"
    assert "Hello Olive," in mail.body
    assert "http://127.0.0.1:8000/forgot-password" in mail.body
    assert "token=" not in mail.body
    # The owner's password is untouched by the stranger's registration.
    assert (await sign_in(client, owner.username, "Another9pass")).status_code == 401
    assert (await sign_in(client, owner.username, PASSWORD)).status_code == 200


async def test_registering_a_verified_email_with_another_username_answers_the_same(
    client, services, store_counts
):
    owner = await make_user(services, email="owner@centre.ac.uk")
    before = await store_counts()
    response, _ = await register(client, email=owner.email, username="someone.new")
    assert response.status_code == 201
    assert (await response.get_json())["message"] == expected_message(owner.email)
    assert (await store_counts())["users"] == before["users"]


async def test_registering_again_before_verifying_resends_a_link_and_keeps_the_account(
    client, services, clock, store_counts
):
    _, form = await register(client, first_name="Ann")
    first_token = await last_link_token(services, form["email"])
    clock.advance(hours=3)
    before = await store_counts()

    again, _ = await register(client, email=form["email"], password=NEW_PASSWORD)

    assert again.status_code == 201
    assert (await again.get_json())["message"] == expected_message(form["email"])
    assert (await store_counts())["users"] == before["users"]
    second_token = await last_link_token(services, form["email"])
    assert second_token != first_token
    assert (await verify(client, second_token)).status_code == 200
    # The first registration's password stands; the second one's does not.
    assert (await sign_in(client, form["email"], NEW_PASSWORD)).status_code == 401
    assert (await sign_in(client, form["email"], PASSWORD)).status_code == 200


async def test_a_resent_link_keeps_the_original_deadline(client, services, clock):
    _, form = await register(client)
    clock.advance(hours=20)
    await register(client, email=form["email"])
    clock.advance(hours=4)
    response = await verify(client, await last_link_token(services, form["email"]))
    await error_of(response, 422, "LINK_EXPIRED")


# Verification links ----------------------------------------------------------------------


async def test_a_verification_link_works_once(client, services):
    _, form = await register(client)
    token = await last_link_token(services, form["email"])
    assert (await verify(client, token)).status_code == 200
    error = await error_of(await verify(client, token), 422, "LINK_USED")
    assert error["message"] == "This link has been used already"


@pytest.mark.parametrize(
    ("elapsed", "status"),
    [({"hours": 24, "seconds": -1}, 200), ({"hours": 24}, 422), ({"days": 3}, 422)],
    ids=["1s-before-24h", "at-24h", "after-24h"],
)
async def test_a_verification_link_expires_after_24_hours(client, services, clock, elapsed, status):
    _, form = await register(client)
    token = await last_link_token(services, form["email"])
    clock.advance(**elapsed)
    response = await verify(client, token)
    if status == 200:
        assert response.status_code == 200
        await login_as(client, form["email"])
    else:
        error = await error_of(response, 422, "LINK_EXPIRED")
        assert "create your account again" in error["message"]
        assert (await sign_in(client, form["email"])).status_code == 403


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("", "INVALID"),
        ("made-up", "LINK_INVALID"),
        ("eyJhIjoxfQ.AAAAAAAAAAAAAAAAAAAAAAAAAAA", "LINK_INVALID"),
    ],
    ids=["empty", "garbage", "bad-signature"],
)
async def test_a_made_up_verification_link_is_refused(client, token, code, store_counts):
    before = await store_counts()
    await error_of(await verify(client, token), 422, code)
    assert await store_counts() == before


async def test_a_tampered_verification_link_is_refused(client, services):
    _, form = await register(client)
    token = await last_link_token(services, form["email"])
    tampered = token[:-3] + ("zzz" if not token.endswith("zzz") else "AAA")
    await error_of(await verify(client, tampered), 422, "LINK_INVALID")
    assert (await verify(client, token)).status_code == 200  # the real one still works


async def test_a_reset_link_does_not_verify(client, services):
    user = await make_user(services)
    await api(client, "POST", "/api/v1/accounts/password-reset", {"username": user.username})
    reset_token = await last_link_token(services, user.email)
    await error_of(await verify(client, reset_token), 422, "LINK_INVALID")


@pytest.mark.parametrize(
    ("elapsed", "status"),
    [({"hours": 24, "seconds": -1}, 409), ({"hours": 24}, 201)],
    ids=["1s-before-24h", "at-24h"],
)
async def test_an_unverified_username_is_held_until_its_link_expires(
    client, services, clock, store_counts, elapsed, status
):
    _, first = await register(client, username="annie")
    first_token = await last_link_token(services, first["email"])
    clock.advance(**elapsed)

    response, second = await register(client, username="annie")

    assert response.status_code == status
    if status == 409:
        await error_of(response, 409, "USERNAME_TAKEN")
        assert await outbox_messages(services, second["email"]) == []
        assert (await verify(client, first_token)).status_code == 200
    else:
        assert (await store_counts())["users"] == 1  # the stale account made way
        await error_of(await verify(client, first_token), 422, "LINK_INVALID")
        assert (
            await verify(client, await last_link_token(services, second["email"]))
        ).status_code == 200
        await login_as(client, "annie")
        assert (await (await me(client)).get_json())["email"] == second["email"]


@pytest.mark.parametrize("elapsed", [{"hours": 24}, {"days": 10}], ids=["at-24h", "after-24h"])
async def test_an_account_never_verified_in_time_can_be_created_again(
    client, services, clock, store_counts, elapsed
):
    _, first = await register(client, username="annie", first_name="Ann")
    clock.advance(**elapsed)

    response, _ = await register(
        client, email=first["email"], username="annie", first_name="Annie", password=NEW_PASSWORD
    )

    assert response.status_code == 201
    assert (await response.get_json())["message"] == expected_message(first["email"])
    assert (await store_counts())["users"] == 1
    mail = (await outbox_messages(services, first["email"]))[-1]
    assert "Hello Annie," in mail.body
    assert (
        await verify(client, await last_link_token(services, first["email"]))
    ).status_code == 200
    await login_as(client, "annie", NEW_PASSWORD)


async def test_a_verified_account_is_never_made_way_for(client, services, clock):
    _, form = await register(client, username="annie")
    await verify(client, await last_link_token(services, form["email"]))
    clock.advance(days=30)
    response, _ = await register(client, username="annie")
    await error_of(response, 409, "USERNAME_TAKEN")
    await login_as(client, "annie")


# Sign-in ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "login",
    ["Ann.Example", "ann.example", "ANN.EXAMPLE", "  ann.example ", "ann@centre.ac.uk",
     "ANN@Centre.AC.UK"],
)  # fmt: skip
@pytest.mark.both_stores
async def test_sign_in_with_username_or_email_in_any_case(client, services, login):
    user = await make_user(services, email="ann@centre.ac.uk", username="Ann.Example")
    response = await sign_in(client, login)
    assert response.status_code == 200
    body = await response.get_json()
    assert body["user"]["id"] == user.id
    assert body["csrf_token"]
    assert (await (await me(client)).get_json())["username"] == "Ann.Example"


async def test_wrong_password_and_unknown_user_read_the_same(client, services):
    user = await make_user(services)
    wrong = await sign_in(client, user.username, "Wrong1password")
    unknown = await sign_in(client, "nobody@nowhere.example", "Wrong1password")
    wrong_error = await error_of(wrong, 401, "BAD_CREDENTIALS")
    assert await error_of(unknown, 401, "BAD_CREDENTIALS") == wrong_error
    assert wrong_error["message"] == "Incorrect username or password"
    assert (await me(client)).status_code == 401


async def test_an_unverified_account_cannot_sign_in(client, services, store_counts):
    _, form = await register(client)
    before = await store_counts()
    error = await error_of(await sign_in(client, form["email"]), 403, "EMAIL_NOT_VERIFIED")
    assert "verify your email" in error["message"]
    assert (await store_counts())["sessions"] == before["sessions"]
    assert (await me(client)).status_code == 401


async def test_an_unverified_account_with_a_wrong_password_reads_as_bad_credentials(client):
    _, form = await register(client)
    await error_of(await sign_in(client, form["email"], "Wrong1password"), 401, "BAD_CREDENTIALS")


async def test_sign_in_form_errors_name_fields(client):
    response = await api(client, "POST", "/api/v1/session", {"username": "", "password": ""})
    error = await error_of(response, 422, "INVALID")
    assert set(error["fields"]) == {"username", "password"}


# Username reminder -----------------------------------------------------------------------


async def test_forgot_username_emails_the_username(client, services):
    user = await make_user(services, email="ann@centre.ac.uk", username="ann.example")
    response = await api(
        client, "POST", "/api/v1/accounts/username-reminder", {"email": "ANN@centre.ac.uk"}
    )
    assert response.status_code == 202
    assert await response.get_json() == {"message": RECOVERY_SENT}
    [mail] = await outbox_messages(services, user.email)
    assert mail.subject == "Your frontdesk username"
    assert "Your username is: ann.example" in mail.body


async def test_forgot_username_answers_the_same_for_an_unknown_email(
    client, services, store_counts
):
    await make_user(services, email="ann@centre.ac.uk")
    known = await api(
        client, "POST", "/api/v1/accounts/username-reminder", {"email": "ann@centre.ac.uk"}
    )
    before = await store_counts()
    unknown = await api(
        client, "POST", "/api/v1/accounts/username-reminder", {"email": "nobody@centre.ac.uk"}
    )
    assert unknown.status_code == known.status_code == 202
    assert await unknown.get_json() == await known.get_json()
    assert (await store_counts())["outbox"] == before["outbox"]


# Password reset --------------------------------------------------------------------------


async def ask_reset(client: Any, login: str) -> Any:
    return await api(client, "POST", "/api/v1/accounts/password-reset", {"username": login})


async def reset(client: Any, token: str, password: str = NEW_PASSWORD) -> Any:
    return await api(
        client, "POST", "/api/v1/accounts/password", {"token": token, "password": password}
    )


async def test_forgot_password_answers_the_same_for_an_unknown_account(
    client, services, store_counts
):
    user = await make_user(services)
    known = await ask_reset(client, user.username)
    before = await store_counts()
    unknown = await ask_reset(client, "nobody@centre.ac.uk")
    assert unknown.status_code == known.status_code == 202
    assert await unknown.get_json() == await known.get_json() == {"message": RECOVERY_SENT}
    assert (await store_counts())["outbox"] == before["outbox"]
    assert (await store_counts())["account_tokens"] == before["account_tokens"]


async def test_password_reset_sets_the_new_password(client, services):
    user = await make_user(services, first_name="Ann")
    await ask_reset(client, user.email.upper())
    [mail] = await outbox_messages(services, user.email)
    assert mail.subject == "Reset your frontdesk password"
    assert "http://127.0.0.1:8000/reset-password?token=" in mail.body

    response = await reset(client, await last_link_token(services, user.email))

    assert response.status_code == 200
    assert (await response.get_json())["id"] == user.id
    await error_of(await sign_in(client, user.username, PASSWORD), 401, "BAD_CREDENTIALS")
    assert (await sign_in(client, user.username, NEW_PASSWORD)).status_code == 200


async def test_a_reset_link_works_once(client, services):
    user = await make_user(services)
    await ask_reset(client, user.username)
    token = await last_link_token(services, user.email)
    assert (await reset(client, token)).status_code == 200
    await error_of(await reset(client, token, "Third3password"), 422, "LINK_USED")
    assert (await sign_in(client, user.username, NEW_PASSWORD)).status_code == 200


@pytest.mark.parametrize(
    ("elapsed", "works"),
    [({"minutes": 60, "seconds": -1}, True), ({"minutes": 60}, False), ({"hours": 5}, False)],
    ids=["1s-before-1h", "at-1h", "after-1h"],
)
async def test_a_reset_link_expires_after_one_hour(client, services, clock, elapsed, works):
    user = await make_user(services)
    await ask_reset(client, user.username)
    token = await last_link_token(services, user.email)
    clock.advance(**elapsed)
    response = await reset(client, token)
    if works:
        assert response.status_code == 200
        assert (await sign_in(client, user.username, NEW_PASSWORD)).status_code == 200
    else:
        error = await error_of(response, 422, "LINK_EXPIRED")
        assert "ask for a new one" in error["message"]
        assert (await sign_in(client, user.username, PASSWORD)).status_code == 200


async def test_a_weak_new_password_is_refused_and_the_link_still_works(client, services):
    user = await make_user(services)
    await ask_reset(client, user.username)
    token = await last_link_token(services, user.email)
    error = await error_of(await reset(client, token, "weakpass"), 422, "INVALID")
    assert set(error["fields"]) == {"password"}
    assert (await reset(client, token)).status_code == 200


async def test_a_verification_link_does_not_reset(client, services):
    _, form = await register(client)
    token = await last_link_token(services, form["email"])
    await error_of(await reset(client, token), 422, "LINK_INVALID")


async def test_password_reset_ends_every_session_of_the_user(web_app, services, store_counts):
    user = await make_user(services)
    other = await make_user(services)
    laptop, phone, stranger, helper = (web_app.test_client() for _ in range(4))
    await login_as(laptop, user.username)
    await login_as(phone, user.email)
    await login_as(stranger, other.username)
    assert (await me(laptop)).status_code == (await me(phone)).status_code == 200

    await ask_reset(helper, user.username)
    assert (await reset(helper, await last_link_token(services, user.email))).status_code == 200

    for device in (laptop, phone):
        await error_of(await me(device), 401, "NOT_SIGNED_IN")
    assert (await me(stranger)).status_code == 200  # other users keep theirs
    assert (await store_counts())["sessions"] == 1


async def test_password_reset_also_verifies_the_email(client, services):
    _, form = await register(client)
    await ask_reset(client, form["email"])
    reset_mail = (await outbox_messages(services, form["email"]))[-1]
    assert reset_mail.subject == "Reset your frontdesk password"
    assert (await reset(client, await last_link_token(services, form["email"]))).status_code == 200
    assert (await sign_in(client, form["email"], NEW_PASSWORD)).status_code == 200


# Throttling ------------------------------------------------------------------------------


async def fail_sign_ins(client: Any, login: str, times: int, address: str | None = None) -> None:
    for _ in range(times):
        response = await sign_in(client, login, "Wrong1password", address)
        assert response.status_code == 401, await response.get_data(as_text=True)


async def solved_sign_in_check(client: Any) -> str:
    response = await client.get("/api/v1/session/challenge")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return solve(await response.get_json())


async def sign_in_checked(client: Any, login: str, password: str = PASSWORD, **extra: Any):
    """Sign in with a freshly solved human check, as the page does for a name under attack."""
    body = {
        "username": login,
        "password": password,
        "human_check": await solved_sign_in_check(client),
        **extra,
    }
    return await api(client, "POST", "/api/v1/session", body)


async def test_a_name_under_attack_asks_for_the_check_and_lets_its_owner_in(
    client, services, settings
):
    user = await make_user(services)
    await fail_sign_ins(client, user.username, settings.throttle_per_account, "203.0.113.7")

    # From the owner's own address, the right password alone is not enough now...
    asked = await sign_in(client, user.username, PASSWORD, address="198.51.100.9")
    error = await error_of(asked, 403, "HUMAN_CHECK_REQUIRED")
    assert error["fields"] == {"human_check": "Complete the human check, then sign in"}
    assert (await me(client)).status_code == 401
    # ...but with the check solved it is: attackers cannot keep the owner out.
    assert (await sign_in_checked(client, user.username)).status_code == 200
    assert (await me(client)).status_code == 200


async def test_one_failure_fewer_than_the_limit_asks_for_no_check(client, services, settings):
    user = await make_user(services)
    await fail_sign_ins(client, user.username, settings.throttle_per_account - 1)
    assert (await sign_in(client, user.username)).status_code == 200


async def test_the_check_reads_the_same_for_an_unknown_username(client, services, settings):
    user = await make_user(services)
    await fail_sign_ins(client, user.username, settings.throttle_per_account)
    await fail_sign_ins(client, "ghost@nowhere.example", settings.throttle_per_account)

    known = await sign_in(client, user.username)
    unknown = await sign_in(client, "ghost@nowhere.example")

    assert await error_of(known, 403, "HUMAN_CHECK_REQUIRED") == await error_of(
        unknown, 403, "HUMAN_CHECK_REQUIRED"
    )


@pytest.mark.both_stores
async def test_failures_count_the_name_in_any_case(client, services, settings):
    await make_user(services, username="ann.example")
    await fail_sign_ins(client, "ANN.example", settings.throttle_per_account)
    await error_of(await sign_in(client, "ann.example"), 403, "HUMAN_CHECK_REQUIRED")


async def test_a_wrong_password_with_the_check_counts_and_asks_again(client, services, settings):
    user = await make_user(services)
    await fail_sign_ins(client, user.username, settings.throttle_per_account)
    wrong = await sign_in_checked(client, user.username, "Wrong1password")
    await error_of(wrong, 401, "BAD_CREDENTIALS")
    await error_of(await sign_in(client, user.username), 403, "HUMAN_CHECK_REQUIRED")


async def test_a_solved_check_is_taken_once_and_only_for_sign_in(client, services, settings):
    user = await make_user(services)
    await fail_sign_ins(client, user.username, settings.throttle_per_account)
    payload = await solved_sign_in_check(client)
    body = {"username": user.username, "password": "Wrong1password", "human_check": payload}
    await error_of(await api(client, "POST", "/api/v1/session", body), 401, "BAD_CREDENTIALS")
    replayed = await api(client, "POST", "/api/v1/session", {**body, "password": PASSWORD})
    await error_of(replayed, 422, "HUMAN_CHECK_FAILED")
    # Contact Us's easier check is signed with another key: it does not pass here.
    await login_as(client, (await make_user(services)).username)
    contact = solve(await (await client.get("/api/v1/intake/challenge")).get_json())
    await api(client, "DELETE", "/api/v1/session")
    body = {"username": user.username, "password": PASSWORD, "human_check": contact}
    await error_of(await api(client, "POST", "/api/v1/session", body), 422, "HUMAN_CHECK_FAILED")


async def test_no_check_is_asked_once_the_window_passes(client, services, clock, settings):
    user = await make_user(services)
    await fail_sign_ins(client, user.username, settings.throttle_per_account)
    await error_of(await sign_in(client, user.username), 403, "HUMAN_CHECK_REQUIRED")
    clock.advance(seconds=THROTTLE_WINDOW_SECONDS)
    assert (await sign_in(client, user.username)).status_code == 200


async def test_a_successful_sign_in_clears_the_failures_of_the_name(client, services, settings):
    user = await make_user(services)
    await fail_sign_ins(client, user.username, settings.throttle_per_account - 1)
    assert (await sign_in(client, user.username)).status_code == 200
    await fail_sign_ins(client, user.username, settings.throttle_per_account - 1)
    assert (await sign_in(client, user.username)).status_code == 200


async def test_a_name_under_attack_does_not_touch_other_names(client, services, settings):
    user, other = await make_user(services), await make_user(services)
    await fail_sign_ins(client, user.username, settings.throttle_per_account)
    await error_of(await sign_in(client, user.username), 403, "HUMAN_CHECK_REQUIRED")
    assert (await sign_in(client, other.username)).status_code == 200


@pytest.fixture
async def address_limited(start_app, services) -> Any:
    """An app allowing three failures per client address (and the usual five per name)."""
    return await start_app(throttle_per_address=3)


async def test_failures_from_one_address_throttle_it_across_usernames(address_limited, services):
    user = await make_user(services)
    client = address_limited.test_client()
    for name in ("first@nowhere.example", "second@nowhere.example", user.username):
        await fail_sign_ins(client, name, 1, address="203.0.113.7")

    blocked = await sign_in(client, user.username, PASSWORD, address="203.0.113.7")
    fresh_name = await sign_in(client, "fourth@nowhere.example", PASSWORD, address="203.0.113.7")
    elsewhere = await sign_in(client, user.username, PASSWORD, address="198.51.100.9")

    await error_of(blocked, 429, "THROTTLED")
    assert int(blocked.headers["Retry-After"]) == THROTTLE_WINDOW_SECONDS
    await error_of(fresh_name, 429, "THROTTLED")
    assert elsewhere.status_code == 200


@pytest.mark.both_stores
async def test_retry_after_counts_from_the_oldest_failure(address_limited, services, clock):
    client = address_limited.test_client()
    await fail_sign_ins(client, "first@nowhere.example", 1, address="203.0.113.7")
    clock.advance(minutes=5)
    await fail_sign_ins(client, "second@nowhere.example", 2, address="203.0.113.7")
    response = await sign_in(client, "third@nowhere.example", address="203.0.113.7")
    await error_of(response, 429, "THROTTLED")
    assert int(response.headers["Retry-After"]) == THROTTLE_WINDOW_SECONDS - 5 * 60
    assert "10 minutes" in (await response.get_json())["error"]["message"]
    clock.advance(seconds=int(response.headers["Retry-After"]) - 1)
    still = await sign_in(client, "third@nowhere.example", address="203.0.113.7")
    assert still.headers["Retry-After"] == "1"


async def test_address_throttling_ends_with_the_window(address_limited, services, clock):
    user = await make_user(services)
    client = address_limited.test_client()
    await fail_sign_ins(client, "someone@nowhere.example", 3, address="203.0.113.7")
    await error_of(await sign_in(client, user.username, address="203.0.113.7"), 429, "THROTTLED")
    clock.advance(minutes=15)
    assert (await sign_in(client, user.username, address="203.0.113.7")).status_code == 200


async def test_username_reminders_are_throttled_per_email(client, services, settings):
    user = await make_user(services)
    path, data = "/api/v1/accounts/username-reminder", {"email": user.email}
    for _ in range(settings.throttle_per_account):
        assert (await api(client, "POST", path, data)).status_code == 202
    before = len(await outbox_messages(services, user.email))
    response = await api(client, "POST", path, data)
    await error_of(response, 429, "THROTTLED")
    assert "Retry-After" in response.headers
    assert len(await outbox_messages(services, user.email)) == before


async def test_password_reset_requests_are_throttled_per_name(client, services, settings, clock):
    user = await make_user(services)
    for _ in range(settings.throttle_per_account):
        assert (await ask_reset(client, user.username)).status_code == 202
    await error_of(await ask_reset(client, user.username), 429, "THROTTLED")
    clock.advance(minutes=15)
    assert (await ask_reset(client, user.username)).status_code == 202


async def test_recovery_is_throttled_per_address(address_limited, services):
    client = address_limited.test_client()
    path = "/api/v1/accounts/username-reminder"
    for number in range(3):
        response = await client.post(
            path,
            json={"email": f"person{number}@centre.ac.uk"},
            headers={"X-CSRF-Token": await csrf_token(client)},
        )
        assert response.status_code == 202
    response = await client.post(
        "/api/v1/accounts/password-reset",
        json={"username": "someone.else"},
        headers={"X-CSRF-Token": await csrf_token(client)},
    )
    await error_of(response, 429, "THROTTLED")


async def test_registrations_are_throttled_per_address(address_limited, services, store_counts):
    client = address_limited.test_client()
    for _ in range(3):
        assert (await register(client))[0].status_code == 201
    before = await store_counts()
    response, _ = await register(client)
    await error_of(response, 429, "THROTTLED")
    assert "Retry-After" in response.headers
    assert await store_counts() == before


async def test_registrations_of_one_email_are_throttled(client, services, settings):
    email = "many@centre.ac.uk"
    for _ in range(settings.throttle_per_account):
        response, _ = await register(client, email=email)
        assert response.status_code == 201
    response, _ = await register(client, email=email.upper(), email_confirm=email)
    await error_of(response, 429, "THROTTLED")


async def test_registering_someones_address_tells_them_at_most_once_an_hour(
    client, services, clock
):
    owner = await make_user(services, email="owner@centre.ac.uk")
    for _ in range(3):
        response, _ = await register(client, email=owner.email)
        assert response.status_code == 201
    assert len(await outbox_messages(services, owner.email)) == 1

    clock.advance(minutes=59)
    assert (await register(client, email=owner.email))[0].status_code == 201
    assert len(await outbox_messages(services, owner.email)) == 1
    clock.advance(minutes=1)
    await services.accounts.purge_expired()  # the hour's record is kept that long
    assert (await register(client, email=owner.email))[0].status_code == 201
    assert len(await outbox_messages(services, owner.email)) == 2
