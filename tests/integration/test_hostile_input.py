"""Hostile input anywhere is a 4xx in the one error shape, never a 500 (issue 13).

One app per store; every route and method of its URL map, signed in as each role, with
hostile values in its path, in each query parameter its query model declares (and the
names pages read by hand), in its JSON body and in its forms."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from quart_schema.validation import (
    QUART_SCHEMA_QUERYSTRING_ATTRIBUTE,
    QUART_SCHEMA_REQUEST_ATTRIBUTE,
)

from frontdesk.accounts.models import Role
from tests.conftest import make_settings
from tests.factories import make_user, open_case
from tests.helpers import csrf_token, login_as

pytestmark = pytest.mark.both_stores

MEGABYTE = 1024 * 1024
HUGE = 10**20

# Query-string and form values, already percent-encoded: the raw ones are bytes no
# browser would send (a lone surrogate, invalid UTF-8, a bad escape).
HOSTILE_TEXT = {
    "huge": str(HUGE),
    "huger": "9" * 5000,
    "huge negative": str(-HUGE),
    "float": "1e400",
    "nul": quote("a\x00b"),
    "lone surrogate": "%ED%A0%80",
    "invalid utf-8": "%FF%FE%zz%",
    "empty": "",
}
# A megabyte goes into every parameter of a request at once: it is slow to send.
LONG = "x" * MEGABYTE
# JSON values for each field of a request model.
HOSTILE_JSON: dict[str, Any] = {
    "negative": -1,
    "float": 1e308,
    "null": None,
    "number string": "1",
}
# JSON values the reader refuses whatever the field: into every field at once.
UNREADABLE_JSON: dict[str, Any] = {
    "huge": HUGE,
    "nul": "a\x00b",
    "lone surrogate": "\ud800",
    "list": [1],
    "long": "x" * MEGABYTE,
}
# Whole bodies, sent as application/json.
HOSTILE_BODIES: dict[str, bytes] = {
    "invalid utf-8": b'{"a": "\xff\xfe"}',
    "encoded surrogate": b'{"a": "\xed\xa0\x80"}',
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "deep objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "list": b"[]",
    "null": b"null",
    "string": b'"x"',
    "huge number": b"1" + b"0" * 5000,
    "nan": b"NaN",
}
# Names the pages read from the query string or a form by hand.
PAGE_NAMES = ("page", "q", "sort", "order", "view", "status", "area", "next", "queue")
FORM_NAMES = (
    *PAGE_NAMES,
    "body", "text", "title", "description", "reason", "role", "email", "username",
    "password", "first_name", "last_name", "yaml", "comment", "helpful", "assignee",
    "capacity", "token", "number", "path", "label",
)  # fmt: skip
SKIPPED = {("POST", "/sign-out"), ("DELETE", "/api/v1/session")}  # they end the session
ROLES = (Role.CUSTOMER, Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Any:
    # Thousands of refused requests from one address: throttling is not what this checks.
    return make_settings(
        database_url, tmp_path, throttle_per_address=10**6, throttle_per_account=10**6
    )


@dataclass
class Route:
    rule: Any
    method: str
    query_fields: list[str]
    body_fields: list[str] | None  # None: it takes no JSON body

    def path(self, number: str, hostile: dict[str, str] | None = None) -> str:
        """The rule's path with a harmless value (a real case number, an id nobody
        has) in each variable, or the hostile one given for it."""

        def value(match: re.Match[str]) -> str:
            converter, options, name = match.groups()
            if hostile and name in hostile:
                return hostile[name]
            if converter == "int":
                return "999999"
            if converter == "any":
                return options.split(",")[0].strip()
            return number if name == "number" else "x"

        return ARGUMENT.sub(value, self.rule.rule)

    def converters(self) -> dict[str, str]:
        return {
            name: converter or "string" for converter, _, name in ARGUMENT.findall(self.rule.rule)
        }

    @property
    def is_api(self) -> bool:
        return str(self.rule.rule).startswith("/api/")


def routes_of(web_app: Any) -> list[Route]:
    found = []
    for rule in web_app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = web_app.view_functions[rule.endpoint]
        query = getattr(view, QUART_SCHEMA_QUERYSTRING_ATTRIBUTE, None)
        body = getattr(view, QUART_SCHEMA_REQUEST_ATTRIBUTE, None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) in SKIPPED:
                continue
            found.append(
                Route(
                    rule,
                    method,
                    list(query.model_fields) if query else [],
                    list(body[0].model_fields) if body else None,
                )
            )
    return found


@dataclass
class Prober:
    client: Any
    role: str
    token: str
    failures: list[str] = field(default_factory=list)
    sent: int = 0

    async def send(self, route: Route, url: str, what: str, **kwargs: Any) -> int:
        headers = {"X-CSRF-Token": self.token, **kwargs.pop("headers", {})}
        response = await self.client.open(url, method=route.method, headers=headers, **kwargs)
        self.sent += 1
        status = response.status_code
        where = f"{self.role} {route.method} {route.rule.rule} [{what}]"
        if status >= 500:
            self.failures.append(f"{where}: {status}")
        elif route.is_api and 400 <= status < 500:
            body = await response.get_json(silent=True)
            error = body.get("error") if isinstance(body, dict) else None
            if not isinstance(error, dict) or set(error) != {"code", "message", "fields"}:
                self.failures.append(f"{where}: {status} not in the error shape")
        return status

    async def baseline(self, route: Route, number: str) -> int:
        kwargs: dict[str, Any] = {}
        if route.method != "GET":
            kwargs = {"json": {}} if route.is_api else {"form": {"csrf_token": self.token}}
        return await self.send(route, route.path(number), "baseline", **kwargs)

    def paths(self, route: Route, number: str) -> list[Awaitable[int]]:
        sends = []
        for name, converter in route.converters().items():
            values = {"huge": str(10**30), "zero": "0"} if converter == "int" else {
                "nul": "%00", "lone surrogate": "%ED%A0%80", "long": "x" * 65536,
            }  # fmt: skip
            for what, value in values.items():
                sends.append(self.send(route, route.path(number, {name: value}), f"{name}={what}"))
        return sends

    def queries(self, route: Route, number: str) -> list[Awaitable[int]]:
        path = route.path(number)
        sends = [
            self.send(route, f"{path}?{name}={value}", f"?{name}={what}")
            for name in route.query_fields
            for what, value in HOSTILE_TEXT.items()
        ]
        names = route.query_fields
        if not names and route.method == "GET" and not route.is_api:
            names = list(PAGE_NAMES)
            for what, value in HOSTILE_TEXT.items():
                if what in ("float", "huge negative", "empty"):
                    continue  # pages read their few numbers as digits or not at all
                query = "&".join(f"{name}={value}" for name in names)
                sends.append(self.send(route, f"{path}?{query}", f"?pages={what}"))
        if names:
            query = "&".join(f"{name}={LONG}" for name in names)
            sends.append(self.send(route, f"{path}?{query}", "?all=long"))
        return sends

    def bodies(self, route: Route, number: str) -> list[Awaitable[int]]:
        path = route.path(number)
        json_type = {"Content-Type": "application/json"}
        sends = [
            self.send(route, path, f"body {what}", data=body, headers=json_type)
            for what, body in HOSTILE_BODIES.items()
        ]
        fields = route.body_fields or []
        sends += [
            self.send(route, path, f"{name}={what}", json={name: value})
            for name in fields
            for what, value in HOSTILE_JSON.items()
        ]
        if fields:
            sends += [
                self.send(route, path, f"all={what}", json=dict.fromkeys(fields, value))
                for what, value in UNREADABLE_JSON.items()
            ]
        return sends

    def forms(self, route: Route, number: str) -> list[Awaitable[int]]:
        path = route.path(number)
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        sends = []
        for what, value in {**HOSTILE_TEXT, "long": LONG}.items():
            data = "&".join(f"{name}={value}" for name in FORM_NAMES)
            body = f"csrf_token={self.token}&{data}".encode()
            sends.append(self.send(route, path, f"form {what}", data=body, headers=form_type))
        for what, value in {"invalid utf-8": b"\xff\xfe", "nul": b"a\x00b"}.items():
            body = multipart(self.token, value)
            headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
            sends.append(self.send(route, path, f"multipart {what}", data=body, headers=headers))
        return sends


BOUNDARY = "hostileboundary"


def multipart(token: str, value: bytes) -> bytes:
    """A multipart form with `value` in every field and in a file, whose name has a NUL."""

    def part(name: str, content: bytes, extra: str = "") -> bytes:
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'
        return head.encode() + content + b"\r\n"

    parts = [part("csrf_token", token.encode())]
    parts += [part(name, value) for name in FORM_NAMES]
    parts.append(part("files", value, '; filename="a\x00b.txt"'))
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


async def bounded(sends: list[Awaitable[int]], at_once: int = 8) -> None:
    """Run the sends a few at a time: the store's waits overlap, the app stays sane."""
    for start in range(0, len(sends), at_once):
        await asyncio.gather(*sends[start : start + at_once])


async def test_hostile_input_is_never_a_server_error(web_app, services):
    started = time.perf_counter()
    customer = await make_user(services, Role.CUSTOMER)
    case = await open_case(services, customer)
    probers: dict[Role, Prober] = {}
    for role in ROLES:
        user = customer if role is Role.CUSTOMER else await make_user(services, role)
        client = web_app.test_client()
        await login_as(client, user.username)
        probers[role] = Prober(client, role.value, await csrf_token(client))

    routes = routes_of(web_app)
    assert len(routes) >= 100  # the walk found the app at all
    for route in routes:
        allowed = []
        for prober in probers.values():
            if await prober.baseline(route, case.number) not in (401, 403):
                allowed.append(prober)
        # The hostile values go in with one role the route lets in (the most senior).
        prober = allowed[-1] if allowed else probers[Role.CUSTOMER]
        sends = prober.paths(route, case.number) + prober.queries(route, case.number)
        if route.method != "GET":
            sends += (prober.bodies if route.is_api else prober.forms)(route, case.number)
        await bounded(sends)

    failures = [failure for prober in probers.values() for failure in prober.failures]
    sent = sum(prober.sent for prober in probers.values())
    print(f"{sent} hostile requests in {time.perf_counter() - started:.1f} s")
    assert failures == []
    # Nothing hostile changed who may sign in: every role still can.
    for role, prober in probers.items():
        assert (await prober.client.get("/api/v1/me")).status_code == 200, role
