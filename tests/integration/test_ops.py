"""Operational endpoints, error shapes, the API description, and the sign-in policy."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from frontdesk.events import RecordingNotifier
from frontdesk.services import Services
from frontdesk.web.api import PUBLIC_ENDPOINTS
from tests.conftest import make_settings
from tests.helpers import csrf_token

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


async def test_healthz_answers_ok(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert await response.get_json() == {"status": "ok"}


async def test_readyz_reports_the_store(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert await response.get_json() == {"status": "ok", "parts": {"store": "ok"}}


async def test_readyz_reports_redis_when_configured(start_app, redis_url):
    app = await start_app(redis_url=redis_url)
    response = await app.test_client().get("/readyz")
    assert response.status_code == 200
    parts = {"store": "ok", "redis": "ok", "fanout": "ok"}
    assert (await response.get_json())["parts"] == parts


class RedisGate:
    """A loopback TCP forwarder to the real Redis that can be shut, as when Redis goes
    away under a running node."""

    def __init__(self, target: str) -> None:
        url = urlsplit(target)
        self._host, self._port = url.hostname or "127.0.0.1", url.port or 6379
        self._path = url.path
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: list[asyncio.Task[Any]] = []

    async def open(self) -> str:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"redis://127.0.0.1:{port}{self._path}"

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.append(task)
        up_reader, up_writer = await asyncio.open_connection(self._host, self._port)
        self._writers += [writer, up_writer]
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def shut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        for task in self._tasks:
            task.cancel()
        async with asyncio.timeout(5):
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()


async def test_readyz_answers_503_naming_redis_when_it_goes_away(start_app, redis_url):
    gate = RedisGate(redis_url)
    app = await start_app(redis_url=await gate.open())
    client = app.test_client()
    assert (await client.get("/readyz")).status_code == 200

    await gate.shut()
    response = await client.get("/readyz")

    assert response.status_code == 503
    body = await response.get_json()
    assert body["status"] == "unavailable"
    assert body["parts"]["store"] == "ok"
    assert body["parts"]["redis"].startswith("unavailable (")


@pytest.fixture
async def services_with_closed_redis(sqlite_url, tmp_path) -> Any:
    services = Services.build(
        make_settings(sqlite_url, tmp_path, redis_url=CLOSED_PORT_REDIS),
        notifier=RecordingNotifier(),
    )
    try:
        yield services
    finally:
        await services.aclose()


async def test_check_ready_names_an_unreachable_redis(services_with_closed_redis):
    parts = await services_with_closed_redis.check_ready()
    assert parts["store"] == "ok"
    assert re.fullmatch(r"unavailable \(\w+\)", parts["redis"])


async def test_a_node_refuses_to_start_without_its_redis(services_with_closed_redis):
    with pytest.raises(RuntimeError, match=r"cannot start: .*redis"):
        await services_with_closed_redis.start()


# Metrics ---------------------------------------------------------------------------------


def sample(metrics_text: str, name: str, **labels: str) -> float | None:
    for line in metrics_text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


async def test_metrics_count_requests_by_route_and_status(client):
    await client.get("/healthz")
    await client.get("/healthz")
    await client.get("/api/v1/me")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = await response.get_data(as_text=True)
    assert "# TYPE frontdesk_http_requests_total counter" in text
    total = "frontdesk_http_requests_total"
    assert sample(text, total, method="GET", route="/healthz", status="200") == 2.0
    assert sample(text, total, method="GET", route="/api/v1/me", status="401") == 1.0
    assert sample(text, "frontdesk_http_request_duration_seconds_count", route="/healthz") == 2.0


async def test_unmatched_routes_share_one_metric_label(client):
    await client.get("/no/such/page/1")
    await client.get("/no/such/page/2")
    text = await (await client.get("/metrics")).get_data(as_text=True)
    assert sample(text, "frontdesk_http_requests_total", route="unmatched", status="404") == 2.0
    assert "/no/such/page" not in text


# The API description and error shapes ----------------------------------------------------


async def test_openapi_lists_the_account_paths(client):
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    spec = await response.get_json()
    paths = spec["paths"]
    assert set(paths["/api/v1/session"]) == {"get", "post", "delete"}
    for path in (
        "/api/v1/me",
        "/api/v1/accounts",
        "/api/v1/accounts/verify",
        "/api/v1/accounts/username-reminder",
        "/api/v1/accounts/password-reset",
        "/api/v1/accounts/password",
        "/api/v1/countries",
    ):
        assert path in paths
    assert "RegistrationIn" in str(paths["/api/v1/accounts"]["post"])
    assert not {"/healthz", "/readyz", "/metrics"} & set(paths)


async def test_an_unknown_api_path_is_a_json_404(client):
    response = await client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = await response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "NOT_FOUND"


async def test_a_wrong_method_on_the_api_is_a_json_405(client):
    response = await client.put("/api/v1/me", headers={"X-CSRF-Token": await csrf_token(client)})
    assert response.status_code == 405
    assert (await response.get_json())["error"]["code"] == "METHOD_NOT_ALLOWED"


async def test_malformed_json_is_a_json_error_without_a_trace(client):
    response = await client.post(
        "/api/v1/accounts",
        data="{not json",
        headers={"X-CSRF-Token": await csrf_token(client), "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    body = await response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert "Traceback" not in str(body)


async def test_an_unknown_page_is_an_html_404(client):
    response = await client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in await response.get_data(as_text=True)


# Every /api route needs a session unless it is on the public list ------------------------

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def api_routes(web_app: Any) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) of every /api route, with 1 for each path variable."""
    urls = web_app.url_map.bind("localhost")
    return sorted(
        (
            rule.endpoint,
            method,
            urls.build(rule.endpoint, dict.fromkeys(rule.arguments, 1), method=method),
        )
        for rule in web_app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - IGNORED_METHODS
    )


def test_the_public_list_names_only_real_endpoints(web_app):
    endpoints = {rule.endpoint for rule in web_app.url_map.iter_rules()}
    assert endpoints >= PUBLIC_ENDPOINTS


async def test_every_api_route_needs_sign_in_unless_public(web_app):
    """Anonymous calls (with a CSRF token, so that check does not answer first) to any
    /api route off the public list answer 401 NOT_SIGNED_IN, before even reading input."""
    routes = api_routes(web_app)
    assert len(routes) >= 10  # the walk found the API at all
    client = web_app.test_client()
    headers = {"X-CSRF-Token": await csrf_token(client)}
    answers = {}
    for endpoint, method, path in routes:
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        json = None if method == "GET" else {}
        response = await client.open(path, method=method, json=json, headers=headers)
        body = await response.get_json()
        answers[f"{method} {path} ({endpoint})"] = (
            response.status_code,
            (body or {}).get("error", {}).get("code"),
        )
    assert answers  # /api/v1/me at least
    assert {
        route: answer for route, answer in answers.items() if answer != (401, "NOT_SIGNED_IN")
    } == {}


async def test_public_api_routes_answer_without_sign_in(web_app):
    client = web_app.test_client()
    for path in ("/api/v1/session", "/api/v1/countries", "/openapi.json"):
        assert (await client.get(path)).status_code == 200, path
    countries = await (await client.get("/api/v1/countries")).get_json()
    assert {"code": "GB", "name": "United Kingdom"} in countries
    assert countries == sorted(countries, key=lambda c: c["name"])
