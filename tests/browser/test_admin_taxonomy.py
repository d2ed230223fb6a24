"""The Contact Us taxonomy pages in the browser: an admin changes a category's reply
target by keyboard alone, finds the change in the history and rolls it back; a broken
YAML edit is refused saying what and where; each page fits a phone and has no serious
axe violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from frontdesk.accounts.models import Role
from tests.browser.actions import PHONE, error_summary, sign_in, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.factories import make_user

pytestmark = pytest.mark.browser

CATEGORY = "Certificate Delivery"
PAGES = {
    "tree": ("/admin/taxonomy", "Contact Us taxonomy"),
    "node": ("/admin/taxonomy/node?path=issue_types.3.categories.0", "Edit a category"),
    "yaml": ("/admin/taxonomy/yaml", "Edit the taxonomy as YAML"),
    "history": ("/admin/taxonomy/history", "Taxonomy history"),
    "version": ("/admin/taxonomy/history/1", "Taxonomy version 1"),
}


@pytest.fixture
def admin(live_server):
    services = live_server.services
    return live_server.call(
        lambda: make_user(services, Role.ADMIN, first_name="Ada", last_name="Admin")
    )


def open_as(page: Page, admin, path: str, heading: str) -> None:
    page.goto(f"/sign-in?next={path}")
    sign_in(page, admin.username)
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def follow(page: Page, name: str, limit: int = 40) -> None:
    """Tab to the link `name` and press Enter."""
    tab_to(page, page.get_by_role("link", name=name, exact=True), limit=limit)
    page.keyboard.press("Enter")


def reply_days(live_server) -> int | None:
    taxonomy = live_server.services.taxonomy.current()
    issue = next(i for i in taxonomy.issue_types if i.name == "Certificates")
    return next(c for c in issue.categories if c.name == CATEGORY).reply_days


def test_an_admin_edits_a_category_then_rolls_it_back_by_keyboard(
    page, live_server, admin, screenshot
):
    open_as(page, admin, "/admin/taxonomy", "Contact Us taxonomy")
    follow(page, f"Edit {CATEGORY}", limit=150)
    expect(page.get_by_role("heading", name="Edit a category", level=1)).to_be_visible()
    tab_to(page, page.get_by_label("Reply target, working days"), limit=40)
    page.keyboard.type("4")
    tab_to(page, page.get_by_role("button", name="Save"), limit=10)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Saved as version 2:")
    assert reply_days(live_server) == 4

    follow(page, "History")
    expect(page.get_by_role("heading", name="Taxonomy history", level=1)).to_be_visible()
    newest = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Version 2"))
    expect(newest).to_contain_text("(in use)")
    expect(newest).to_contain_text("Ada Admin")
    expect(newest).to_contain_text(CATEGORY)
    screenshot(page, "taxonomy-history-edited")
    follow(page, "Version 2")
    changes = page.get_by_role("region", name="Changes from version 1")
    expect(changes).to_contain_text(CATEGORY)
    expect(changes).to_contain_text("reply target (working days) set to 4")
    screenshot(page, "taxonomy-version-2")

    follow(page, "History")
    follow(page, "Version 1")
    tab_to(page, page.get_by_role("button", name="Roll back to version 1"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Saved as version 3: Rolled back to version 1"
    )
    rolled = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Version 3"))
    expect(rolled).to_contain_text("Rolled back to version 1")
    expect(rolled).to_contain_text("(in use)")
    assert reply_days(live_server) is None
    screenshot(page, "taxonomy-history-rolled-back")


def test_a_broken_yaml_edit_is_refused_saying_what_and_where(page, live_server, admin, screenshot):
    open_as(page, admin, "/admin/taxonomy/yaml", "Edit the taxonomy as YAML")
    box = page.get_by_label("Taxonomy (YAML)")
    box.fill(box.input_value().replace("group: centres", "group: nowhere", 1))
    with page.expect_response(re.compile("/admin/taxonomy/yaml$")) as posted:
        page.get_by_role("button", name="Save as a new version").click()
    assert posted.value.status == 422
    summary = error_summary(page)
    expect(summary).to_contain_text("Not saved")
    expect(summary).to_contain_text("customer_types")  # where
    expect(summary).to_contain_text("nowhere")  # what
    expect(page.get_by_label("Taxonomy (YAML)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Taxonomy (YAML)")).to_have_value(re.compile("group: nowhere"))
    assert live_server.services.taxonomy.version == 1
    assert_accessible(page)
    screenshot(page, "taxonomy-yaml-refused")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_taxonomy_pages_fit_a_phone(browser, live_server, admin, screenshot, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    try:
        page = context.new_page()
        open_as(page, admin, *PAGES["tree"])
        for name, (path, heading) in PAGES.items():
            if name != "tree":
                page.goto(path)
                expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (name, width)
            assert_accessible(page)
            screenshot(page, f"taxonomy-{name}-{viewport['width']}")
    finally:
        context.close()


def test_a_node_edit_and_a_roll_back_work_without_javascript(browser, live_server, admin):
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False
    )
    try:
        page = context.new_page()
        open_as(page, admin, *PAGES["node"])
        page.get_by_label("Owner queue").fill("Northgate: Certificates")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Saved as version 2:")
        expect(page.get_by_text("queue: Northgate: Certificates")).to_be_visible()
        page.goto("/admin/taxonomy/history/1")
        page.get_by_role("button", name="Roll back to version 1").click()
        expect(page.get_by_role("status")).to_contain_text("Rolled back to version 1")
        assert live_server.services.taxonomy.version == 3
    finally:
        context.close()
