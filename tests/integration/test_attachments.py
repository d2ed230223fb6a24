"""Attachments through the API, on both stores: uploads streamed onto a case, every kind
of refusal (nothing kept), the multipart fallback, downloads, and who may see what."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from frontdesk.accounts.models import Role
from frontdesk.cases.attachments import MAX_BYTES
from frontdesk.cases.models import ActivityKind, Status
from tests.factories import PASSWORD, make_user, open_case
from tests.helpers import csrf_token, login_as
from tests.integration.conftest import stored_files
from tests.unit.test_attachment_rules import (
    EXPECTED_TYPES,
    HTML,
    SAMPLES,
    make_zip,
    nest,
    with_external_attr,
    zip_bomb,
)

PDF = SAMPLES[".pdf"]


def exactly(size: int) -> bytes:
    """A PDF of exactly `size` bytes."""
    return PDF + b"%" * (size - len(PDF))


@pytest.fixture
async def customer(services):
    return await make_user(services)


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


def url(number: str, attachment_id: int | None = None) -> str:
    base = f"/api/v1/cases/{number}/attachments"
    return base if attachment_id is None else f"{base}/{attachment_id}"


async def upload(client: Any, number: str, name: str, data: bytes, **headers: str) -> Any:
    sent = {
        "X-CSRF-Token": await csrf_token(client),
        "Content-Type": "application/octet-stream",
        **headers,
    }
    return await client.post(url(number), query_string={"name": name}, data=data, headers=sent)


def multipart(files: list[tuple[str, bytes]], **fields: str) -> tuple[bytes, dict[str, str]]:
    """A browser's form post: `files` fields, then plain fields; with its Content-Length."""
    boundary = f"----frontdesk{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
        for name, data in files
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(body)),
    }
    return body, headers


async def error_of(response: Any, status: int, code: str) -> str:
    body = await response.get_json()
    assert response.status_code == status, body
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code, body
    message: str = body["error"]["message"]
    return message


async def answer(connection: Any) -> tuple[int, Any]:
    """The status and JSON body of a response that comes while the request is still open."""
    async with asyncio.timeout(10):
        data = await connection.receive()
    return connection.status_code, json.loads(data)


# Refusals --------------------------------------------------------------------------------

REFUSALS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "10 MB and a byte": ("big.pdf", lambda: exactly(MAX_BYTES + 1), "ATTACHMENT_TOO_LARGE"),
    "a program": ("setup.exe", lambda: b"MZ\x90\x00", "ATTACHMENT_TYPE"),
    "a web page": ("page.html", lambda: HTML, "ATTACHMENT_TYPE"),
    "an SVG": ("logo.svg", lambda: b"<svg/>", "ATTACHMENT_TYPE"),
    "a script": ("run.js", lambda: b"alert(1)", "ATTACHMENT_TYPE"),
    "a .jpeg": ("photo.jpeg", lambda: SAMPLES[".jpg"], "ATTACHMENT_TYPE"),
    "a .gif": ("photo.gif", lambda: b"GIF89a", "ATTACHMENT_TYPE"),
    "a tarball": ("logs.tar.gz", lambda: b"\x1f\x8b", "ATTACHMENT_TYPE"),
    "no extension": ("README", lambda: b"hello", "ATTACHMENT_TYPE"),
    "upper-case .PDF": ("REPORT.PDF", lambda: PDF, "ATTACHMENT_EXTENSION_CASE"),
    "mixed-case .Docx": ("Letter.Docx", lambda: SAMPLES[".docx"], "ATTACHMENT_EXTENSION_CASE"),
    "HTML named .png": ("photo.png", lambda: HTML, "ATTACHMENT_CONTENT_MISMATCH"),
    "HTML named .txt": ("notes.txt", lambda: HTML, "ATTACHMENT_MARKUP"),
    "SVG named .csv": ("data.csv", lambda: b'<svg onload="alert(1)"/>', "ATTACHMENT_MARKUP"),
    "a PDF named .jpg": ("scan.jpg", lambda: PDF, "ATTACHMENT_CONTENT_MISMATCH"),
    "a zip named .docx": ("letter.docx", lambda: SAMPLES[".zip"], "ATTACHMENT_CONTENT_MISMATCH"),
    "binary named .txt": ("notes.txt", lambda: SAMPLES[".png"], "ATTACHMENT_NOT_TEXT"),
    "a zip bomb": ("photos.zip", zip_bomb, "ATTACHMENT_ZIP_RATIO"),
    "a zip with ../": ("tricks.zip", lambda: make_zip({"../evil.sh": b"x"}), "ATTACHMENT_ZIP_PATH"),
    "a zip with a link": (
        "links.zip",
        lambda: with_external_attr("passwd", 0o120777),
        "ATTACHMENT_ZIP_LINK",
    ),
    "zips nested 4 deep": ("nested.zip", lambda: nest(4), "ATTACHMENT_ZIP_NESTED"),
    "a damaged zip": ("broken.zip", lambda: SAMPLES[".zip"][:-10], "ATTACHMENT_ZIP_INVALID"),
    "an empty file": ("empty.pdf", lambda: b"", "ATTACHMENT_EMPTY"),
}


@pytest.mark.parametrize(("name", "make", "code"), REFUSALS.values(), ids=REFUSALS.keys())
async def test_a_refused_file_answers_422_naming_it_and_keeps_nothing(
    signed_in, case, settings, unchanged, name, make, code
):
    data = make()
    before = await unchanged()
    message = await error_of(await upload(signed_in, case.number, name, data), 422, code)
    assert message.startswith(f"{name}: ")
    assert await unchanged() == before
    assert stored_files(settings) == []


async def test_a_file_of_exactly_10_mb_is_accepted(signed_in, case, services):
    data = exactly(MAX_BYTES)
    response = await upload(
        signed_in, case.number, "big.pdf", data, **{"Content-Length": str(MAX_BYTES)}
    )
    assert response.status_code == 201, await response.get_json()
    attachment = await response.get_json()
    assert attachment["size"] == MAX_BYTES
    download = await signed_in.get(url(case.number, attachment["id"]))
    assert await download.get_data() == data


@pytest.mark.parametrize("declared", [MAX_BYTES + 1, 1024 * MAX_BYTES])
async def test_a_content_length_over_10_mb_is_refused_before_any_body(
    signed_in, case, unchanged, declared
):
    before = await unchanged()
    headers = {"X-CSRF-Token": await csrf_token(signed_in), "Content-Length": str(declared)}
    connection = signed_in.request(
        url(case.number), method="POST", headers=headers, query_string={"name": "big.pdf"}
    )
    async with connection:  # answered though not one byte of the body was sent
        status, body = await answer(connection)
    assert status == 422
    assert body["error"]["code"] == "ATTACHMENT_TOO_LARGE"
    message = body["error"]["message"]
    assert message == "big.pdf: the file is larger than 10 MB"
    assert await unchanged() == before


async def test_an_upload_is_refused_as_soon_as_it_passes_10_mb(signed_in, case, unchanged):
    before = await unchanged()
    headers = {"X-CSRF-Token": await csrf_token(signed_in)}
    connection = signed_in.request(
        url(case.number), method="POST", headers=headers, query_string={"name": "big.pdf"}
    )
    async with connection:
        for _ in range(10):
            await connection.send(b"%PDF-" + bytes(1024 * 1024 - 5))
        await connection.send(b"!")  # one byte past 10 MB; the body never ends
        status, body = await answer(connection)
    assert status == 422
    assert body["error"]["code"] == "ATTACHMENT_TOO_LARGE"
    assert await unchanged() == before


async def test_a_huge_body_without_a_length_is_a_422_not_a_413(signed_in, case, unchanged):
    """Past MAX_CONTENT_LENGTH unread, Quart gives up on the body: still a file too big."""
    before = await unchanged()
    response = await upload(signed_in, case.number, "huge.pdf", exactly(13 * 1024 * 1024))
    await error_of(response, 422, "ATTACHMENT_TOO_LARGE")
    assert await unchanged() == before


async def test_a_missing_name_is_refused(signed_in, case, unchanged):
    before = await unchanged()
    headers = {"X-CSRF-Token": await csrf_token(signed_in)}
    response = await signed_in.post(url(case.number), data=PDF, headers=headers)
    await error_of(response, 422, "ATTACHMENT_NAME")
    assert await unchanged() == before


async def test_a_closed_case_takes_no_files(signed_in, case, services, unchanged):
    agent = await make_user(services, Role.AGENT)
    await services.case_work.change_status(agent, case.number, Status.CLOSED, "Answered")
    before = await unchanged()
    await error_of(await upload(signed_in, case.number, "a.pdf", PDF), 409, "CASE_CLOSED")
    assert await unchanged() == before


# Good uploads ----------------------------------------------------------------------------


@pytest.mark.parametrize("extension", SAMPLES)
async def test_a_good_file_is_listed_in_the_feed_and_downloads_intact(
    signed_in, case, services, customer, extension
):
    name, data = f"Exam entries{extension}", SAMPLES[extension]
    response = await upload(signed_in, case.number, name, data)
    assert response.status_code == 201, await response.get_json()
    created = await response.get_json()
    assert set(created) == {"id", "name", "size", "created_at"}
    assert (created["name"], created["size"]) == (name, len(data))

    listed = await (await signed_in.get(url(case.number))).get_json()
    assert listed == [created]
    feed = await services.cases.feed(customer, case.number)
    assert [
        (a.body, a.data["attachment_id"]) for a in feed if a.kind is ActivityKind.ATTACHMENT
    ] == [(name, created["id"])]

    download = await signed_in.get(url(case.number, created["id"]))
    assert download.status_code == 200
    assert await download.get_data() == data
    assert download.headers["Content-Type"] == EXPECTED_TYPES[extension]
    assert download.headers["Content-Disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert set(download.headers["Cache-Control"].replace(" ", "").split(",")) == {
        "private",
        "no-store",
    }
    assert download.headers["Content-Length"] == str(len(data))


async def test_the_file_is_stored_under_a_generated_name_outside_the_web_root(
    signed_in, case, settings
):
    response = await upload(signed_in, case.number, "../../static/evil.txt", b"hello")
    assert response.status_code == 201
    assert (await response.get_json())["name"] == "evil.txt"
    [stored] = stored_files(settings)
    assert stored.is_relative_to(Path(settings.data_dir))
    assert "evil" not in stored.name
    assert stored.read_bytes() == b"hello"


async def test_a_name_in_any_script_downloads_under_its_own_name(signed_in, case):
    name = 'Résumé "finale" \u2013 成绩.pdf'
    created = await (await upload(signed_in, case.number, name, PDF)).get_json()
    assert created["name"] == name
    download = await signed_in.get(url(case.number, created["id"]))
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="R_sum_ _finale_ _ __.pdf"; ')
    assert disposition.endswith("filename*=UTF-8''" + quote(name, safe=""))


async def test_a_10_mb_file_streams_through_uvicorn_chunked_or_sized(live_server):
    """Through the real server: neither uvicorn nor Quart's MAX_CONTENT_LENGTH stops a
    file of the full 10 MB, sent in chunks without a length or with one."""
    services = live_server.services
    customer = await live_server.acall(lambda: make_user(services))
    case = await live_server.acall(lambda: open_case(services, customer))
    data = exactly(MAX_BYTES)

    async def chunks():
        for start in range(0, len(data), 256 * 1024):
            yield data[start : start + 256 * 1024]

    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
        token = (await http.get("/api/v1/session")).json()["csrf_token"]
        login = {"username": customer.username, "password": PASSWORD}
        signed = await http.post("/api/v1/session", json=login, headers={"X-CSRF-Token": token})
        headers = {"X-CSRF-Token": signed.json()["csrf_token"]}
        for name, body in (("chunked.pdf", chunks()), ("sized.pdf", data)):
            sent = await http.post(
                url(case.number), params={"name": name}, content=body, headers=headers
            )
            assert sent.status_code == 201, sent.text
            download = await http.get(url(case.number, sent.json()["id"]))
            assert download.content == data


# The multipart fallback ------------------------------------------------------------------


async def test_a_form_answers_file_by_file_and_keeps_the_good_ones(signed_in, case):
    body, headers = multipart([("a.pdf", PDF), ("photo.png", HTML), ("notes.txt", b"Hello")])
    headers["X-CSRF-Token"] = await csrf_token(signed_in)
    response = await signed_in.post(url(case.number), data=body, headers=headers)
    assert response.status_code == 200
    results = await response.get_json()
    assert [(r["name"], r["accepted"]) for r in results] == [
        ("a.pdf", True),
        ("photo.png", False),
        ("notes.txt", True),
    ]
    assert results[1]["error"]["code"] == "ATTACHMENT_CONTENT_MISMATCH"
    assert results[1]["error"]["message"].startswith("photo.png: ")
    listed = await (await signed_in.get(url(case.number))).get_json()
    assert listed == [results[0]["attachment"], results[2]["attachment"]]


async def test_a_form_without_javascript_sends_its_csrf_token_as_a_field(signed_in, case):
    body, headers = multipart([("a.pdf", PDF)], csrf_token=await csrf_token(signed_in))
    response = await signed_in.post(url(case.number), data=body, headers=headers)
    assert response.status_code == 200
    [result] = await response.get_json()
    assert result["accepted"] is True


async def test_a_form_refuses_a_file_over_10_mb_and_keeps_the_rest(signed_in, case, settings):
    big = exactly(MAX_BYTES + 1)
    body, headers = multipart([("big.pdf", big), ("small.pdf", PDF)])
    headers["X-CSRF-Token"] = await csrf_token(signed_in)
    results = await (await signed_in.post(url(case.number), data=body, headers=headers)).get_json()
    assert [(r["name"], r["accepted"]) for r in results] == [
        ("big.pdf", False),
        ("small.pdf", True),
    ]
    assert results[0]["error"]["code"] == "ATTACHMENT_TOO_LARGE"
    assert len(stored_files(settings)) == 1


async def test_a_form_with_no_file_chosen_is_refused(signed_in, case):
    body, headers = multipart([("", b"")], note="a file input left empty")
    headers["X-CSRF-Token"] = await csrf_token(signed_in)
    response = await signed_in.post(url(case.number), data=body, headers=headers)
    await error_of(response, 422, "ATTACHMENT_NO_FILES")


async def test_a_form_past_the_request_limit_is_refused_whole(signed_in, case, unchanged):
    before = await unchanged()
    body, headers = multipart(
        [("a.pdf", exactly(7 * 1024 * 1024)), ("b.pdf", exactly(7 * 1024 * 1024))]
    )
    headers["X-CSRF-Token"] = await csrf_token(signed_in)
    response = await signed_in.post(url(case.number), data=body, headers=headers)
    await error_of(response, 422, "ATTACHMENT_FORM_TOO_LARGE")
    assert await unchanged() == before


async def test_a_form_must_say_how_long_it_is(signed_in, case, unchanged):
    before = await unchanged()
    body, headers = multipart([("a.pdf", PDF)])
    del headers["Content-Length"]
    headers["X-CSRF-Token"] = await csrf_token(signed_in)
    response = await signed_in.post(url(case.number), data=body, headers=headers)
    assert response.status_code == 411
    assert await unchanged() == before


# Who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "stranger"])
async def test_only_the_cases_customer_can_upload_list_and_download(
    client, services, case, customer, other_customer, unchanged, who
):
    await login_as(client, customer.username)
    created = await (await upload(client, case.number, "a.pdf", PDF)).get_json()
    user = customer if who == "owner" else other_customer
    await login_as(client, user.username)
    before = await unchanged()

    uploaded = await upload(client, case.number, "b.pdf", PDF)
    listed = await client.get(url(case.number))
    download = await client.get(url(case.number, created["id"]))

    if who == "owner":
        assert [uploaded.status_code, listed.status_code, download.status_code] == [201, 200, 200]
        return
    await error_of(uploaded, 404, "CASE_NOT_FOUND")
    await error_of(listed, 404, "CASE_NOT_FOUND")
    await error_of(download, 404, "CASE_NOT_FOUND")
    assert "a.pdf" not in str(await listed.get_json())
    assert await unchanged() == before


async def test_an_attachment_id_from_another_case_is_not_found(
    client, services, case, customer, other_customer
):
    await login_as(client, customer.username)
    theirs = await (await upload(client, case.number, "theirs.pdf", PDF)).get_json()
    mine = await open_case(services, other_customer)
    await login_as(client, other_customer.username)
    response = await client.get(url(mine.number, theirs["id"]))
    await error_of(response, 404, "ATTACHMENT_NOT_FOUND")
    await error_of(
        await client.get(url(mine.number, theirs["id"] + 1000)), 404, "ATTACHMENT_NOT_FOUND"
    )


async def test_an_unknown_case_is_not_found(signed_in):
    await error_of(await upload(signed_in, "99999999", "a.pdf", PDF), 404, "CASE_NOT_FOUND")
    await error_of(await signed_in.get(url("not-a-number")), 404, "CASE_NOT_FOUND")


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
async def test_staff_can_list_and_download(client, services, case, customer, role):
    await login_as(client, customer.username)
    created = await (await upload(client, case.number, "a.pdf", PDF)).get_json()
    staff = await make_user(services, role)
    await login_as(client, staff.username)
    assert await (await client.get(url(case.number))).get_json() == [created]
    download = await client.get(url(case.number, created["id"]))
    assert download.status_code == 200
    assert await download.get_data() == PDF


async def test_anonymous_callers_must_sign_in(client, case, unchanged):
    before = await unchanged()
    await error_of(await upload(client, case.number, "a.pdf", PDF), 401, "NOT_SIGNED_IN")
    await error_of(await client.get(url(case.number)), 401, "NOT_SIGNED_IN")
    await error_of(await client.get(url(case.number, 1)), 401, "NOT_SIGNED_IN")
    assert await unchanged() == before


async def test_an_upload_without_the_csrf_token_is_forbidden(signed_in, case, unchanged):
    before = await unchanged()
    response = await signed_in.post(
        url(case.number), query_string={"name": "a.pdf"}, data=PDF, headers={}
    )
    await error_of(response, 403, "CSRF_FAILED")
    wrong = await upload(signed_in, case.number, "a.pdf", PDF, **{"X-CSRF-Token": "forged"})
    await error_of(wrong, 403, "CSRF_FAILED")
    assert await unchanged() == before


async def test_the_openapi_description_lists_the_attachment_paths(client):
    paths = (await (await client.get("/openapi.json")).get_json())["paths"]
    assert set(paths["/api/v1/cases/{number}/attachments"]) == {"get", "post"}
    assert "get" in paths["/api/v1/cases/{number}/attachments/{attachment_id}"]
