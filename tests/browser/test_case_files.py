"""Adding files on the case page: by keyboard and by dropping them, each file's result said
and the feed redrawn without a reload; narrow and accessible; and the plain form without
JavaScript, with its refusals at the file input."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frontdesk.cases.models import Status
from tests.browser.actions import PHONE, fits, sign_in, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.factories import open_case

pytestmark = pytest.mark.browser

PNG_START = b"\x89PNG\r\n\x1a\n"  # the attachment rules check a file is what it says


def activity(page, text):
    return page.locator(".activity").filter(has_text=text)


def attached(live_server, customer, case):
    found = live_server.call(
        lambda: live_server.services.attachments.attachments(customer, case.number)
    )
    return sorted(a.original_name for a in found)


def drop(page, target, name, mime, data):
    """Drop a file on `target` as the browser would hand it over from the desktop."""
    transfer = page.evaluate_handle(
        "([name, mime, data]) => { const t = new DataTransfer();"
        " t.items.add(new File([new Uint8Array(data)], name, {type: mime})); return t; }",
        [name, mime, list(data)],
    )
    for event in ("dragenter", "dragover", "drop"):
        target.dispatch_event(event, {"dataTransfer": transfer})


@pytest.fixture
def case(live_server, customer, clock):
    case = live_server.call(lambda: open_case(live_server.services, customer))
    clock.advance(minutes=5)
    return case


def test_a_customer_attaches_files_by_keyboard_and_by_dropping_them(
    page, live_server, customer, case, screenshot
):
    # Playwright asks Chromium to hand it file choosers when the first listener comes, and
    # does not wait for it: one asked for just before the key press can miss the chooser.
    page.on("filechooser", lambda _: None)
    page.goto(f"/sign-in?next=/my-cases/{case.number}")
    sign_in(page, customer.username)
    section = page.get_by_role("region", name="Add files")
    expect(section).to_contain_text("Up to 10 MB for each file.")
    expect(section).to_contain_text("File extensions must be in lower case")
    expect(section.get_by_role("button", name="Attach files")).to_be_hidden()  # sent at once
    page.evaluate("window.notReloaded = true")

    choose = section.get_by_role("button", name="Choose files")
    expect(choose).to_have_accessible_description(re.compile("^Up to 10 MB for each file"))
    tab_to(page, choose, limit=40)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    assert chooser.value.is_multiple()
    chooser.value.set_files(
        [
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Centre 12345\n" * 50},
            {"name": "REPORT.PDF", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"},
        ]
    )
    rows = section.get_by_role("list", name="Files sent").get_by_role("listitem")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Uploaded (650 bytes)")
    expect(rows.nth(1)).to_contain_text(
        "Not uploaded: REPORT.PDF: file extensions must be in lower case"
    )
    results = page.get_by_role("log", name="Attachment results")
    expect(results).to_contain_text("notes.txt: Uploaded (650 bytes); it is now in the activity")
    expect(results).to_contain_text("Not uploaded: REPORT.PDF")
    notes = activity(page, "added an attachment.").filter(has_text="notes.txt")
    expect(notes).to_contain_text("Ann Example (Customer) added an attachment.")
    expect(notes.get_by_role("link", name="notes.txt")).to_have_attribute(
        "href", re.compile(rf"^/api/v1/cases/{case.number}/attachments/\d+$")
    )
    expect(choose).to_be_focused()  # the redrawn feed did not take the focus away

    zone = section.locator("#drop-zone")
    drop(page, zone, "photo.png", "image/png", PNG_START + b"0" * 2048)
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("Uploaded")
    expect(results).to_contain_text("photo.png: Uploaded")
    expect(page.locator(".activity").first).to_contain_text("photo.png")  # newest first
    assert page.evaluate("window.notReloaded") is True
    assert attached(live_server, customer, case) == ["notes.txt", "photo.png"]

    assert_accessible(page)
    screenshot(page, "case-files-uploaded")
    page.set_viewport_size(PHONE)
    assert fits(page)
    assert_accessible(page)
    screenshot(page, "case-files-uploaded-390")
    page.set_viewport_size(DESKTOP)


def test_a_file_dropped_beside_the_zone_does_not_replace_the_page(
    page, live_server, customer, case
):
    page.goto(f"/sign-in?next=/my-cases/{case.number}")
    sign_in(page, customer.username)
    page.evaluate("window.notReloaded = true")
    drop(page, page.locator("#case-detail"), "notes.txt", "text/plain", b"hello")
    expect(page).to_have_url(re.compile(rf"/my-cases/{case.number}"))
    assert page.evaluate("window.notReloaded") is True
    assert attached(live_server, customer, case) == []


def test_files_are_attached_without_javascript(
    browser, live_server, customer, case, tmp_path, screenshot
):
    good, bad = tmp_path / "scan.pdf", tmp_path / "Letter.DOCX"
    good.write_bytes(b"%PDF-1.4 scanned")
    bad.write_bytes(b"PK\x03\x04")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(f"/sign-in?next=/my-cases/{case.number}")
        sign_in(page, customer.username)
        expect(page.get_by_role("button", name="Choose files")).to_be_hidden()
        page.get_by_label("Files to attach").set_input_files(str(good))
        page.get_by_role("button", name="Attach files").click()
        expect(page).to_have_url(re.compile(rf"/my-cases/{case.number}\?order=newest#add-files"))
        notice = page.get_by_role("status").filter(has_text="attached to this case")
        expect(notice).to_have_text("scan.pdf was attached to this case.")
        expect(page.locator(".activity").first).to_contain_text("scan.pdf")
        screenshot(page, "case-files-no-js-attached-390")

        page.get_by_label("Files to attach").set_input_files(str(bad))
        page.get_by_role("button", name="Attach files").click()
        expect(page.get_by_role("alert")).to_contain_text("That file was not attached")
        message = "Letter.DOCX: file extensions must be in lower case"
        expect(page.get_by_role("alert").get_by_role("link", name=message)).to_be_visible()
        expect(page.get_by_label("Files to attach")).to_have_accessible_description(
            re.compile(f"^Error: {re.escape(message)}")
        )
        assert fits(page)
        screenshot(page, "case-files-no-js-refused-390")
        assert attached(live_server, customer, case) == ["scan.pdf"]
    finally:
        context.close()


def test_a_closed_case_says_it_takes_no_more_files(
    page, live_server, customer, agent, case, screenshot
):
    services = live_server.services
    live_server.call(
        lambda: services.case_work.change_status(agent, case.number, Status.CLOSED, "Answered")
    )
    page.goto(f"/sign-in?next=/my-cases/{case.number}")
    sign_in(page, customer.username)
    section = page.get_by_role("region", name="Add files")
    expect(section).to_contain_text("This case is closed, so no more files can be added to it.")
    expect(section.get_by_role("button")).to_have_count(0)
    expect(section.get_by_role("link", name="contact us")).to_have_attribute("href", "/contact-us")
    assert_accessible(page)
    screenshot(page, "case-files-closed")


def test_files_too_large_together_are_explained_without_javascript(
    browser, live_server, customer, case, tmp_path
):
    """Past the request limit the server answers before reading the rest: the browser
    shows that answer, not a connection reset."""
    files = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    for file in files:
        file.write_bytes(b"%PDF-" + b"0" * (7 * 1024 * 1024))
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/sign-in?next=/my-cases/{case.number}")
        sign_in(page, customer.username)
        page.get_by_label("Files to attach").set_input_files([str(file) for file in files])
        page.get_by_role("button", name="Attach files").click()
        expect(page.get_by_role("alert")).to_contain_text("The files together are too large")
        assert attached(live_server, customer, case) == []
    finally:
        context.close()
