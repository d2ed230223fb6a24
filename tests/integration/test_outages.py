"""A part the node needs is down (outages.py): the caller hears 503 UNAVAILABLE, "try
again", never 500 INTERNAL; and asking again once it is back works, with nothing made
twice. A Redis of the test's own is killed under a live node."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
import socketio

from frontdesk.accounts.models import Role
from tests.integration.chat_clients import Clients, chat_case, error_of, person
from tests.integration.test_sockets import connect, session_cookie

pytestmark = pytest.mark.redis


async def test_with_redis_down_a_chat_request_is_refused_as_unavailable(own_redis, own_servers):
    node = own_servers.start(own_redis.url)
    customer = await person(node)
    case = await chat_case(node, customer)
    async with Clients() as clients:
        ann = await clients.open(node, "/customer", customer)
        own_redis.kill()
        refused = await error_of(ann, "request_chat", {"case_number": case.number})
        assert refused["code"] == "UNAVAILABLE"
        assert "try again" in refused["message"]

        own_redis.start()  # back, empty
        first = await ann.ok("request_chat", {"case_number": case.number})
        again = await ann.ok("request_chat", {"case_number": case.number})
    assert first["chat"]["status"] == "requested"
    assert again["chat"]["public_id"] == first["chat"]["public_id"]  # one chat for the case


async def test_with_redis_down_a_page_answers_503_with_a_way_to_try_again(own_redis, own_servers):
    node = own_servers.start(own_redis.url)
    agent = await person(node, Role.AGENT)
    cookie = await session_cookie(node.url, agent.username)
    async with httpx.AsyncClient(base_url=node.url, headers={"Cookie": cookie}) as http:
        assert (await http.get("/agent")).status_code == 200
        own_redis.kill()
        page = await http.get("/agent")
        api = await http.get("/agent", headers={"Accept": "application/json"})
    assert page.status_code == 503
    assert "Try again" in page.text
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "UNAVAILABLE"


async def refusal(url: str, namespace: str, cookie: str) -> Any:
    """What the server said as it refused a socket of `namespace`: {message, data}."""
    client = socketio.AsyncClient(reconnection=False)
    said: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    client.on("connect_error", lambda data: said.done() or said.set_result(data), namespace)
    with pytest.raises(socketio.exceptions.ConnectionError):
        headers = {"Cookie": cookie}
        await client.connect(url, namespaces=[namespace], transports=["websocket"],
                             headers=headers, wait_timeout=10)  # fmt: skip
    return await asyncio.wait_for(said, 5)


async def connections(url: str, namespace: str) -> float:
    async with httpx.AsyncClient(base_url=url) as http:
        scraped = (await http.get("/metrics")).text
    found = re.search(rf'frontdesk_socket_connections{{namespace="{namespace}"}} (\S+)', scraped)
    assert found, scraped[:500]
    return float(found.group(1))


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT])
async def test_with_redis_down_a_socket_is_refused_as_unavailable_and_undone(
    own_redis, own_servers, role
):
    """Its arrival could not be recorded: the socket is refused UNAVAILABLE (the page
    connects again by itself), and nothing it had opened stays counted."""
    node = own_servers.start(own_redis.url)
    namespace = "/customer" if role is Role.CUSTOMER else "/agent"
    someone = await person(node, role)
    cookie = await session_cookie(node.url, someone.username)
    own_redis.kill()
    said = await refusal(node.url, namespace, cookie)
    assert said["data"]["code"] == "UNAVAILABLE", said  # a page's connect_error.data
    assert "try again" in said["data"]["message"]
    assert await connections(node.url, namespace) == 0

    own_redis.start()
    client = await connect(node.url, namespace, cookie)
    try:
        assert (await client.call("whoami", {}, namespace=namespace))["ok"]
        assert await connections(node.url, namespace) == 1
    finally:
        await client.disconnect()
