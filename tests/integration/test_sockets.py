"""Socket.IO namespaces admit only signed-in users of the right role, over a real socket."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
import socketio

from frontdesk.accounts.models import Role
from frontdesk.app import create_app
from tests.factories import PASSWORD, make_user
from tests.live import LiveServer

NAMESPACES = ["/customer", "/agent", "/supervisor"]
ADMITTED = {
    "/customer": {Role.CUSTOMER},
    "/agent": {Role.AGENT, Role.SUPERVISOR},
    "/supervisor": {Role.SUPERVISOR, Role.ADMIN},
}


async def session_cookie(base_url: str, username: str) -> str:
    """Sign in over HTTP as a browser would; the Cookie header to reuse."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        csrf = (await http.get("/api/v1/session")).json()["csrf_token"]
        response = await http.post(
            "/api/v1/session",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 200, response.text
        return f"frontdesk_session={http.cookies['frontdesk_session']}"


async def connect(base_url: str, namespace: str, cookie: str | None) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    headers = {"Cookie": cookie} if cookie else {}
    async with asyncio.timeout(10):
        await client.connect(
            base_url,
            namespaces=[namespace],
            transports=["websocket"],
            headers=headers,
            wait_timeout=10,  # python-socketio's default 1 s is short for a loaded machine
        )
    return client


@pytest.mark.parametrize("namespace", NAMESPACES)
async def test_connection_without_session_is_refused(live_server, namespace):
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect(live_server.url, namespace, cookie=None)


async def test_forged_cookie_is_refused(live_server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect(live_server.url, "/customer", cookie="frontdesk_session=forged.value.sig")


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_reaches_exactly_its_namespaces(live_server, role):
    user = await live_server.acall(lambda: make_user(live_server.services, role=role))
    cookie = await session_cookie(live_server.url, user.username)
    for namespace in NAMESPACES:
        if role not in ADMITTED[namespace]:
            with pytest.raises(socketio.exceptions.ConnectionError):
                await connect(live_server.url, namespace, cookie)
            continue
        client = await connect(live_server.url, namespace, cookie)
        try:
            async with asyncio.timeout(5):
                ack = await client.call("whoami", {}, namespace=namespace)
            assert ack == {"ok": True, "data": {"user_id": user.id, "role": role.value}}
        finally:
            await client.disconnect()


async def test_signed_out_session_can_no_longer_connect(live_server):
    user = await live_server.acall(lambda: make_user(live_server.services))
    cookie = await session_cookie(live_server.url, user.username)
    client = await connect(live_server.url, "/customer", cookie)
    await client.disconnect()
    async with httpx.AsyncClient(base_url=live_server.url, headers={"Cookie": cookie}) as http:
        csrf = (await http.get("/api/v1/session")).json()["csrf_token"]
        assert (
            await http.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
        ).status_code == 204
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect(live_server.url, "/customer", cookie)


@pytest.mark.redis
async def test_two_nodes_share_socket_fanout_through_redis(settings, clock, redis_url):
    """An event emitted on one node reaches a client connected to the other."""
    shared = settings.model_copy(
        update={"redis_url": redis_url, "redis_prefix": f"test:{uuid.uuid4().hex}:"}
    )
    node_a = LiveServer(create_app(shared, clock))
    node_b = LiveServer(create_app(shared, clock))
    node_a.start()
    node_b.start()
    try:
        user = await node_a.acall(lambda: make_user(node_a.services))
        cookie = await session_cookie(node_a.url, user.username)
        client = await connect(node_a.url, "/customer", cookie)
        received = asyncio.get_running_loop().create_future()
        client.on("hello", received.set_result, namespace="/customer")
        sio_b = node_b.app.other_asgi_app.extensions["sio"]
        await node_b.acall(
            lambda: sio_b.emit(
                "hello", {"from": "b"}, room=f"user:{user.id}", namespace="/customer"
            )
        )
        async with asyncio.timeout(5):
            assert await received == {"from": "b"}
        await client.disconnect()
    finally:
        node_a.stop()
        node_b.stop()


@pytest.mark.parametrize("event", ["no_such_event", "accept_chat", "watch"])
async def test_an_event_the_namespace_does_not_know_is_answered_in_the_error_shape(
    live_server, event
):
    """A customer may not call agent or supervisor events, nor ones that exist nowhere."""
    user = await live_server.acall(lambda: make_user(live_server.services))
    client = await connect(
        live_server.url, "/customer", await session_cookie(live_server.url, user.username)
    )
    try:
        async with asyncio.timeout(5):
            ack = await client.call(event, {"chat_id": "ab"}, namespace="/customer")
        assert ack["ok"] is False
        assert ack["error"]["code"] == "UNKNOWN_EVENT"
        assert event in ack["error"]["message"]
        async with asyncio.timeout(5):  # and the connection still answers
            assert (await client.call("whoami", {}, namespace="/customer"))["ok"] is True
    finally:
        await client.disconnect()
