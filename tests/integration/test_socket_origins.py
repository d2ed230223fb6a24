"""Over a real socket: a page's origin decides whether its socket opens."""

from __future__ import annotations

import asyncio

import pytest
import socketio

from frontdesk.accounts.models import Role
from tests.integration.chat_clients import person
from tests.integration.test_sockets import session_cookie


async def connect_from(server, origin: str, cookie: str) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    try:
        async with asyncio.timeout(10):
            await client.connect(
                server.url, namespaces=["/agent"], transports=["websocket"],
                headers={"Cookie": cookie, "Origin": origin}, wait_timeout=10,
            )  # fmt: skip
    except socketio.exceptions.ConnectionError:
        # Refused at engine.io's handshake, the client leaves its HTTP session open.
        if client.eio.http is not None:
            await client.eio.http.close()
        raise
    return client


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]"])
async def test_a_page_at_any_loopback_name_of_the_port_connects(live_server, name):
    agent = await person(live_server, Role.AGENT)
    cookie = await session_cookie(live_server.url, agent.username)
    client = await connect_from(live_server, f"http://{name}:{live_server.port}", cookie)
    try:
        assert client.connected
    finally:
        await client.disconnect()


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:1"])
async def test_a_page_of_another_origin_is_refused_even_signed_in(live_server, origin, caplog):
    agent = await person(live_server, Role.AGENT)
    cookie = await session_cookie(live_server.url, agent.username)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect_from(live_server, origin, cookie)
    assert f"socket refused for origin {origin}" in caplog.text
