"""DirectEmit: a room's event reaches each of its sockets once, over real sockets, the
sockets skipped excepted; a socket closing while still in the room, or one whose send
fails, keeps it from nobody else; an emit asking for an acknowledgement still gets one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio

from frontdesk.local_emit import DirectEmit
from tests.live import LiveServer, running

TIMEOUT = 10.0
NS = "/"


class Room:
    """A bare Socket.IO server on DirectEmit, whose clients join room "r" on "join"."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncServer(async_mode="asgi", client_manager=DirectEmit())
        self.sio.on("join", self._join)

    async def _join(self, sid: str, _data: Any = None) -> str:
        await self.sio.enter_room(sid, "r")
        return sid


class Client:
    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.got: list[Any] = []
        self.arrived = asyncio.Event()
        self.sid = ""

        @self.sio.on("news")
        async def news(*args: Any) -> str:
            self.got.append(args)
            self.arrived.set()
            return "thanks"

    async def join(self, url: str) -> None:
        await self.sio.connect(url, transports=["websocket"])
        self.sid = await self.sio.call("join", timeout=TIMEOUT)


@pytest.fixture
async def room() -> AsyncIterator[tuple[Room, LiveServer, list[Client]]]:
    served = Room()
    server = LiveServer(socketio.ASGIApp(served.sio))
    clients = [Client() for _ in range(3)]
    with running(server):
        for client in clients:
            await client.join(server.url)
        try:
            yield served, server, clients
        finally:
            for client in clients:
                await client.sio.disconnect()


async def arrived(client: Client) -> None:
    async with asyncio.timeout(TIMEOUT):
        await client.arrived.wait()


async def test_a_room_event_reaches_each_socket_once_but_the_skipped(room: Any) -> None:
    served, server, (a, b, c) = room
    await server.acall(lambda: served.sio.emit("news", ("one", 2), to="r", skip_sid=c.sid))
    await arrived(a)
    await arrived(b)
    # An event sent after reaches c through the same socket: had the first gone to c,
    # it would have arrived before this one.
    await server.acall(lambda: served.sio.emit("news", "only c", to=c.sid))
    await arrived(c)
    assert a.got == [("one", 2)]
    assert b.got == [("one", 2)]
    assert c.got == [("only c",)]


async def test_a_socket_closing_in_the_room_keeps_the_event_from_nobody_else(room: Any) -> None:
    served, server, (a, b, c) = room

    async def emit_with_a_closing() -> None:
        # Engine.IO marks a socket closed before python-socketio takes it out of its
        # rooms; an emit in between finds it listed (Engine.IO then skips it: an emit
        # that looked the socket up itself would fail here).
        closing = served.sio.eio.sockets[served.sio.manager.eio_sid_from_sid(a.sid, NS)]
        closing.closed = True
        await served.sio.emit("news", "still sent", to="r")

    await server.acall(emit_with_a_closing)
    await arrived(b)
    await arrived(c)
    assert b.got == c.got == [("still sent",)]
    assert a.got == []


async def test_a_socket_whose_send_fails_keeps_the_event_from_nobody_else(
    room: Any, caplog: pytest.LogCaptureFixture
) -> None:
    served, server, (a, b, c) = room

    async def fail(_packet: Any) -> None:
        raise RuntimeError("the socket's writer is broken")

    async def emit_with_a_failing_send() -> None:
        # The first socket of the room fails in a way Engine.IO does not catch.
        broken = served.sio.eio.sockets[served.sio.manager.eio_sid_from_sid(a.sid, NS)]
        broken.send = fail
        await served.sio.emit("news", "still sent", to="r")

    with caplog.at_level(logging.ERROR, logger="frontdesk.local_emit"):
        await server.acall(emit_with_a_failing_send)
    await arrived(b)
    await arrived(c)
    assert b.got == c.got == [("still sent",)]
    assert a.got == []
    assert "could not send news to a socket" in caplog.text


async def test_an_emit_asking_for_an_acknowledgement_gets_it(room: Any) -> None:
    served, server, (a, _b, _c) = room
    answered: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    test_loop = asyncio.get_running_loop()

    def callback(*args: Any) -> None:
        test_loop.call_soon_threadsafe(answered.set_result, args)

    await server.acall(lambda: served.sio.emit("news", "ack me", to=a.sid, callback=callback))
    async with asyncio.timeout(TIMEOUT):
        assert await answered == ("thanks",)
    assert a.got == [("ack me",)]
