"""Breached passwords: always refused from the shipped list of the most common ones; with
FRONTDESK_PWNED_PASSWORDS_URL set, also when the range API (here a local fake on a real
socket) lists the password, asked by k-anonymity. The fake's outage lets people in."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from frontdesk.accounts.breached import BREACHED_MESSAGE, COMMON_MESSAGE
from tests.factories import last_link_token, make_user, registration
from tests.helpers import api

BREACHED = "Lantern7Orchard"  # in no common list, but "breached" at the fake
SAFE = "Quiet4Harbour"


def sha1(password: str) -> str:
    return hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()


class FakeRangeApi:
    """A Pwned Passwords range API on 127.0.0.1: answers each 5-character prefix with the
    suffixes of `breached` (and padding lines of count 0), keeps what it was asked."""

    def __init__(self, breached: list[str]) -> None:
        self.asked: list[tuple[str, str | None]] = []
        suffixes = {sha1(p)[:5]: f"{sha1(p)[5:]}:42" for p in breached}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                prefix = self.path.rsplit("/", 1)[-1]
                fake.asked.append((prefix, self.headers.get("Add-Padding")))
                lines = [f"{'0' * 35}:0", suffixes.get(prefix, f"{'F' * 35}:3")]
                body = "\r\n".join(lines).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/range/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeRangeApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def range_api() -> Iterator[FakeRangeApi]:
    with FakeRangeApi([BREACHED]) as fake:
        yield fake


async def register(app: Any, password: str) -> Any:
    return await api(app.test_client(), "POST", "/api/v1/accounts", registration(password=password))


@pytest.mark.parametrize("password", ["Password1", "Welcome123", "Qwerty123", "Passw0rd"])
async def test_common_passwords_are_refused_with_the_reason(client, password, store_counts):
    before = await store_counts()
    response = await api(client, "POST", "/api/v1/accounts", registration(password=password))
    body = await response.get_json()
    assert response.status_code == 422, body
    assert body["error"]["fields"] == {"password": COMMON_MESSAGE}
    assert await store_counts() == before


async def test_the_range_api_is_asked_by_prefix_only_and_its_verdict_kept(start_app, range_api):
    app = await start_app(pwned_passwords_url=range_api.url)

    refused = await register(app, BREACHED)
    body = await refused.get_json()
    assert refused.status_code == 422, body
    assert body["error"]["fields"] == {"password": BREACHED_MESSAGE}

    accepted = await register(app, SAFE)
    assert accepted.status_code == 201, await accepted.get_data(as_text=True)
    # Only five characters of each SHA-1 left the portal, with padding asked for.
    assert range_api.asked == [(sha1(BREACHED)[:5], "true"), (sha1(SAFE)[:5], "true")]


async def test_a_reset_to_a_breached_password_is_refused(start_app, range_api):
    app = await start_app(pwned_passwords_url=range_api.url)
    services = app.extensions["frontdesk"]
    ann = await make_user(services)
    client = app.test_client()
    path = "/api/v1/accounts/password-reset"
    asked = await api(client, "POST", path, {"username": ann.username})
    assert asked.status_code == 202
    token = await last_link_token(services, ann.email)

    refused = await api(
        client, "POST", "/api/v1/accounts/password", {"token": token, "password": BREACHED}
    )
    assert refused.status_code == 422
    assert (await refused.get_json())["error"]["fields"] == {"password": BREACHED_MESSAGE}
    accepted = await api(
        client, "POST", "/api/v1/accounts/password", {"token": token, "password": SAFE}
    )
    assert accepted.status_code == 200, await accepted.get_data(as_text=True)


async def test_a_range_api_that_does_not_answer_lets_people_register(start_app):
    with FakeRangeApi([BREACHED]) as gone:
        url = gone.url
    app = await start_app(pwned_passwords_url=url, pwned_passwords_timeout_seconds=1)
    response = await register(app, BREACHED)
    assert response.status_code == 201, await response.get_data(as_text=True)


async def test_unset_the_range_api_is_never_asked(client, range_api):
    response = await api(client, "POST", "/api/v1/accounts", registration(password=BREACHED))
    assert response.status_code == 201
    assert range_api.asked == []
