"""A fresh desk set up entirely in the browser (issue 14's "done when"): the admin, the
only account, invites an agent, says what the agent takes, closes a day with a reason,
changes a reply target; the agent sets a password from the invitation and goes on duty;
the desk then takes its first chat, and the case keeps the new reply target."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from frontdesk.accounts.models import Role
from frontdesk.business_hours import BusinessCalendar
from frontdesk.cases.sla import reply_due
from frontdesk.clock import FixedClock
from tests.browser.actions import LIVE_MS, accept_offer, link_token, sign_in, staff_link
from tests.browser.test_contact_us import choose, fill_about_you, pass_human_check
from tests.factories import EXAMS_OFFICERS_QUEUE, make_user

pytestmark = pytest.mark.browser

MONDAY_MORNING = datetime(2026, 8, 17, 9, 30, tzinfo=UTC)  # 10:30 in London: open
KIM_PASSWORD = "Harbour7Lantern"
SCHOOLS = "Schools, colleges and training providers"
EXAMS_OFFICERS = EXAMS_OFFICERS_QUEUE
REASON = "Closed for staff training"


@pytest.fixture
def clock():
    return FixedClock(MONDAY_MORNING)


def admin_goes_to(page: Page, link: str, heading: str) -> None:
    staff_link(page, "Admin").click()
    page.get_by_role("navigation", name="Administration").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def test_a_fresh_desk_is_set_up_in_the_browser_and_takes_its_first_chat(
    contexts, live_server, screenshot
):
    services = live_server.services
    ada = live_server.call(
        lambda: make_user(services, Role.ADMIN, first_name="Ada", last_name="Admin")
    )
    ann = live_server.call(lambda: make_user(services, first_name="Ann", last_name="Example"))

    # The admin invites an agent.
    admin = contexts().new_page()
    admin.goto("/sign-in?next=/admin/people")
    sign_in(admin, ada.username)
    invite = admin.get_by_role("region", name="Invite a member of staff")
    invite.get_by_label(re.compile("^Email address")).fill("kim@frontdesk.test")
    invite.get_by_label("First name").fill("Kim")
    invite.get_by_label("Last name").fill("New")
    invite.get_by_label("Role").select_option("agent")
    invite.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_role("status").first).to_contain_text("Kim New is invited")

    # The agent chooses a password from the invitation, and signs in.
    kim = contexts().new_page()
    kim.goto(f"/reset-password?token={link_token(live_server, 'kim@frontdesk.test')}")
    kim.get_by_role("textbox", name="New password").fill(KIM_PASSWORD)
    kim.get_by_role("button", name="Set my new password").click()
    kim.goto("/sign-in?next=/agent")
    sign_in(kim, "kim@frontdesk.test", KIM_PASSWORD)
    expect(kim.get_by_role("heading", name="Live chat")).to_be_visible()

    # What the agent takes: chat for schools only, the Exams Officers queue, two at once.
    admin_goes_to(admin, "Agents", "Agents")
    card = admin.get_by_role("listitem").filter(has=admin.get_by_role("heading", name="Kim New"))
    card.get_by_label("Only the groups ticked below").check()
    card.get_by_label(SCHOOLS).check()
    card.get_by_label("Only the queues ticked below").check()
    card.get_by_label(EXAMS_OFFICERS).check()
    card.get_by_label("Chats at once").fill("2")
    card.get_by_role("button", name=re.compile("^Save")).click()
    expect(admin.get_by_role("status").first).to_have_text("Saved what Kim New takes")

    # A closure next week, with the reason customers will see; previewed, then saved.
    admin_goes_to(admin, "Office hours", "Office hours")
    admin.get_by_role("link", name=SCHOOLS).click()
    closure = admin.get_by_role("group", name="New closure")
    closure.get_by_label("From", exact=True).fill("2026-08-24")
    closure.get_by_label("To", exact=True).fill("2026-08-25")
    closure.get_by_label("Reason customers see", exact=True).fill(REASON)
    admin.get_by_role("button", name=re.compile("^Preview")).click()
    preview = admin.locator("tr").filter(has_text="24/08/2026")
    expect(preview.first).to_contain_text(REASON)
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status").first).to_contain_text("Saved as version 2")

    # A longer reply target for certificate deliveries.
    admin_goes_to(admin, "Contact Us taxonomy", "Contact Us taxonomy")
    admin.get_by_role("link", name="Edit Certificate Delivery").click()
    admin.get_by_label("Reply target, working days").fill("4")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_role("status")).to_contain_text("Saved as version 3")
    screenshot(admin, "fresh-desk-admin")

    # The agent goes on duty; a customer asks for a chat, and the agent answers.
    kim.get_by_label("Available", exact=True).check()
    expect(kim.get_by_role("status").filter(has_text="You are Available.")).to_be_attached()
    customer = contexts().new_page()
    customer.goto("/sign-in?next=/contact-us/qualification-services")
    sign_in(customer, ann.username)
    choose(customer)
    customer.get_by_role("button", name="Next").click()
    fill_about_you(customer)
    pass_human_check(customer)
    customer.get_by_role("button", name="Next").click()
    with customer.context.expect_page() as opened:
        customer.get_by_role("button", name="Chat with an agent").click()
    chat = opened.value
    expect(chat).to_have_url(re.compile(r"/chat/\d{8}$"))
    number = chat.url.rsplit("/", 1)[1]
    panel = accept_offer(kim, number)
    expect(chat.locator("#chat-agent")).to_have_text(
        "You are chatting with Kim New.", timeout=LIVE_MS
    )
    panel.get_by_label("Message to Ann Example").fill("Hello Ann, Kim here.")
    panel.get_by_label("Message to Ann Example").press("Enter")
    expect(chat.locator("#chat-messages")).to_contain_text("Hello Ann, Kim here.")
    screenshot(chat, "fresh-desk-first-chat")

    # The case follows what the admin set: the owner queue, and four working days.
    case = live_server.call(lambda: services.cases.access_case(ann, number))
    assert case.owner_queue == EXAMS_OFFICERS
    hours = services.intake.group_hours(case.customer_group)
    due = reply_due(BusinessCalendar(), hours, case.created_at, 4)
    assert case.reply_by == due
