"""Security headers on every response: pages, the API, errors, static files, downloads;
HSTS only when the portal is served over https. (Browser tests fail on any CSP violation:
tests/browser/conftest.py.)"""

from __future__ import annotations

import pytest

from frontdesk.web.headers import CONTENT_SECURITY_POLICY
from tests.factories import open_case
from tests.helpers import api, login_as
from tests.integration.test_attachments import upload, url

POLICY_PARTS = {
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
    "frame-ancestors 'none'", "form-action 'self'",
}  # fmt: skip


def assert_secured(response, policy: str = CONTENT_SECURITY_POLICY) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "microphone=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # http here


def test_the_policy_allows_our_own_origin_only_and_nothing_inline():
    assert set(CONTENT_SECURITY_POLICY.split("; ")) >= POLICY_PARTS
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "path",
    ["/", "/sign-in", "/articles", "/api/v1/session", "/openapi.json", "/no-such-page",
     "/api/v1/no-such-thing", "/static/css/site.css", "/static/js/human_check.js",
     "/healthz", "/agent"],
)  # fmt: skip
async def test_every_kind_of_response_carries_the_headers(client, path):
    response = await client.get(path)
    assert response.status_code < 500
    assert_secured(response)


async def test_errors_and_refusals_carry_them_too(client):
    refused = await client.post("/api/v1/session", json={"username": "x", "password": "y"})
    assert refused.status_code == 403  # no CSRF token
    assert_secured(refused)
    bad = await api(client, "POST", "/api/v1/session", {"username": ""})
    assert bad.status_code == 422
    assert_secured(bad)


async def test_a_download_keeps_its_tighter_policy(client, services, customer):
    await login_as(client, customer.username)
    case = await open_case(services, customer)
    sent = await upload(client, case.number, "note.txt", b"hello")
    assert sent.status_code == 201, await sent.get_data(as_text=True)
    download = await client.get(url(case.number, (await sent.get_json())["id"]))
    assert download.status_code == 200
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


async def test_https_portals_ask_for_https_only(start_app):
    app = await start_app(public_url="https://support.example.org")
    response = await app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
