"""Socket.IO clients for chat tests: a signed-in person on a namespace, whose pushed
events are queued per name, so a test awaits exactly the event it expects."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import socketio

from tests.integration.test_sockets import session_cookie

EVENT_TIMEOUT = 10.0


class ChatClient:
    def __init__(self, client: socketio.AsyncClient, namespace: str) -> None:
        self.sio = client
        self.namespace = namespace
        self.events: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        client.on("*", self._record, namespace=namespace)

    async def _record(self, event: str, data: Any = None) -> None:
        self.events[event].put_nowait(data)

    @classmethod
    async def open(cls, base_url: str, namespace: str, username: str) -> ChatClient:
        """Sign in over HTTP, then connect with that session."""
        return await cls.connect(base_url, namespace, await session_cookie(base_url, username))

    @classmethod
    async def connect(cls, base_url: str, namespace: str, cookie: str) -> ChatClient:
        client = socketio.AsyncClient(reconnection=False)
        chat_client = cls(client, namespace)
        async with asyncio.timeout(EVENT_TIMEOUT):
            await client.connect(
                base_url, namespaces=[namespace], transports=["websocket"],
                headers={"Cookie": cookie},
            )  # fmt: skip
        return chat_client

    async def call(self, event: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        async with asyncio.timeout(EVENT_TIMEOUT):
            ack: dict[str, Any] = await self.sio.call(event, data or {}, namespace=self.namespace)
        return ack

    async def ok(self, event: str, data: dict[str, Any] | None = None) -> Any:
        ack = await self.call(event, data)
        assert ack["ok"], ack
        return ack["data"]

    async def next(self, event: str, **matching: Any) -> dict[str, Any]:
        """The next pushed `event` whose data has these values (others are skipped)."""
        async with asyncio.timeout(EVENT_TIMEOUT):
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
