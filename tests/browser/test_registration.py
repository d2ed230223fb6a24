"""Creating an account: the public-email warning, errors that change nothing, and the
verification link's expiry and single use."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frontdesk.accounts.models import RegistrationIn
from tests.browser.actions import (
    error_summary,
    field,
    fill_registration,
    link_token,
    user_emails,
)
from tests.factories import make_user, registration

pytestmark = pytest.mark.browser


def test_public_email_domain_warns_and_still_registers(page, live_server, screenshot):
    page.goto("/create-account")
    email = field(page, "Email address")
    warning = page.locator(".field", has=email).get_by_role("status")

    email.fill("ann@northfield.sch.uk")
    email.press("Tab")
    expect(warning).to_be_hidden()

    email.fill("ann.example@gmail.com")
    email.press("Tab")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("This looks like a public email address")
    screenshot(page, "register-public-email")

    fill_registration(page, email="ann.example@gmail.com")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("This looks like a public email address")
    assert "ann.example@gmail.com" in user_emails(live_server)


ERROR_CASES = {
    "weak-password": (
        {"password": "longenough1"},
        "Password",
        "Your password must have at least one uppercase letter",
    ),
    "emails-differ": (
        {"email_confirm": "ann.exampel@northfield.sch.uk"},
        "Confirm email address",
        "The email addresses do not match",
    ),
    "username-taken": (
        {"username": "taken-name"},
        "Username",
        "This username is taken; choose another",
    ),
}


@pytest.mark.parametrize("case", ERROR_CASES)
def test_registration_error_is_explained_and_changes_nothing(case, page, live_server, screenshot):
    overrides, label, message = ERROR_CASES[case]
    live_server.call(lambda: make_user(live_server.services, username="taken-name"))
    before = user_emails(live_server)
    email = "ann.example@northfield.sch.uk"

    page.goto("/create-account")
    fill_registration(page, email=email, first_name="Ann", last_name="Example", **overrides)
    page.get_by_role("button", name="Create account").click()

    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link", name=message)).to_be_visible()
    expect(field(page, label)).to_have_attribute("aria-invalid", "true")
    expect(field(page, label)).to_have_accessible_description(re.compile(re.escape(message)))
    expect(field(page, "Email address")).to_have_value(email)
    expect(field(page, "First name")).to_have_value("Ann")
    expect(field(page, "Last name")).to_have_value("Example")
    expect(field(page, "Country")).to_have_value("GB")
    expect(page.get_by_label("I agree to the Terms of Use")).to_be_checked()
    expect(field(page, "Password")).to_have_value("")
    screenshot(page, f"register-error-{case}")

    error_summary(page).get_by_role("link", name=message).click()
    expect(field(page, label)).to_be_focused()
    assert user_emails(live_server) == before


def test_expired_verification_link_says_so(page, live_server, clock):
    form = registration()
    live_server.call(
        lambda: live_server.services.accounts.register(RegistrationIn(**form), address="127.0.0.1")
    )
    page.goto(f"/verify-email?token={link_token(live_server, form['email'])}")

    clock.advance(hours=24)
    page.get_by_role("button", name="Confirm my email address").click()

    expect(error_summary(page)).to_contain_text("This link has expired")
    expect(page.get_by_role("link", name="Create your account again")).to_be_visible()
    expect(page.get_by_role("heading", name="Your account is ready")).to_have_count(0)


def test_used_verification_link_says_so(page, live_server):
    form = registration()
    live_server.call(
        lambda: live_server.services.accounts.register(RegistrationIn(**form), address="127.0.0.1")
    )
    link = f"/verify-email?token={link_token(live_server, form['email'])}"

    page.goto(link)
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("heading", name="Your account is ready")).to_be_visible()

    page.goto(link)
    page.get_by_role("button", name="Confirm my email address").click()
    expect(error_summary(page)).to_contain_text("This link has been used already")
    expect(page.get_by_role("heading", name="Your account is ready")).to_have_count(0)
