"""Socket.IO clients for chat tests: a signed-in person on a namespace, whose pushed
events are queued per name, so a test awaits exactly the event it expects."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import socketio
from redis.asyncio import Redis

from frontdesk.accounts.models import Role, User
from frontdesk.app import create_app
from frontdesk.cases.models import Case, Channel
from tests.conftest import make_settings
from tests.factories import make_user, open_case
from tests.integration.test_sockets import session_cookie
from tests.live import LiveServer, serve_at_own_url

EVENT_TIMEOUT = 10.0


class ChatClient:
    def __init__(self, client: socketio.AsyncClient, namespace: str) -> None:
        self.sio = client
        self.namespace = namespace
        # How long an ack or a pushed event may take; load tests allow more.
        self.timeout = EVENT_TIMEOUT
        self.events: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        client.on("*", self._record, namespace=namespace)
        # "*" never hears disconnect: socket.io reserves that name.
        self._disconnected = asyncio.Event()
        client.on("disconnect", self._on_disconnect, namespace=namespace)

    async def _record(self, event: str, data: Any = None) -> None:
        self.events[event].put_nowait(data)

    async def _on_disconnect(self, reason: Any = None) -> None:
        self._disconnected.set()

    async def dropped(self) -> None:
        """Until this connection has closed (the server went away, say)."""
        async with asyncio.timeout(self.timeout):
            await self._disconnected.wait()

    @classmethod
    async def open(cls, base_url: str, namespace: str, username: str) -> ChatClient:
        """Sign in over HTTP, then connect with that session."""
        return await cls.connect(base_url, namespace, await session_cookie(base_url, username))

    @classmethod
    async def connect(cls, base_url: str, namespace: str, cookie: str) -> ChatClient:
        client = socketio.AsyncClient(reconnection=False)
        chat_client = cls(client, namespace)
        async with asyncio.timeout(EVENT_TIMEOUT):
            # wait_timeout: python-socketio gives a namespace 1 s to answer by default,
            # which a loaded test machine can miss.
            await client.connect(
                base_url, namespaces=[namespace], transports=["websocket"],
                headers={"Cookie": cookie}, wait_timeout=EVENT_TIMEOUT,
            )  # fmt: skip
        return chat_client

    async def call(self, event: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        async with asyncio.timeout(self.timeout):
            ack: dict[str, Any] = await self.sio.call(event, data or {}, namespace=self.namespace)
        return ack

    async def ok(self, event: str, data: dict[str, Any] | None = None) -> Any:
        ack = await self.call(event, data)
        assert ack["ok"], ack
        return ack["data"]

    async def next(self, event: str, **matching: Any) -> dict[str, Any]:
        """The next pushed `event` whose data has these values (others are skipped)."""
        async with asyncio.timeout(self.timeout):
            while True:
                data = await self.events[event].get()
                if all(data.get(k) == v for k, v in matching.items()):
                    return data

    async def send(self, chat_id: str, body: str, client_msg_id: str | None = None) -> Any:
        payload = {
            "chat_id": chat_id,
            "body": body,
            "client_msg_id": client_msg_id or uuid.uuid4().hex,
        }
        return await self.ok("send_message", payload)

    async def close(self) -> None:
        await self.sio.disconnect()


# Servers and people for chat tests ---------------------------------------------------------


class Servers:
    """Live servers with settings of their own on one store and clock; all stopped at the
    end. `redis=True` puts them on Redis, all on one prefix (cleaned up afterwards)."""

    def __init__(self, database_url: str, tmp_path: Any, clock: Any) -> None:
        self.database_url = database_url
        self.tmp_path = tmp_path
        self.clock = clock
        self.redis_prefix = f"test:{uuid.uuid4().hex}:"
        self.redis_url: str | None = None
        self.started: list[LiveServer] = []

    def start(self, redis_url: str | None = None, **overrides: Any) -> LiveServer:
        if redis_url is not None:
            self.redis_url = redis_url
            overrides |= {"redis_url": redis_url, "redis_prefix": self.redis_prefix}

        def make_app(url: str) -> Any:
            settings = make_settings(self.database_url, self.tmp_path, public_url=url, **overrides)
            return create_app(settings, self.clock)

        server = serve_at_own_url(make_app)
        server.start()
        self.started.append(server)
        return server

    def stop_servers(self) -> None:
        """Stop them, leaving Redis alone (a test's own Redis may be down by now)."""
        for server in reversed(self.started):
            server.stop()

    def stop(self) -> None:
        self.stop_servers()
        if self.redis_url is not None:
            asyncio.run(delete_keys(self.redis_url, self.redis_prefix))


async def delete_keys(redis_url: str, prefix: str) -> int:
    """Delete every Redis key under `prefix`; how many there were."""
    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        return len(keys)
    finally:
        await redis.aclose()


async def queue_place(server: LiveServer, chat_id: str) -> int | None:
    """The chat's place in its line as the server's queue has it (0 offered, None out)."""
    return await server.acall(lambda: server.services.queue.position(chat_id))


async def offered_to(server: LiveServer, chat_id: str) -> int | None:
    offer = await server.acall(lambda: server.services.queue.offer_of(chat_id))
    return None if offer is None else offer.agent_id


async def person(server: LiveServer, role: Role = Role.CUSTOMER, **overrides: Any) -> User:
    return await server.acall(lambda: make_user(server.services, role, **overrides))


async def chat_case(server: LiveServer, customer: User, **overrides: Any) -> Case:
    return await server.acall(
        lambda: open_case(server.services, customer, Channel.CHAT, **overrides)
    )


async def error_of(client: ChatClient, event: str, data: Any = None) -> dict[str, Any]:
    """The error of an event that must be refused."""
    ack = await client.call(event, data)
    assert not ack["ok"], ack
    error: dict[str, Any] = ack["error"]
    return error


class Clients:
    """Opens ChatClients and closes them all at the end (async with)."""

    def __init__(self) -> None:
        self.opened: list[ChatClient] = []

    async def open(self, server: LiveServer, namespace: str, user: User) -> ChatClient:
        client = await ChatClient.open(server.url, namespace, user.username)
        self.opened.append(client)
        return client

    async def __aenter__(self) -> Clients:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self.opened:
            if client.sio.connected:
                await client.close()


class Follower:
    """One chat's messages as the clients we ship keep them (static/js/sequence.js), in
    Python: by seq, each once, `caught_up_to` the last seq with no gap before it. A
    message past a gap, or a heartbeat naming a later seq, asks `ask` (resume_chat or
    open_chat) for what came after `caught_up_to`, one catch-up at a time."""

    def __init__(self, client: ChatClient, chat_id: str, ask: str) -> None:
        self.client, self.chat_id, self.ask = client, chat_id, ask
        self.bodies: dict[int, str] = {}
        self.caught_up_to = 0
        self.catch_ups = 0
        self._running: asyncio.Task[None] | None = None
        self._again = False
        self._changed = asyncio.Event()
        client.sio.on("message_created", self._pushed, namespace=client.namespace)
        client.sio.on("chat_heartbeat", self._beat, namespace=client.namespace)

    def add(self, message: dict[str, Any]) -> None:
        self.bodies.setdefault(message["seq"], message["body"])
        while self.caught_up_to + 1 in self.bodies:
            self.caught_up_to += 1
        self._changed.set()
        if max(self.bodies) > self.caught_up_to:
            self.catch_up()

    async def _pushed(self, data: dict[str, Any]) -> None:
        if data.get("chat_id") == self.chat_id:
            self.add(data)

    async def _beat(self, data: dict[str, Any]) -> None:
        if data.get("chat_id") == self.chat_id and data["last_seq"] > self.caught_up_to:
            self.catch_up()

    def catch_up(self) -> None:
        # Handlers run on the client's reading task: a call awaited there would wait on
        # its own ack, so the catch-up runs in a task of its own.
        if self._running is not None:
            self._again = True
            return
        self._running = asyncio.create_task(self._run())

    async def _run(self) -> None:
        try:
            while True:
                self._again = False
                self.catch_ups += 1
                payload = {"chat_id": self.chat_id, "last_seq": self.caught_up_to}
                ack = await self.client.call(self.ask, payload)
                if ack["ok"]:
                    for message in ack["data"]["messages"]:
                        self.add(message)
                if not self._again:
                    return
        except (TimeoutError, socketio.exceptions.SocketIOError):
            pass  # the next heartbeat asks again
        finally:
            self._running = None

    async def has(self, seqs: set[int], within: float) -> None:
        """Until every seq in `seqs` is held, or fail after `within` seconds."""
        async with asyncio.timeout(within):
            while not seqs <= set(self.bodies):
                self._changed.clear()
                await self._changed.wait()
