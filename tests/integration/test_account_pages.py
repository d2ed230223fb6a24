"""The account pages as a browser without JavaScript uses them: HTML forms, redirects."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from frontdesk.accounts.policy import PUBLIC_EMAIL_WARNING
from tests.factories import PASSWORD, last_link_token, make_user, outbox_messages, registration

TYPED_PASSWORD = "Typed1secret"


VOID_TAGS = frozenset({"input", "meta", "link", "br", "img", "hr", "source", "wbr"})


class Page(HTMLParser):
    """The elements of a page, with their attributes, and the text inside each id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.elements.append((tag, values))
        if tag in VOID_TAGS:
            return
        if "id" in values:
            self.text_by_id[values["id"]] = ""
        self._open.append((tag, values.get("id")))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, element_id in self._open:
            if element_id is not None:
                self.text_by_id[element_id] += data

    def by_id(self, element_id: str) -> dict[str, str]:
        for _tag, attrs in self.elements:
            if attrs.get("id") == element_id:
                return attrs
        raise AssertionError(f"no element with id {element_id!r}")

    def ids(self) -> set[str]:
        return {attrs["id"] for _tag, attrs in self.elements if "id" in attrs}

    def named(self, name: str) -> dict[str, str]:
        for tag, attrs in self.elements:
            if tag == "input" and attrs.get("name") == name:
                return attrs
        raise AssertionError(f"no input named {name!r}")

    def selected_option(self) -> str | None:
        for tag, attrs in self.elements:
            if tag == "option" and "selected" in attrs:
                return attrs["value"]
        return None


async def page(client: Any, path: str) -> tuple[Any, Page]:
    response = await client.get(path)
    return response, Page(await response.get_data(as_text=True))


async def form_token(client: Any, path: str) -> str:
    """The CSRF token from the form's hidden input, as a browser would send it."""
    response, found = await page(client, path)
    assert response.status_code == 200
    return found.named("csrf_token")["value"]


async def post_form(client: Any, path: str, form: dict[str, str], token_page: str | None = None):
    data = {"csrf_token": await form_token(client, token_page or path.split("?")[0]), **form}
    return await client.post(path, form=data)


def register_form(**overrides: Any) -> dict[str, str]:
    values = registration(**overrides)
    form = {key: str(value) for key, value in values.items() if key != "accept_terms"}
    if values["accept_terms"]:
        form["accept_terms"] = "on"
    return form


async def signed_in_user(client: Any) -> dict[str, Any] | None:
    user: dict[str, Any] | None = (await (await client.get("/api/v1/session")).get_json())["user"]
    return user


def assert_field_error(found: Page, name: str, words: str) -> None:
    """The input says it is invalid and points at an error that exists and says why."""
    control = found.by_id(name)
    assert control.get("aria-invalid") == "true"
    assert f"{name}-error" in control.get("aria-describedby", "").split()
    assert f"{name}-error" in found.ids()
    assert words in found.text_by_id[f"{name}-error"]


# Create an account -----------------------------------------------------------------------


async def test_register_page_offers_a_form_with_a_csrf_field(client):
    response, found = await page(client, "/create-account")
    assert response.status_code == 200
    assert found.named("csrf_token")["value"]
    assert "checked" in found.by_id("same_as_email")
    assert found.by_id("email").get("aria-invalid") is None


async def test_register_page_ties_errors_to_inputs_and_keeps_values(client, store_counts):
    before = await store_counts()
    form = register_form(
        email="ann@centre.ac.uk",
        email_confirm="anne@centre.ac.uk",
        password="weakpass",
        first_name="Ann",
        country="IE",
    )

    response = await post_form(client, "/create-account", {**form, "same_as_email": "on"})

    assert response.status_code == 422
    html = await response.get_data(as_text=True)
    found = Page(html)
    assert_field_error(found, "email_confirm", "do not match")
    assert_field_error(found, "password", "uppercase letter")
    assert "password-hint" in found.by_id("password")["aria-describedby"].split()
    assert found.by_id("email").get("aria-invalid") is None  # the valid one is not flagged
    assert found.by_id("email")["value"] == "ann@centre.ac.uk"
    assert found.by_id("email_confirm")["value"] == "anne@centre.ac.uk"
    assert found.by_id("first_name")["value"] == "Ann"
    assert found.selected_option() == "IE"
    assert "checked" in found.by_id("accept_terms")
    assert "value" not in found.by_id("password")
    assert "weakpass" not in html
    summary = found.text_by_id["error-summary"]
    assert "do not match" in summary
    assert await store_counts() == before


async def test_register_page_flags_terms_and_country(client, store_counts):
    before = await store_counts()
    form = register_form(country="XX", password=TYPED_PASSWORD)
    del form["accept_terms"]
    response = await post_form(client, "/create-account", form)
    assert response.status_code == 422
    html = await response.get_data(as_text=True)
    found = Page(html)
    assert_field_error(found, "accept_terms", "Terms of Use")
    assert_field_error(found, "country", "Choose your country")
    assert TYPED_PASSWORD not in html
    assert await store_counts() == before


async def test_register_page_shows_a_taken_username_on_its_field(client, services, store_counts):
    await make_user(services, username="taken.name")
    before = await store_counts()
    form = register_form(username="taken.name", password=TYPED_PASSWORD)
    response = await post_form(client, "/create-account", form)
    assert response.status_code == 409
    html = await response.get_data(as_text=True)
    found = Page(html)
    assert_field_error(found, "username", "taken")
    assert found.by_id("username")["value"] == "taken.name"
    assert TYPED_PASSWORD not in html
    assert await store_counts() == before


async def test_register_page_creates_the_account_and_says_to_check_email(client, services):
    form = register_form(email="ann.example@gmail.com", username="ignored.name")
    response = await post_form(client, "/create-account", {**form, "same_as_email": "on"})
    assert response.status_code == 200
    html = await response.get_data(as_text=True)
    assert "We have sent a link to ann.example@gmail.com" in html
    assert PUBLIC_EMAIL_WARNING in html
    [mail] = await outbox_messages(services, "ann.example@gmail.com")
    assert "verify-email?token=" in mail.body

    # "Same as email" wins over whatever was typed as the username.
    token = await last_link_token(services, "ann.example@gmail.com")
    verify_page = await client.get(f"/verify-email?token={token}")
    assert Page(await verify_page.get_data(as_text=True)).named("token")["value"] == token
    response = await post_form(
        client, "/verify-email", {"token": token}, token_page=f"/verify-email?token={token}"
    )
    assert response.status_code == 200
    assert "Your email address is verified" in await response.get_data(as_text=True)
    response = await post_form(
        client, "/sign-in", {"username": "ann.example@gmail.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert (await signed_in_user(client))["username"] == "ann.example@gmail.com"


async def test_opening_a_verification_link_does_not_spend_it(client, services):
    form = register_form()
    await post_form(client, "/create-account", form)
    token = await last_link_token(services, form["email"])
    for _ in range(2):  # a mail scanner fetching the link, then the person
        assert (await client.get(f"/verify-email?token={token}")).status_code == 200
    link_page = f"/verify-email?token={token}"
    assert (
        await post_form(client, "/verify-email", {"token": token}, link_page)
    ).status_code == 200
    again = await post_form(client, "/verify-email", {"token": token}, link_page)
    assert again.status_code == 422
    assert "used already" in await again.get_data(as_text=True)


# Sign in ---------------------------------------------------------------------------------


async def test_sign_in_page_with_a_wrong_password_shows_the_error_and_no_session(client, services):
    user = await make_user(services)
    response = await post_form(
        client, "/sign-in", {"username": user.username, "password": TYPED_PASSWORD, "next": "/"}
    )
    assert response.status_code == 401
    html = await response.get_data(as_text=True)
    found = Page(html)
    assert "Incorrect username or password" in found.text_by_id["error-summary"]
    assert found.by_id("username")["value"] == user.username
    assert TYPED_PASSWORD not in html
    assert await signed_in_user(client) is None
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_sign_in_page_signs_in_and_goes_home(client, services):
    user = await make_user(services, first_name="Ann", last_name="Example")
    response = await post_form(client, "/sign-in", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"
    assert (await signed_in_user(client))["id"] == user.id
    home = await client.get("/")
    assert "Ann Example" in await home.get_data(as_text=True)


async def test_my_cases_sends_the_anonymous_to_sign_in_and_back(client, services):
    user = await make_user(services)
    response = await client.get("/my-cases")
    assert response.status_code == 302
    assert response.location == "/sign-in?next=/my-cases"

    sign_in_page, found = await page(client, response.location)
    assert sign_in_page.status_code == 200
    assert found.named("next")["value"] == "/my-cases"

    response = await post_form(
        client,
        "/sign-in?next=/my-cases",
        {"username": user.username, "password": PASSWORD, "next": "/my-cases"},
        token_page="/sign-in?next=/my-cases",
    )
    assert response.status_code == 302
    assert response.location == "/my-cases"
    assert (await client.get("/my-cases")).status_code == 200


async def test_a_failed_sign_in_keeps_the_next_page(client, services):
    user = await make_user(services)
    response = await post_form(
        client,
        "/sign-in?next=/my-cases",
        {"username": user.username, "password": TYPED_PASSWORD, "next": "/my-cases"},
    )
    assert response.status_code == 401
    assert Page(await response.get_data(as_text=True)).named("next")["value"] == "/my-cases"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/my-cases",
        "https://evil.example/",
        "http:evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
async def test_sign_in_refuses_to_send_people_off_site(client, services, target):
    user = await make_user(services)
    _, found = await page(client, f"/sign-in?next={target.replace(chr(9), '%09')}")
    assert found.named("next")["value"] == "/"
    response = await post_form(
        client, "/sign-in", {"username": user.username, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.location == "/"


async def test_sign_in_keeps_a_same_site_next_with_its_query(client, services):
    user = await make_user(services)
    response = await post_form(
        client,
        "/sign-in",
        {"username": user.username, "password": PASSWORD, "next": "/search?q=exams"},
    )
    assert response.location == "/search?q=exams"


async def test_sign_out_form_ends_the_session(client, services):
    user = await make_user(services)
    await post_form(client, "/sign-in", {"username": user.username, "password": PASSWORD})
    _, found = await page(client, "/")
    token = found.named("csrf_token")["value"]  # the menu's sign-out form
    response = await client.post("/sign-out", form={"csrf_token": token})
    assert response.status_code == 302
    assert response.location == "/"
    assert await signed_in_user(client) is None


# Recovery pages --------------------------------------------------------------------------


async def test_forgot_password_and_reset_pages(client, services):
    user = await make_user(services)
    response = await post_form(client, "/forgot-password", {"username": user.username})
    assert response.status_code == 200
    assert "If an account matches" in await response.get_data(as_text=True)
    token = await last_link_token(services, user.email)

    _, found = await page(client, f"/reset-password?token={token}")
    assert found.named("token")["value"] == token
    link_page = f"/reset-password?token={token}"
    weak = await post_form(
        client, "/reset-password", {"token": token, "password": "weak"}, link_page
    )
    assert weak.status_code == 422
    weak_page = Page(await weak.get_data(as_text=True))
    assert_field_error(weak_page, "password", "8 or more characters")
    assert weak_page.named("token")["value"] == token  # the form can be tried again

    done = await post_form(
        client, "/reset-password", {"token": token, "password": TYPED_PASSWORD}, link_page
    )
    assert done.status_code == 200
    assert "signed out everywhere" in await done.get_data(as_text=True)
    signed = await post_form(
        client, "/sign-in", {"username": user.username, "password": TYPED_PASSWORD}
    )
    assert signed.status_code == 302


async def test_forgot_username_page_answers_the_same_for_anyone(client, services):
    user = await make_user(services)
    known = await post_form(client, "/forgot-username", {"email": user.email})
    unknown = await post_form(client, "/forgot-username", {"email": "nobody@centre.ac.uk"})
    assert known.status_code == unknown.status_code == 200
    known_text = Page(await known.get_data(as_text=True)).text_by_id["msg-title"]
    assert known_text == Page(await unknown.get_data(as_text=True)).text_by_id["msg-title"]
    assert len(await outbox_messages(services, user.email)) == 1
    assert await outbox_messages(services, "nobody@centre.ac.uk") == []
