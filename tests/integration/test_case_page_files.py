"""The case page's "Add files" form, without JavaScript: a customer attaches files to their
own open case through the same checks as the API; each refusal is shown at the file input
and keeps nothing; another customer's case is 404; a closed case takes no files."""

from __future__ import annotations

import html
import re

import pytest

from frontdesk.accounts.models import Role
from frontdesk.cases.attachments import ALLOWED_EXTENSIONS, MAX_BYTES
from frontdesk.cases.models import Status
from tests.factories import make_user, open_case
from tests.helpers import csrf_token, login_as
from tests.integration.conftest import stored_files
from tests.integration.test_attachments import PDF, exactly, multipart
from tests.unit.test_attachment_rules import SAMPLES

# What is attached is the store's rows: one attachment runs on both stores (both_stores);
# the rules and the pages are the same on either.

SEVEN_MB = 7 * 1024 * 1024


@pytest.fixture
async def customer(services):
    return await make_user(services, first_name="Ann", last_name="Example")


@pytest.fixture
async def other_customer(services):
    return await make_user(services)


@pytest.fixture
async def case(services, customer):
    return await open_case(services, customer)


@pytest.fixture
async def signed_in(client, customer):
    await login_as(client, customer.username)
    return client


def page_url(number: str) -> str:
    return f"/my-cases/{number}/attachments"


async def post_files(client, number, files, *, token=True, accept="text/html", **fields):
    """The page's form as a browser posts it: the files, the CSRF field, the feed order."""
    if token:
        fields["csrf_token"] = await csrf_token(client)
    body, headers = multipart(files, order="newest", **fields)
    headers["Accept"] = accept
    return await client.post(page_url(number), data=body, headers=headers)


async def text_of(response) -> str:
    return html.unescape(await response.get_data(as_text=True))


def field_errors(page: str) -> list[str]:
    """The messages shown at the file input, which is marked invalid and points at them."""
    found = re.search(r'<div class="field-error" id="files-error">(.*?)</div>', page, re.S)
    assert found, "no error at the file input"
    assert re.search(r'<input type="file" id="files"[^>]*aria-invalid="true"', page)
    assert re.search(r'aria-describedby="files-error files-rules"', page)
    return [
        " ".join(message.split())
        for message in re.findall(r"Error:</span>(.*?)</p>", found.group(1), re.S)
    ]


async def attached_names(services, customer, case) -> list[str]:
    return [a.original_name for a in await services.attachments.attachments(customer, case.number)]


# What the page offers -------------------------------------------------------------------


async def test_the_case_page_states_the_rules_beside_the_file_input(signed_in, case):
    page = await text_of(await signed_in.get(f"/my-cases/{case.number}"))
    assert '<h2 id="add-files-title">Add files</h2>' in page
    rules = re.search(r'<p class="hint" id="files-rules">(.*?)</p>', page, re.S).group(1)
    rules = " ".join(re.sub(r"<[^>]+>", "", rules).split())
    assert rules == (
        f"Up to 10 MB for each file. Allowed file types: {', '.join(ALLOWED_EXTENSIONS)}. "
        "File extensions must be in lower case (report.pdf, not report.PDF)."
    )
    form = re.search(r'<form method="post" action="([^"]+)" enctype="([^"]+)"', page)
    assert form.groups() == (page_url(case.number), "multipart/form-data")
    assert re.search(r'<input type="file" id="files" name="files" multiple', page)
    assert 'name="csrf_token"' in page.split('id="upload-form"')[1].split("</form>")[0]


# Attaching ------------------------------------------------------------------------------


@pytest.mark.both_stores
async def test_a_customer_attaches_a_file_and_sees_it_in_the_activity(
    signed_in, services, customer, case, settings
):
    response = await post_files(signed_in, case.number, [("notes.txt", b"Centre 12345\n")])
    assert response.status_code == 302
    assert response.headers["Location"] == f"/my-cases/{case.number}?order=newest#add-files"

    page = await text_of(await signed_in.get(response.headers["Location"]))
    assert '<p class="notice" role="status">notes.txt was attached to this case.</p>' in page
    [attachment] = await services.attachments.attachments(customer, case.number)
    assert (attachment.original_name, attachment.size) == ("notes.txt", 13)
    assert "Ann Example</strong> (Customer) added an attachment." in page
    link = (
        f'<a href="/api/v1/cases/{case.number}/attachments/{attachment.id}" download>notes.txt</a>'
    )
    assert link in page
    assert len(stored_files(settings)) == 1
    # The notice is said once, not again on the next visit.
    again = await text_of(await signed_in.get(f"/my-cases/{case.number}"))
    assert "was attached to this case" not in again


async def test_several_files_are_attached_at_once(signed_in, services, customer, case):
    files = [("scan.pdf", PDF), ("photo.png", SAMPLES[".png"]), ("list.csv", b"a,b\n1,2\n")]
    response = await post_files(signed_in, case.number, files)
    assert response.status_code == 302
    page = await text_of(await signed_in.get(response.headers["Location"]))
    assert "3 files were attached to this case: scan.pdf, photo.png, list.csv." in page
    assert await attached_names(services, customer, case) == ["scan.pdf", "photo.png", "list.csv"]


async def test_a_resolved_case_still_takes_files(signed_in, services, customer, case):
    agent = await make_user(services, Role.AGENT)
    await services.case_work.change_status(agent, case.number, Status.RESOLVED, None)
    page = await text_of(await signed_in.get(f"/my-cases/{case.number}"))
    assert 'id="upload-form"' in page
    response = await post_files(signed_in, case.number, [("a.pdf", PDF)])
    assert response.status_code == 302
    assert await attached_names(services, customer, case) == ["a.pdf"]


# Refusals: shown at the file input, nothing kept -----------------------------------------

REFUSALS = {
    "10 MB and a byte": (
        "big.pdf",
        lambda: exactly(MAX_BYTES + 1),
        "the file is larger than 10 MB",
    ),
    "a program": ("setup.exe", lambda: b"MZ\x90\x00", "this type of file is not allowed"),
    "upper-case .PDF": ("REPORT.PDF", lambda: PDF, "file extensions must be in lower case"),
    "HTML named .png": ("photo.png", lambda: b"<html><body>x</body></html>", "not a PNG image"),
}


@pytest.mark.parametrize(("name", "make", "reason"), REFUSALS.values(), ids=REFUSALS.keys())
async def test_a_refused_file_is_shown_at_the_input_and_nothing_is_kept(
    signed_in, case, settings, unchanged, name, make, reason
):
    data = make()
    before = await unchanged()
    response = await post_files(signed_in, case.number, [(name, data)])
    assert response.status_code == 422
    page = await text_of(response)
    assert '<div class="error-summary" role="alert"' in page
    assert "<h2>That file was not attached</h2>" in page
    [message] = field_errors(page)
    assert message.startswith(f"{name}: ") and reason in message
    assert f'<li><a href="#files">{message}</a></li>' in " ".join(page.split())
    assert await unchanged() == before
    assert stored_files(settings) == []


async def test_the_good_files_are_kept_beside_a_refused_one(signed_in, services, customer, case):
    files = [("a.pdf", PDF), ("REPORT.PDF", PDF), ("notes.txt", b"Hello")]
    response = await post_files(signed_in, case.number, files)
    assert response.status_code == 422
    page = await text_of(response)
    assert "<h2>That file was not attached</h2>" in page
    assert field_errors(page) == ["REPORT.PDF: file extensions must be in lower case"]
    assert "2 files were attached to this case: a.pdf, notes.txt." in page
    assert await attached_names(services, customer, case) == ["a.pdf", "notes.txt"]


async def test_a_form_with_no_file_chosen_says_so(signed_in, case, unchanged):
    before = await unchanged()
    response = await post_files(signed_in, case.number, [("", b"")])
    assert response.status_code == 422
    assert field_errors(await text_of(response)) == ["Choose a file to attach"]
    assert await unchanged() == before


async def test_files_too_large_together_are_refused_at_the_input(signed_in, case, unchanged):
    """Past the request limit the CSRF check cannot read the form: still this page, not a
    bare 413."""
    before = await unchanged()
    files = [("a.pdf", exactly(SEVEN_MB)), ("b.pdf", exactly(SEVEN_MB))]
    response = await post_files(signed_in, case.number, files)
    assert response.status_code == 422
    page = await text_of(response)
    assert field_errors(page) == ["The files together are too large; attach them one at a time"]
    assert f"Case {case.number}" in page
    assert await unchanged() == before


# Who may attach -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [len(PDF), 2 * SEVEN_MB], ids=["a file", "a form too large"])
async def test_another_customers_case_is_not_found_and_nothing_is_kept(
    client, case, other_customer, unchanged, size
):
    await login_as(client, other_customer.username)
    before = await unchanged()
    response = await post_files(client, case.number, [("a.pdf", exactly(size))])
    assert response.status_code == 404
    page = await text_of(response)
    assert "We could not find that case" in page
    assert case.number not in page and case.subject not in page
    assert await unchanged() == before


async def test_another_customers_case_answers_json_callers_in_the_error_shape(
    client, case, other_customer, unchanged
):
    await login_as(client, other_customer.username)
    before = await unchanged()
    response = await post_files(client, case.number, [("a.pdf", PDF)], accept="application/json")
    assert response.status_code == 404
    body = await response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "CASE_NOT_FOUND"
    assert await unchanged() == before


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
async def test_a_form_without_its_csrf_token_is_forbidden(signed_in, case, unchanged, accept):
    before = await unchanged()
    response = await post_files(
        signed_in, case.number, [("a.pdf", PDF)], token=False, accept=accept
    )
    assert response.status_code == 403
    if accept == "application/json":
        body = await response.get_json()
        assert body["error"]["code"] == "CSRF_FAILED"
        assert set(body["error"]) == {"code", "message", "fields"}
    else:
        assert "did not come from this site" in await text_of(response)
    assert await unchanged() == before


async def test_a_signed_out_visitor_is_sent_to_sign_in(client, case, unchanged):
    before = await unchanged()
    response = await post_files(client, case.number, [("a.pdf", PDF)])
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    assert await unchanged() == before


async def test_a_closed_case_offers_no_form_and_refuses_files(signed_in, services, case, unchanged):
    agent = await make_user(services, Role.AGENT)
    await services.case_work.change_status(agent, case.number, Status.CLOSED, "Answered")
    page = await text_of(await signed_in.get(f"/my-cases/{case.number}"))
    assert 'id="upload-form"' not in page
    assert "This case is closed, so no more files can be added to it." in page

    before = await unchanged()
    response = await post_files(signed_in, case.number, [("a.pdf", PDF)])
    assert response.status_code == 409
    assert "<h2>This case is closed</h2>" in await text_of(response)
    assert await unchanged() == before
