"""Files in the chat, both ways, and the transcript by email: the customer's chat window
and the agent console in two browsers, by keyboard, button and drag and drop."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import LIVE_MS, PHONE, accept_offer, fits, open_chat, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.browser.test_case_files import drop
from tests.browser.test_live_chat_journey import open_console_available
from tests.factories import outbox_messages
from tests.unit.test_attachment_rules import SAMPLES

pytestmark = pytest.mark.browser

PDF = SAMPLES[".pdf"]
NOTES = b"Centre 12345: certificates sent 01/06\n"


def downloaded(page: Page, link: Any) -> bytes:
    with page.expect_download() as download:
        link.click()
    return Path(download.value.path()).read_bytes()


def test_files_go_both_ways_and_the_transcript_is_emailed(
    page, contexts, live_server, customer, agent, chat_case, screenshot
):
    number = chat_case.number
    console = contexts().new_page()
    open_console_available(console, agent)
    page.close()
    page = contexts().new_page()  # one that accepts downloads
    # Playwright asks Chromium for file choosers when the first listener comes, and does
    # not wait for it: one asked for just before the key press can miss the chooser.
    page.on("filechooser", lambda _: None)
    open_chat(page, customer, number)
    panel = accept_offer(console, number)
    expect(page.locator("#chat-agent")).to_contain_text(agent.display_name, timeout=LIVE_MS)

    # The customer attaches by keyboard: Tab to the labelled file input, Space, a file.
    file_input = page.get_by_label("Attach a file")
    expect(file_input).to_have_accessible_description(re.compile("Up to 10 MB for each file"))
    tab_to(page, file_input, limit=40)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files({"name": "report.pdf", "mimeType": "application/pdf", "buffer": PDF})
    status = page.locator("#chat-file-status")
    expect(status).to_have_text(f"report.pdf sent ({len(PDF)} bytes).")
    mine = page.locator("#chat-messages li.chat-message").filter(has_text="report.pdf")
    expect(mine).to_contain_text("Sent a file: report.pdf")

    # The agent sees it live and downloads it.
    thread = panel.get_by_role("log")
    link = thread.get_by_role("link", name="report.pdf")
    expect(link).to_be_visible(timeout=LIVE_MS)
    assert downloaded(console, link) == PDF

    # A refused file: said beside the input, and nothing is sent.
    file_input.set_input_files(
        files=[{"name": "run.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}]
    )
    expect(status).to_have_text(re.compile(r"^Not sent: run\.exe: this type of file is not"))
    expect(status).to_have_attribute("aria-live", "polite")
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#chat-messages li.chat-message")).to_have_count(1)

    # The agent attaches by the button; the customer sees it and downloads it.
    panel.get_by_label(f"File for {customer.display_name}").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": NOTES}]
    )
    expect(panel.locator(".file-status")).to_have_text(f"notes.txt sent ({len(NOTES)} bytes).")
    theirs = page.locator("#chat-messages").get_by_role("link", name="notes.txt")
    expect(theirs).to_be_visible(timeout=LIVE_MS)
    assert downloaded(page, theirs) == NOTES

    # Dropped on the conversation: it goes the same way.
    drop(page, page.locator("#chat-thread"), "photo.png", "image/png", SAMPLES[".png"])
    expect(thread.get_by_role("link", name="photo.png")).to_be_visible(timeout=LIVE_MS)
    expect(file_input).not_to_have_attribute("aria-invalid", "true")

    # The transcript by email, once; asking again at once is refused, and says so.
    page.get_by_role("button", name="Email transcript").click()
    tools = page.locator("#chat-tools-status")
    expect(tools).to_have_text(f"We have emailed the transcript so far to {customer.email}.")
    page.get_by_role("button", name="Email transcript").click()
    expect(tools).to_contain_text("The transcript was not emailed: We emailed this transcript at")
    mails = live_server.call(lambda: outbox_messages(live_server.services, customer.email))
    (mail,) = [m for m in mails if m.subject.startswith("Your chat transcript")]
    assert "sent a file: report.pdf" in mail.body and "sent a file: photo.png" in mail.body
    screenshot(page, "chat-files-customer")
    screenshot(console, "chat-files-agent")

    assert_accessible(page)
    assert_accessible(console)
    for person in (page, console):
        person.set_viewport_size(PHONE)
        assert fits(person)
    assert_accessible(page)
    screenshot(page, "chat-files-customer-390")
    screenshot(console, "chat-files-agent-390")
    page.set_viewport_size(DESKTOP)
