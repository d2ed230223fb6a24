"""A new customer from the create-account form to signing out, as they see it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.actions import assert_readable, banner, fill_registration, link_token, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_register_verify_sign_in_and_sign_out(page, live_server, screenshot):
    email = "ann.example@northfield.sch.uk"
    page.goto("/create-account")
    fill_registration(page, email=email, username="ann-example")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"We have sent a link to {email}")
    screenshot(page, "check-your-email")

    page.goto(f"/verify-email?token={link_token(live_server, email)}")
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("heading", name="Your account is ready")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Thank you, Ann")
    screenshot(page, "verified")

    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "sign-in")
    sign_in(page, "ann-example", PASSWORD)

    expect(page.get_by_role("heading", name="How can we help, Ann?")).to_be_visible()
    expect(banner(page).get_by_text("Ann Example")).to_be_visible()
    expect(banner(page).get_by_role("link", name="Sign in")).to_have_count(0)
    screenshot(page, "home-signed-in")

    banner(page).get_by_text("Ann Example").click()
    expect(banner(page).get_by_role("link", name="My account")).to_be_visible()
    assert_readable(banner(page).get_by_role("link", name="My account"))
    assert_readable(banner(page).get_by_role("button", name="Sign out"))
    screenshot(page, "account-menu-open")
    banner(page).get_by_role("button", name="Sign out").click()

    expect(banner(page).get_by_role("link", name="Sign in")).to_be_visible()
    expect(banner(page).get_by_text("Ann Example")).to_have_count(0)
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
