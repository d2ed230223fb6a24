"""The agent's console as an agent uses it, and what the customer sees of the work."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frontdesk.cases.models import Channel
from tests.browser.actions import banner, error_summary, sign_in
from tests.browser.conftest import ACTION_TIMEOUT_MS, DESKTOP
from tests.factories import EXAMS_OFFICERS_QUEUE, open_case

pytestmark = pytest.mark.browser


@pytest.fixture
def cases(live_server, customer, clock):
    """An overdue case (opened four days ago) and a fresh one."""
    services = live_server.services
    overdue = live_server.call(
        lambda: open_case(services, customer, subcategory="Missing Certificates")
    )
    clock.advance(days=4)
    fresh = live_server.call(
        lambda: open_case(
            services, customer, description="Our certificates have not arrived. Which date "
            "were they posted?",
        )
    )  # fmt: skip
    clock.advance(minutes=5)
    return overdue, fresh


def test_an_agent_replies_and_waits_on_the_customer_who_sees_both(
    browser, page, live_server, agent, customer, cases, screenshot
):
    overdue, fresh = cases
    page.goto("/sign-in")
    sign_in(page, agent.username)
    banner(page).get_by_role("link", name="Agent console").click()
    expect(page.get_by_role("heading", name="Agent console")).to_be_visible()
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(overdue.number)  # the soonest reply-by first
    expect(rows.first).to_contain_text("Overdue")
    expect(rows.nth(1)).not_to_contain_text("Overdue")
    expect(page.get_by_text("1 past its reply-by time on this page.")).to_be_visible()
    screenshot(page, "agent-queue")

    page.get_by_role("link", name=fresh.number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Case {fresh.number}: {fresh.subject}"
    )
    page.get_by_label("Your reply").fill("They were posted on 10 June.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status").filter(has_text="Your reply was added")).to_be_visible()
    reply = page.locator(".activity").filter(has_text="replied.")
    expect(reply).to_contain_text("Sam Agent (Agent) replied.")
    expect(reply).to_contain_text("They were posted on 10 June.")

    # Waiting on Customer without a reason is refused, the error tied to the field.
    status = page.get_by_label("New status")
    status.select_option(label="Waiting on Customer")
    page.get_by_role("button", name="Change status").click()
    expect(error_summary(page)).to_contain_text("Say what you are waiting for")
    expect(error_summary(page)).to_be_focused()
    reason = page.get_by_label(re.compile("^Reason"))
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(re.compile("Say what you are waiting for"))
    reason.fill("Please confirm your centre's postal address.")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("status").filter(has_text="The status was changed")).to_be_visible()
    expect(page.locator(".page-head .case-status")).to_have_text("Waiting on Customer")
    expect(page.locator("#waiting-reason")).to_have_text(
        "Please confirm your centre's postal address."
    )
    screenshot(page, "agent-case")

    # The customer sees the reply and the reason.
    customers = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    customers.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        theirs = customers.new_page()
        theirs.goto(f"/sign-in?next=/my-cases/{fresh.number}")
        sign_in(theirs, customer.username)
        expect(theirs.locator(".activity").filter(has_text="replied.")).to_contain_text(
            "They were posted on 10 June."
        )
        expect(theirs.locator("#waiting-reason")).to_have_text(
            "Please confirm your centre's postal address."
        )
        expect(theirs.locator(".page-head .case-status")).to_have_text("Waiting on Customer")
        # Their comment answers it: the case moves back to In Progress.
        created = theirs.locator(".activity").filter(has_text="created this case.")
        created.get_by_text("Comment", exact=True).click()
        created.get_by_label("Your comment").fill("It is 1 High Street.")
        created.get_by_role("button", name="Post comment").click()
        expect(theirs.locator(".page-head .case-status")).to_have_text("In Progress")
        expect(theirs.locator("#waiting-reason")).to_have_text("—")
    finally:
        customers.close()


def test_an_agent_moves_a_case_and_logs_a_call(page, live_server, agent, customer):
    services = live_server.services
    case = live_server.call(lambda: open_case(services, customer, channel=Channel.CALL))
    page.goto(f"/sign-in?next=/agent/cases/{case.number}")
    sign_in(page, agent.username)
    page.get_by_label("What was said").fill("Explained the posting dates.")
    page.get_by_role("button", name="Log call").click()
    expect(page.locator(".activity").filter(has_text="logged a call.")).to_contain_text(
        "Explained the posting dates."
    )
    page.get_by_label("Queue", exact=True).select_option("Northgate: Finance")
    page.get_by_role("button", name="Move case").click()
    moved = page.locator(".activity").first
    expect(moved).to_contain_text("updated this record.")
    expect(moved.get_by_role("definition")).to_have_text(
        f"{EXAMS_OFFICERS_QUEUE} to Northgate: Finance"
    )
    page.get_by_role("link", name="Agent console").first.click()
    page.get_by_label("Queue").select_option("Northgate: Finance")
    page.get_by_role("button", name="Show cases").click()
    expect(page).to_have_url(re.compile(r"queue=Northgate%3A\+Finance"))
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(1)


def test_customers_are_kept_out_of_the_agent_console(page, customer):
    page.goto("/sign-in?next=/agent")
    sign_in(page, customer.username)
    # Staff only: to a customer the console is not there at all.
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the home page")).to_be_visible()
    expect(banner(page).get_by_role("link", name="Agent console")).to_have_count(0)
