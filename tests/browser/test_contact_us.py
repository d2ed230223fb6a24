"""Contact Us in Chromium: the three steps, the real ALTCHA human check, each support
option, the case dialog and its uploads, on a wide and a narrow screen."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from frontdesk.accounts.models import Role
from frontdesk.chat.protocol import SetPresence
from frontdesk.web.contact import ALTCHA_SCRIPT, ALTCHA_VENDOR
from tests.browser.actions import PHONE, field, sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, NARROW
from tests.factories import make_user
from tests.services import require

pytestmark = pytest.mark.browser

WIDGET = Path(__file__).resolve().parents[2] / "frontdesk" / "web" / "static" / ALTCHA_VENDOR
MONDAY_EVENING = datetime(2026, 6, 15, 16, 30, tzinfo=UTC)  # 17:30 BST: chat has closed
CASE_NUMBER = re.compile(r"^\d{8}$")
PNG_START = b"\x89PNG\r\n\x1a\n"  # the attachment rules check a file is what it says

STEP_1 = [
    ("What kind of customer are you?", "Exams Officers"),
    ("Issue Type", "Certificates"),
    ("Category Type", "Certificate Delivery"),
    ("Subcategory Type", "Certificate Receipt Dates"),
    ("Qualification", "GCSE"),
    ("Qualification Subject", "Mathematics"),
]
LEARNER = [
    ("What kind of customer are you?", "Students & Parents"),
    ("Issue Type", "Results"),
    ("Category Type", "Results Day"),
    ("Subcategory Type", "Missing Results"),
    ("Qualification", "A Level"),
    ("Qualification Subject", "Physics"),
]
STEP_2 = {
    "Phone number": "+44 (0) 1234 567 890",
    "Language": "English",
    "School, College, Institution, WBL provider or Associate Role": "Northfield School",
}


@pytest.fixture(autouse=True)
def _needs_the_widget() -> None:
    problem = None if WIDGET.is_file() else f"ALTCHA widget missing at {WIDGET}: run scripts/setup"
    require(problem)


@pytest.fixture
def customer(live_server):
    return live_server.call(
        lambda: make_user(live_server.services, first_name="Ann", last_name="Example")
    )


@pytest.fixture
def agent_on_duty(live_server):
    """An agent of every chat group signed in to chat (away): Contact Us offers chat."""
    services = live_server.services

    async def sign_in_to_chat():
        agent = await make_user(services, Role.AGENT, first_name="Ben")
        await services.live.set_presence(agent.id, SetPresence(presence="away"))
        return agent

    return live_server.call(sign_in_to_chat)


def open_form(page: Page, customer) -> None:
    page.goto("/sign-in?next=/contact-us")
    sign_in(page, customer.username)
    expect(page.get_by_role("heading", name="Contact Us", exact=True)).to_be_visible()
    page.get_by_role("link", name="Qualification Services").click()
    expect(page.get_by_role("heading", name="Tell us about your issue")).to_be_visible()


def choose(
    page: Page, choices=STEP_1, description="Our GCSE certificates have not arrived."
) -> None:
    for label, value in choices:
        field(page, label).select_option(value)
    field(page, "Describe the issue you're experiencing").fill(description)


def pass_human_check(page: Page) -> None:
    # The widget draws its box over the checkbox; people click the box or its label.
    page.locator("altcha-widget").get_by_text("I'm not a robot").click()
    expect(page.locator("altcha-widget .altcha")).to_have_attribute("data-state", "verified")


def fill_about_you(page: Page) -> None:
    for label, value in STEP_2.items():
        field(page, label).fill(value)
    field(page, "Country").select_option("United Kingdom")


def to_options(page: Page, choices=STEP_1) -> None:
    choose(page, choices)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Tell us about yourself")).to_be_focused()
    fill_about_you(page)
    pass_human_check(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Please choose a support option.")).to_be_focused()


def case_number_in(page: Page, dialog) -> str:
    number = dialog.locator(".case-number").inner_text()
    assert CASE_NUMBER.match(number), number
    return number


# The whole path, once per support option ----------------------------------------------------


def test_send_us_a_message_end_to_end(page, live_server, customer, agent_on_duty, screenshot):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    open_form(page, customer)
    panel = page.get_by_role("complementary", name="Articles just for you")
    expect(panel).to_contain_text("Suggested articles will appear here as you choose")
    next_button = page.get_by_role("button", name="Next")
    expect(next_button).to_be_disabled()

    choose(page)
    expect(next_button).to_be_enabled()
    form_box, panel_box = page.locator("#step-issue").bounding_box(), panel.bounding_box()
    assert panel_box["x"] >= form_box["x"] + form_box["width"]  # beside the form
    screenshot(page, "contact-step1-choices")
    next_button.click()

    # Step 2: prefilled from the account; Next only once all is filled and checked.
    expect(field(page, "First name")).to_have_value("Ann")
    expect(field(page, "Last name")).to_have_value("Example")
    expect(field(page, "Email address")).to_have_value(customer.email)
    expect(page.get_by_role("button", name="Next")).to_be_hidden()
    fill_about_you(page)
    expect(page.get_by_role("button", name="Next")).to_be_hidden()  # no human check yet
    pass_human_check(page)
    screenshot(page, "contact-step2")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("button", name="Chat with an agent")).to_be_visible()
    expect(page.get_by_role("button", name="Call us")).to_be_visible()
    screenshot(page, "contact-step3-options")
    page.get_by_role("button", name="Send us a message").click()

    dialog = page.get_by_role("dialog", name="Your Case Information")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Your Case Information")).to_be_focused()
    expect(dialog).to_contain_text(
        "We aim to get back to you within 2 working days (by 17/06/2026 11:00)"
    )
    expect(dialog).to_contain_text("Complaints - 10 Working days")
    expect(dialog).to_contain_text(
        "All file extensions of the attachment must be in lower case format."
    )
    number = case_number_in(page, dialog)
    expect(dialog.get_by_role("link", name="View this case in My Cases")).to_have_attribute(
        "href", f"/my-cases/{number}"
    )
    expect(dialog.get_by_role("link", name="Back to support")).to_have_attribute("href", "/")

    case = live_server.call(lambda: live_server.services.cases.access_case(customer, number))
    assert case.channel.value == "message"
    assert case.contact_phone == STEP_2["Phone number"]

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Show case information")).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text(f"Your case number is {number}")
    # The check is spent: no second case from this form.
    expect(page.get_by_role("button", name="Send us a message")).to_be_disabled()
    # Self-hosted: the widget, its workers and its challenge all come from our origin.
    assert any(url.endswith(ALTCHA_SCRIPT) for url in requested)
    elsewhere = [u for u in requested if not u.startswith((live_server.url, "blob:", "data:"))]
    assert elsewhere == []


def test_call_us_shows_the_number_and_the_24_hour_rule(page, live_server, customer, screenshot):
    open_form(page, customer)
    to_options(page, LEARNER)
    # Students & Parents have no chat at all: the option is not shown.
    expect(page.get_by_role("button", name="Chat with an agent")).to_have_count(0)
    expect(page.get_by_role("heading", name="Chat with an agent")).to_be_hidden()
    page.get_by_role("button", name="Call us").click()

    dialog = page.get_by_role("dialog", name="Your Case Information")
    expect(dialog).to_contain_text("Your case number is")
    expect(dialog).to_contain_text("Please call us on 020 7946 0500")
    expect(dialog).to_contain_text("Monday to Friday, 08:00 to 17:00 (UK time)")
    expect(dialog).to_contain_text(
        "If you do not call us within 24 hours of creating the case, we will close it"
    )
    expect(dialog.get_by_role("button", name="Upload Files")).to_be_visible()
    expect(dialog.get_by_text("Or drop files")).to_be_visible()
    number = case_number_in(page, dialog)
    box, viewport = dialog.bounding_box(), page.viewport_size
    centre = box["x"] + box["width"] / 2
    assert abs(centre - viewport["width"] / 2) < 2  # centred
    screenshot(page, "contact-call-dialog")

    case = live_server.call(lambda: live_server.services.cases.access_case(customer, number))
    assert case.channel.value == "call"
    assert case.phone == "020 7946 0500"
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_call_us_with_the_lines_closed_says_when_they_open(page, clock, customer, screenshot):
    clock.set(datetime(2026, 6, 19, 18, 30, tzinfo=UTC))  # Friday 19:30 in London
    page.set_viewport_size(PHONE)
    open_form(page, customer)
    to_options(page, LEARNER)
    card = page.get_by_role("article", name="Call us")
    expect(card).to_contain_text(
        "Our lines are closed now and open again Monday 22 June at 08:00 (UK time)."
    )
    screenshot(page, "contact-call-lines-closed-390")
    page.get_by_role("button", name="Call us").click()

    dialog = page.get_by_role("dialog", name="Your Case Information")
    expect(dialog).to_contain_text(
        "Our lines are closed now and open again Monday 22 June at 08:00 (UK time). If you do"
        " not call us by Tuesday 23 June at 08:00 (UK time), we will close the case"
        " automatically."
    )
    expect(dialog).not_to_contain_text("within 24 hours")  # a window that starts now
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "contact-call-dialog-lines-closed-390")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "contact-call-dialog-lines-closed-1280")


def test_chat_opens_the_case_in_a_new_tab(
    page, context, live_server, customer, agent_on_duty, screenshot
):
    open_form(page, customer)
    to_options(page)
    hours = page.get_by_text("Our Support Staff are available Monday - Friday 09:00-17:00")
    expect(hours).to_be_visible()
    with context.expect_page() as opened:
        page.get_by_role("button", name="Chat with an agent").click()
    chat = opened.value
    expect(chat).to_have_url(re.compile(r"/chat/\d{8}$"))
    number = chat.url.rsplit("/", 1)[1]
    expect(chat.get_by_role("heading", name="Chat with an agent")).to_be_visible()
    expect(chat.get_by_text(number)).to_be_visible()
    # The live window connects and joins the queue (no agent is available here).
    expect(chat.locator("#chat-status")).to_have_text(
        "You are number 1 in the queue. No agent is available right now; we will connect "
        "you as soon as one is."
    )
    expect(chat).to_have_title(re.compile("^Waiting for an agent · Chat"))
    expect(chat.get_by_label("Your message")).to_be_disabled()
    expect(chat.get_by_role("button", name="End Chat")).to_be_enabled()
    screenshot(chat, "contact-chat-tab")

    expect(page.get_by_role("status")).to_contain_text(f"Your case number is {number}")
    link = page.get_by_role("link", name="Open the chat")
    expect(link).to_have_attribute("target", "_blank")
    case = live_server.call(lambda: live_server.services.cases.access_case(customer, number))
    assert case.channel.value == "chat"


def test_with_nobody_signed_in_chat_is_not_offered_and_the_page_says_why(
    page, live_server, customer, screenshot
):
    open_form(page, customer)
    to_options(page)
    chat = page.locator("#option-chat")
    expect(chat.get_by_role("button", name="Chat with an agent")).to_be_hidden()
    expect(chat).to_contain_text("No chat agent is signed in right now.")
    expect(page.get_by_role("button", name="Call us")).to_be_enabled()
    expect(page.get_by_role("button", name="Send us a message")).to_be_enabled()
    screenshot(page, "contact-nobody-signed-in")
    assert_accessible(page)


def test_chat_outside_office_hours_says_when_it_opens(page, clock, customer):
    clock.set(MONDAY_EVENING)
    open_form(page, customer)
    to_options(page)
    chat = page.locator("#option-chat")
    expect(chat).to_contain_text("Our chat team is away now.")
    expect(chat).to_contain_text("Chat opens again Tuesday 16 June at 09:00 (UK time).")
    expect(chat.get_by_role("button", name="Chat with an agent")).to_be_hidden()
    expect(page.get_by_role("button", name="Call us")).to_be_enabled()
    expect(page.get_by_role("button", name="Send us a message")).to_be_enabled()


# Step 1 --------------------------------------------------------------------------------------


def test_choosing_a_dropdown_resets_the_ones_after_it(page, customer):
    open_form(page, customer)
    later = [label for label, _ in STEP_1[1:]]
    for label in later:
        expect(field(page, label)).to_be_disabled()
    choose(page)
    expect(page.get_by_role("button", name="Next")).to_be_enabled()

    field(page, "Issue Type").select_option("Results")
    expect(field(page, "Issue Type")).to_have_value("Results")
    expect(field(page, "Category Type")).to_have_value("")
    expect(field(page, "Category Type").locator("option")).to_have_text(
        ["Select a category", "Results Day", "Grade Boundaries"]
    )
    for label in later[2:]:
        expect(field(page, label)).to_have_value("")
        expect(field(page, label)).to_be_disabled()
    expect(page.get_by_role("button", name="Next")).to_be_disabled()

    field(page, "What kind of customer are you?").select_option("Students & Parents")
    expect(field(page, "Issue Type")).to_have_value("")
    options = field(page, "Issue Type").locator("option").all_inner_texts()
    assert "Onscreen Testing" not in options and "Special Considerations" in options


def test_a_short_description_is_an_error_tied_to_its_field(page, customer):
    open_form(page, customer)
    choose(page, description="Help")
    description = field(page, "Describe the issue you're experiencing")
    description.press("Tab")
    error = page.locator("#description-error")
    expect(error).to_contain_text("at least 10 characters")
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(description).to_have_attribute("aria-describedby", "description-hint description-error")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()

    description.fill("Help with our certificates")
    expect(error).to_be_hidden()
    expect(description).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Next")).to_be_enabled()


def test_step_1_on_a_narrow_screen_puts_the_articles_below(page, customer, screenshot):
    page.set_viewport_size(NARROW)
    open_form(page, customer)
    choose(page)
    form_box = page.locator("#step-issue").bounding_box()
    panel_box = page.get_by_role("complementary", name="Articles just for you").bounding_box()
    assert panel_box["y"] >= form_box["y"] + form_box["height"]
    assert form_box["x"] + form_box["width"] <= NARROW["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    screenshot(page, "contact-step1-narrow")


# Step 2 --------------------------------------------------------------------------------------


def test_without_the_widget_the_form_says_the_check_cannot_load(page, customer):
    page.route(re.compile(r".*/vendor/altcha/.*"), lambda route: route.abort())
    open_form(page, customer)
    choose(page)
    page.get_by_role("button", name="Next").click()
    fill_about_you(page)
    expect(page.get_by_text("The human check cannot load")).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_be_hidden()


def test_without_javascript_the_page_says_it_is_needed(browser, live_server, customer):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/sign-in?next=/contact-us/qualification-services")
        sign_in(page, customer.username)
        expect(page.get_by_text("JavaScript is needed for the Contact Us form")).to_be_visible()
        expect(page.get_by_role("heading", name="Tell us about your issue")).to_be_hidden()
    finally:
        context.close()


# The case dialog's attachments ---------------------------------------------------------------


def test_uploading_files_from_the_message_dialog(page, live_server, customer, screenshot):
    open_form(page, customer)
    to_options(page)
    page.get_by_role("button", name="Send us a message").click()
    dialog = page.get_by_role("dialog", name="Your Case Information")
    number = case_number_in(page, dialog)

    with page.expect_file_chooser() as chooser:
        dialog.get_by_role("button", name="Upload Files").click()
    assert chooser.value.is_multiple()
    chooser.value.set_files(
        [
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Centre 12345\n" * 50},
            {"name": "screenshot.png", "mimeType": "image/png", "buffer": PNG_START + b"0" * 4096},
            {"name": "REPORT.PDF", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"},
        ]
    )
    files = dialog.get_by_role("list", name="Files").get_by_role("listitem")
    expect(files).to_have_count(3)
    expect(files.nth(0)).to_contain_text("Uploaded")
    expect(files.nth(1)).to_contain_text("Uploaded")
    expect(files.nth(2)).to_contain_text("Not uploaded: REPORT.PDF")
    expect(files.nth(2)).to_contain_text("lower case")
    screenshot(page, "contact-message-dialog-uploads")

    stored = live_server.call(
        lambda: live_server.services.attachments.attachments(customer, number)
    )
    assert sorted(a.original_name for a in stored) == ["notes.txt", "screenshot.png"]


# When the server says no at the last step -------------------------------------------------


def cases_of(live_server, customer) -> int:
    found = live_server.call(
        lambda: live_server.services.cases.list_my_cases(
            customer, sort="created_at", descending=True, page=1, page_size=10
        )
    )
    return found.total


def test_chat_closing_before_the_click_is_explained(
    page, live_server, clock, customer, agent_on_duty
):
    clock.set(datetime(2026, 6, 15, 15, 50, tzinfo=UTC))  # 16:50 BST, ten minutes to go
    open_form(page, customer)
    to_options(page)
    expect(page.get_by_role("button", name="Chat with an agent")).to_be_visible()
    clock.advance(minutes=10)  # 17:00: the team went home while the customer was reading

    page.get_by_role("button", name="Chat with an agent").click()
    expect(page.locator("#options-error")).to_contain_text("Our chat team is away now.")
    expect(page.get_by_role("button", name="Chat with an agent")).to_be_hidden()
    expect(page.locator("#option-chat")).to_contain_text("Chat opens again Tuesday 16 June")
    assert cases_of(live_server, customer) == 0
    # The check was not spent: the customer can still send a message.
    page.get_by_role("button", name="Send us a message").click()
    expect(page.get_by_role("dialog", name="Your Case Information")).to_be_visible()
    assert cases_of(live_server, customer) == 1


def test_an_expired_human_check_is_asked_for_again(page, live_server, clock, customer):
    open_form(page, customer)
    to_options(page)
    clock.advance(minutes=20)  # the challenge's lifetime, by the portal's clock

    page.get_by_role("button", name="Call us").click()
    expect(page.get_by_role("heading", name="Tell us about yourself")).to_be_focused()
    expect(page.locator("#human_check-error")).to_contain_text(
        "Please complete the human check again"
    )
    expect(page.get_by_role("button", name="Next")).to_be_hidden()
    assert cases_of(live_server, customer) == 0

    pass_human_check(page)
    expect(page.locator("#human_check-error")).to_be_hidden()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Call us").click()
    expect(page.get_by_role("dialog", name="Your Case Information")).to_be_visible()
    assert cases_of(live_server, customer) == 1
