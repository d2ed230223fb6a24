"""The Office hours page in the browser: an admin adds a closure by keyboard alone,
previews the weeks ahead with it, saves it, and a customer's support options on the
closed day give its reason; bad input comes back beside its field; the page fits a phone
and has no serious axe violation."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Page, expect

from frontdesk.accounts.models import Role
from frontdesk.clock import FixedClock
from tests.browser.actions import PHONE, error_summary, sign_in, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.factories import CHOICE, make_user

pytestmark = pytest.mark.browser

# Monday 17 August 2026, 11:00 UK time: the six weeks ahead hold the summer bank holiday
# (Monday 31 August); the closure is the Tuesday and Wednesday after.
MONDAY = datetime(2026, 8, 17, 10, 0, tzinfo=UTC)
IN_THE_CLOSURE = datetime(2026, 8, 18, 10, 0, tzinfo=UTC)
REASON = "Closed for staff training"
SCHOOLS = "Schools, colleges and training providers"


@pytest.fixture
def clock():
    return FixedClock(MONDAY)


@pytest.fixture
def admin(live_server):
    services = live_server.services
    return live_server.call(
        lambda: make_user(services, Role.ADMIN, first_name="Ada", last_name="Admin")
    )


def open_hours(page: Page, admin) -> None:
    page.goto("/sign-in?next=/admin/hours?group=centres")
    sign_in(page, admin.username)
    expect(page.get_by_role("heading", name=SCHOOLS, level=2)).to_be_visible()


def type_into(page: Page, label: str, text: str, limit: int = 60) -> None:
    """Tab to the field labelled `label` in the new-closure row and type `text`."""
    row = page.get_by_role("group", name="New closure")
    tab_to(page, row.get_by_label(label, exact=True), limit=limit)
    page.keyboard.type(text)


def type_date(page: Page, label: str, day: date, limit: int = 60) -> None:
    """Type `day` into a date field as a person does: its segments in the order Chromium
    shows them, which follows the machine's locale (not the context's), month first in
    Debian's default C/en-US."""
    type_into(page, label, day.strftime("%m%d%Y"), limit)
    field = page.get_by_role("group", name="New closure").get_by_label(label, exact=True)
    expect(field, "the date field's segments are not month, day, year").to_have_value(
        day.isoformat()
    )


def day_row(page: Page, day: str):
    return page.locator(f'#preview tr[data-day="{day}"]')


def options_on(page: Page) -> dict:
    """The support options the Contact Us page would ask for, with the page's session."""
    token = page.request.get("/api/v1/session").json()["csrf_token"]
    response = page.request.post(
        "/api/v1/intake/options", data=CHOICE, headers={"X-CSRF-Token": token}
    )
    assert response.status == 200, response.text()
    return response.json()


def test_an_admin_closes_a_group_by_keyboard_and_customers_see_why(
    page, contexts, live_server, admin, customer, clock, screenshot
):
    open_hours(page, admin)
    assert_accessible(page)
    type_date(page, "From", date(2026, 8, 18))
    type_date(page, "To", date(2026, 8, 19), limit=5)
    type_into(page, "Reason customers see", REASON, limit=5)
    tab_to(page, page.get_by_role("button", name=re.compile("^Preview")), limit=20)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Preview: not saved yet")).to_be_in_viewport()
    for day in ("2026-08-18", "2026-08-19"):
        expect(day_row(page, day)).to_contain_text("Closed")
        expect(day_row(page, day)).to_contain_text(REASON)
    expect(day_row(page, "2026-08-20")).to_contain_text("09:00-17:00")
    expect(day_row(page, "2026-08-31")).to_contain_text("Bank holiday: Late Summer Bank Holiday")
    assert live_server.services.taxonomy.version == 1  # a preview saves nothing
    assert_accessible(page)
    screenshot(page, "hours-preview")

    tab_to(page, page.get_by_role("button", name="Save"), limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text(
        f"Saved as version 2: Office hours of {SCHOOLS}: closure 18/08/2026-19/08/2026"
        f" ({REASON}) added"
    )
    assert live_server.services.taxonomy.version == 2

    clock.set(IN_THE_CLOSURE)
    shopper = contexts().new_page()
    shopper.goto("/sign-in")
    sign_in(shopper, customer.username)
    shopper.wait_for_url(lambda url: "/sign-in" not in url)
    options = options_on(shopper)
    assert options["chat_open"] is False
    assert options["chat_reason"] == (
        f"{REASON}. Chat opens again Thursday 20 August at 09:00 (UK time)."
    )


def test_bad_hours_come_back_beside_the_field_and_nothing_is_saved(
    page, live_server, admin, screenshot
):
    open_hours(page, admin)
    monday = page.get_by_label("Monday", exact=True)
    tab_to(page, monday, limit=60)
    page.keyboard.press("Control+A")
    page.keyboard.type("25:00-26:00")
    type_date(page, "From", date(2026, 8, 20))
    type_date(page, "To", date(2026, 8, 18), limit=5)
    type_into(page, "Reason customers see", REASON, limit=5)

    with page.expect_response(re.compile("/admin/hours/centres$")) as posted:
        tab_to(page, page.get_by_role("button", name="Save"), limit=20)
        page.keyboard.press("Enter")
    assert posted.value.status == 422
    expect(error_summary(page)).to_contain_text("Please correct the highlighted fields")
    expect(page.locator("#day_monday-error")).to_be_visible()
    expect(page.get_by_label("Monday", exact=True)).to_have_attribute("aria-invalid", "true")
    to = page.get_by_role("group", name="Closure 1").get_by_label("To", exact=True)
    expect(to).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#closure_0_end-error")).to_be_visible()
    # What was typed stays, to be corrected rather than typed again.
    expect(page.get_by_label("Monday", exact=True)).to_have_value("25:00-26:00")
    assert live_server.services.taxonomy.version == 1
    assert_accessible(page)
    screenshot(page, "hours-invalid")


def test_the_hours_page_fits_a_phone(browser, live_server, admin, screenshot):
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        try:
            page = context.new_page()
            open_hours(page, admin)
            page.get_by_role("button", name=re.compile("^Preview")).click()
            expect(page.get_by_role("heading", name="Preview: not saved yet")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert_accessible(page)
            screenshot(page, f"hours-{viewport['width']}")
        finally:
            context.close()


def test_preview_and_save_work_without_javascript(browser, live_server, admin):
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False
    )
    try:
        page = context.new_page()
        open_hours(page, admin)
        row = page.get_by_role("group", name="New closure")
        row.get_by_label("From", exact=True).fill("2026-08-18")
        row.get_by_label("Reason customers see", exact=True).fill(REASON)
        page.get_by_role("button", name=re.compile("^Preview")).click()
        expect(day_row(page, "2026-08-18")).to_contain_text(REASON)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status").first).to_contain_text("Saved as version 2")
        [closure] = live_server.services.taxonomy.current().groups["centres"].hours.closures
        assert closure.end == date(2026, 8, 18)  # a one-day closure: "to" left blank
    finally:
        context.close()
