"""My Cases as a customer uses it: the list, its sorting and previews, and a case's feed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frontdesk.cases.models import Channel
from tests.browser.actions import sign_in
from tests.factories import EXAMS_OFFICERS_QUEUE, open_case

pytestmark = pytest.mark.browser


@pytest.fixture
def cases(live_server, customer, clock):
    """Two cases, the first opened an hour before the second."""
    services = live_server.services
    first = live_server.call(
        lambda: open_case(
            services, customer, subcategory="Returned Certificates",
            description="The certificates for 12 candidates came back to us marked "
            "'not known at this address'.\nCan you send them again?",
        )
    )  # fmt: skip
    clock.advance(hours=1)
    second = live_server.call(
        lambda: open_case(
            services, customer, channel=Channel.CALL, subcategory="Certificate Receipt Dates",
            description="When will the summer certificates arrive?",
        )
    )  # fmt: skip
    clock.advance(minutes=11)
    return first, second


def rows(page):
    return page.get_by_role("table").locator("tbody tr")


def activity(page, text):
    return page.locator(".activity").filter(has_text=text)


def test_a_customer_sorts_previews_and_opens_a_case(page, customer, cases, screenshot):
    first, second = cases
    page.goto("/sign-in?next=/my-cases")
    sign_in(page, customer.username)
    expect(page.get_by_role("heading", name="My Cases")).to_be_visible()
    expect(rows(page)).to_have_count(2)
    expect(rows(page).first).to_contain_text(second.number)  # newest first

    page.get_by_role("link", name="Subject").click()
    expect(page).to_have_url(re.compile(r"sort=subject&direction=asc"))
    subject_heading = page.get_by_role("columnheader", name="Subject")
    expect(subject_heading).to_have_attribute("aria-sort", "ascending")
    expect(rows(page).first).to_contain_text("Certificate Receipt Dates")
    page.get_by_role("link", name="Subject").click()
    expect(subject_heading).to_have_attribute("aria-sort", "descending")
    expect(rows(page).first).to_contain_text("Returned Certificates")
    expect(subject_heading).to_contain_text("▼")

    # Hovering a subject previews the case's description.
    trigger = page.get_by_role("link", name=re.compile("^Returned Certificates"))
    tip = page.get_by_role("tooltip").filter(has_text="came back to us")
    expect(tip).to_be_hidden()
    trigger.hover()
    expect(tip).to_be_visible()
    expect(trigger).to_have_accessible_description(re.compile("came back to us"))
    screenshot(page, "my-cases-preview")

    # So does focusing it from the keyboard; Escape puts it away.
    page.mouse.move(0, 0)
    other = page.get_by_role("link", name=re.compile("^Certificate Receipt Dates"))
    other_tip = page.get_by_role("tooltip").filter(has_text="summer certificates")
    other.focus()
    expect(other_tip).to_be_visible()
    page.keyboard.press("Escape")
    expect(other_tip).to_be_hidden()

    page.get_by_role("link", name=first.number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Case {first.number}: {first.subject}"
    )


def test_a_customer_likes_comments_and_refreshes_the_feed(
    page, live_server, customer, agent, cases, screenshot
):
    first, _ = cases
    page.goto(f"/sign-in?next=/my-cases/{first.number}")
    sign_in(page, customer.username)
    created = activity(page, "created this case.")
    expect(created).to_contain_text("Ann Example (Customer) created this case. 1h ago")
    expect(created.locator("time")).to_have_attribute("title", "15/06/2026 11:00 (UK time)")
    # The taxonomy routed the case: said as the system's doing, in words, not as Ann's.
    owner = activity(page, "routed this case")
    expect(owner).to_contain_text(
        f"frontdesk (System) routed this case to the {EXAMS_OFFICERS_QUEUE} queue"
    )
    expect(page.locator(".activity").filter(has_text="updated this record.")).to_have_count(0)
    detail = page.locator("#case-detail")
    expect(detail).to_contain_text("Description : The certificates for 12 candidates")
    expect(detail).to_contain_text(re.compile(r"Date/Time Opened\s*15/06/2026 11:00"))

    like = created.get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    expect(created.locator(".like-count")).to_have_text("1 like")
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_be_focused()
    like.click()
    expect(created.locator(".like-count")).to_have_text("0 likes")
    like.click()
    expect(created.locator(".like-count")).to_have_text("1 like")

    created.get_by_text("Comment", exact=True).click()
    created.get_by_role("button", name="Post comment").click()
    expect(created.get_by_text("Write a comment first")).to_be_visible()
    expect(created.get_by_label("Your comment")).to_be_focused()
    created.get_by_label("Your comment").fill("They were sent to our old address")
    created.get_by_role("button", name="Post comment").click()
    comments = created.get_by_role("list", name="Comments")
    expect(comments).to_contain_text("Ann Example (Customer) just now")
    expect(comments).to_contain_text("They were sent to our old address")
    screenshot(page, "case-detail")

    # Oldest first, then the agent answers and a refresh brings the answer in.
    page.get_by_role("link", name=re.compile("Sort by: Most Recent Activity")).click()
    expect(page).to_have_url(re.compile(r"order=oldest"))
    expect(page.locator(".activity").first).to_contain_text("created this case.")
    services = live_server.services
    live_server.call(lambda: services.case_work.reply(agent, first.number, "Resending today"))
    expect(page.get_by_text("Resending today")).to_have_count(0)
    page.get_by_role("link", name="Refresh").click()
    expect(activity(page, "replied.")).to_contain_text("Sam Agent (Agent) replied.")
    expect(page.locator(".activity").nth(-2)).to_contain_text("Resending today")  # oldest first
    expect(page.get_by_role("status").filter(has_text="Activity refreshed")).to_be_attached()
    expect(page.locator(".case-status").first).to_have_text("In Progress")
    # The like and the comment survive the redraws.
    expect(created.locator(".like-count")).to_have_text("1 like")
    expect(created.get_by_role("list", name="Comments")).to_contain_text("old address")


def test_the_feed_works_without_javascript(browser, live_server, customer, cases):
    first, _ = cases
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/sign-in?next=/my-cases/{first.number}")
        sign_in(page, customer.username)
        created = activity(page, "created this case.")
        created.get_by_role("button", name="Like").click()
        expect(activity(page, "created this case.").locator(".like-count")).to_have_text("1 like")
        page.get_by_role("link", name=re.compile("Sort by: Most Recent Activity")).click()
        expect(page).to_have_url(re.compile(r"order=oldest"))
        expect(page.locator(".activity").first).to_contain_text("created this case.")
        created = activity(page, "created this case.")
        created.get_by_text("Comment", exact=True).click()
        created.get_by_label("Your comment").fill("No script needed")
        created.get_by_role("button", name="Post comment").click()
        expect(page).to_have_url(re.compile(r"order=oldest"))
        expect(page.locator(".activity").first).to_contain_text("No script needed")
    finally:
        context.close()


def test_no_cases_points_to_contact_us(page, customer):
    page.goto("/sign-in?next=/my-cases")
    sign_in(page, customer.username)
    expect(page.get_by_role("heading", name="You have no cases yet")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Contact Us").click()
    expect(page).to_have_url(re.compile("/contact-us"))
