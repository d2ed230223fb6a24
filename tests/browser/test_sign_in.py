"""Signing in: wrong passwords, throttling, a forgotten password, a forged form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.actions import banner, error_summary, field, link_token, sign_in
from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Brand9newPassword"


@pytest.fixture
def user(live_server):
    return live_server.call(lambda: make_user(live_server.services))


def test_a_name_under_attack_asks_for_the_check_and_lets_its_owner_in(
    page, live_server, user, settings, screenshot
):
    page.goto("/sign-in")
    for _ in range(settings.throttle_per_account):
        sign_in(page, user.username, "Wrong1password")
        expect(error_summary(page)).to_have_text("Incorrect username or password")
        expect(error_summary(page)).to_be_focused()
        expect(field(page, "Username")).to_have_value(user.username)
        expect(field(page, "Password")).to_have_value("")

    sign_in(page, user.username, PASSWORD)
    expect(error_summary(page)).to_contain_text("many failed sign-ins")
    expect(banner(page).get_by_role("link", name="Sign in")).to_be_visible()
    # The check solves itself in the browser while the owner types the password again.
    check = page.locator("#human_check")
    expect(check).to_contain_text("runs in your browser")
    expect(page.locator("input[name=human_check]")).to_have_value(re.compile(".+"), timeout=15_000)
    assert_accessible(page)
    screenshot(page, "sign-in-human-check")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(banner(page).get_by_text(user.display_name)).to_be_visible()


def test_forgotten_password_is_replaced_by_email_link(page, live_server, user):
    page.goto("/sign-in")
    page.get_by_role("link", name="password", exact=True).click()
    field(page, "Username or email address").fill(user.email)
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(f"/reset-password?token={link_token(live_server, user.email)}")
    field(page, "New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()

    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    sign_in(page, user.username, PASSWORD)
    expect(error_summary(page)).to_have_text("Incorrect username or password")
    sign_in(page, user.username, NEW_PASSWORD)
    expect(banner(page).get_by_text(user.display_name)).to_be_visible()


def test_form_without_csrf_token_is_refused(page, live_server, user):
    page.goto("/sign-in")
    field(page, "Username").fill(user.username)
    field(page, "Password").fill(PASSWORD)
    page.evaluate("document.querySelector('main input[name=csrf_token]').remove()")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("did not come from this site")
    expect(banner(page).get_by_role("link", name="Sign in")).to_be_visible()
    page.goto("/account")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(banner(page).get_by_text(user.display_name)).to_have_count(0)
