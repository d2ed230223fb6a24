"""A socket lives no longer than the session it was opened with: signing out, a reset
password, a disabled account or a changed role disconnects every socket of the sessions
that ended, on every node, and a socket whose session ended can do nothing more."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import socketio

from frontdesk.accounts.models import Role
from frontdesk.accounts.service import session_key
from frontdesk.chat.sessions import SocketSessions
from frontdesk.db.engine import transaction
from tests.factories import PASSWORD, make_user
from tests.integration.chat_clients import ChatClient, Clients, person
from tests.integration.test_sockets import session_cookie
from tests.live import LiveServer


@pytest.fixture
def server(servers) -> LiveServer:
    return servers.start(session_check_seconds=0.05)


async def refused(server: LiveServer, namespace: str, cookie: str) -> bool:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await ChatClient.connect(server.url, namespace, cookie)
    return True


async def test_signing_out_disconnects_that_sessions_sockets_only(server):
    ann = await person(server)
    cookie = await session_cookie(server.url, ann.username)
    on_this_session = await ChatClient.connect(server.url, "/customer", cookie)
    other_session = await ChatClient.connect(
        server.url, "/customer", await session_cookie(server.url, ann.username)
    )
    async with httpx.AsyncClient(base_url=server.url, headers={"Cookie": cookie}) as http:
        csrf = (await http.get("/api/v1/session")).json()["csrf_token"]
        signed_out = await http.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert signed_out.status_code == 204

    await on_this_session.dropped()
    assert await refused(server, "/customer", cookie)
    assert (await other_session.ok("whoami"))["user_id"] == ann.id  # still signed in
    await other_session.close()


@pytest.mark.parametrize("ending", ["disabled", "role changed", "password reset"])
async def test_an_account_change_ends_every_socket_of_the_person(server, ending):
    ada = await person(server, Role.ADMIN)
    ben = await person(server, Role.AGENT)
    sue = await person(server, Role.SUPERVISOR)
    services = server.services

    async def end_sessions() -> None:
        if ending == "disabled":
            await services.people.set_active(ada, ben.id, False)
        elif ending == "role changed":
            await services.people.set_role(ada, ben.id, Role.CUSTOMER)
        else:
            async with transaction(services.engine) as conn:
                link = await services.accounts.password_link(conn, ben)
            token = link.split("token=", 1)[1]
            await services.accounts.reset_password(token, "Another4Pass")

    async with Clients() as clients:
        console = await clients.open(server, "/agent", ben)
        second_tab = await clients.open(server, "/agent", ben)
        supervisor = await clients.open(server, "/supervisor", sue)
        await server.acall(end_sessions)

        await console.dropped()
        await second_tab.dropped()
        assert (await supervisor.ok("whoami"))["user_id"] == sue.id  # nobody else's


async def test_a_session_ended_on_one_node_ends_its_sockets_on_another(servers, redis_url):
    one = servers.start(redis_url, node_id="sessions-one", session_check_seconds=0.05)
    two = servers.start(redis_url, node_id="sessions-two", auto_migrate=False)
    ada = await person(one, Role.ADMIN)
    ben = await person(one, Role.AGENT)
    async with Clients() as clients:
        on_two = await clients.open(two, "/agent", ben)
        async with httpx.AsyncClient(base_url=one.url) as http:
            csrf = (await http.get("/api/v1/session")).json()["csrf_token"]
            signed_in = await http.post(
                "/api/v1/session", json={"username": ada.username, "password": PASSWORD},
                headers={"X-CSRF-Token": csrf},
            )  # fmt: skip
            csrf = signed_in.json()["csrf_token"]
            disabled = await http.put(
                f"/api/v1/people/{ben.id}/active", json={"active": False},
                headers={"X-CSRF-Token": csrf},
            )  # fmt: skip
        assert disabled.status_code == 200, disabled.text

        await on_two.dropped()


async def test_a_socket_whose_disconnect_is_lost_can_do_nothing_more(services):
    """The node marks the socket ended before it disconnects it: should the disconnect
    fail, every event the socket still sends is refused (namespaces.py asks is_ended)."""
    ann = await make_user(services, Role.CUSTOMER)
    grant = await services.accounts.sign_in(ann.username, PASSWORD, address="127.0.0.1")
    kept = await services.accounts.sign_in(ann.username, PASSWORD, address="127.0.0.1")
    tried: list[str] = []

    async def lost(sid: str, namespace: str) -> None:
        tried.append(sid)
        raise ConnectionError("the disconnect never went out")

    sockets = SocketSessions(services.accounts.live_sessions, lost)
    sockets.opened("a", "/customer", session_key(grant.token))
    sockets.opened("b", "/agent", session_key(grant.token))
    sockets.opened("c", "/customer", session_key(kept.token))
    assert await sockets.check() == 0

    await services.accounts.sign_out(grant.token)
    assert await sockets.check() == 2

    assert sorted(tried) == ["a", "b"]
    assert sockets.is_ended("a") and sockets.is_ended("b") and not sockets.is_ended("c")
    assert await sockets.check() == 0  # tried once; still refused
    sockets.closed("a", "/customer")
    assert not sockets.is_ended("a")


async def test_expired_sessions_end_their_sockets(services, clock):
    ann = await make_user(services, Role.CUSTOMER)
    grant = await services.accounts.sign_in(ann.username, PASSWORD, address="127.0.0.1")
    ended: list[str] = []

    async def disconnect(sid: str, namespace: str) -> None:
        ended.append(sid)

    sockets = SocketSessions(services.accounts.live_sessions, disconnect)
    sockets.opened("a", "/customer", session_key(grant.token))
    clock.advance(days=services.settings.session_days, seconds=-1)
    assert await sockets.check() == 0
    clock.advance(seconds=1)
    assert await sockets.check() == 1
    assert ended == ["a"]


async def test_many_sessions_are_checked_in_batches(services):
    """More sessions than one query may name (SESSION_BATCH) are all checked."""
    ann = await make_user(services, Role.CUSTOMER)
    grants = await asyncio.gather(
        *(services.accounts.sign_in(ann.username, PASSWORD, address="127.0.0.1") for _ in range(3))
    )
    keys = [session_key(g.token) for g in grants] + [f"gone-{n}" for n in range(1_200)]
    assert await services.accounts.live_sessions(keys) == set(keys[:3])
