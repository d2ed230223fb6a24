"""The baseline for bench/chat_flow.py: a bare python-socketio relay, no store, no auth.

The same transport work as one frontdesk chat message: a client emits `send_message`
{chat_id, client_msg_id, body} on /customer or /agent; the relay pushes
`message_created` {chat_id, client_msg_id, body, sender_role} to room chat:{chat_id} on
both namespaces (the sender's side and its pair's, as frontdesk does) and acknowledges
with {"ok": true, "data": ...}. A client names the rooms it joins when it connects
(auth {"rooms": [...]}). With --redis-url the rooms span every relay process through
socket.io's AsyncRedisManager, as frontdesk's nodes do.

    .venv/bin/python bench/relay.py --port 8001 [--redis-url redis://127.0.0.1:6379/0]

Served by uvicorn with the settings `frontdesk serve` uses (one worker, proxy headers,
no access log); GET /healthz answers 200 once the Redis fan-out is subscribed.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import socketio
import uvicorn

HOST = "127.0.0.1"


def build_app(redis_url: str | None, channel: str) -> socketio.ASGIApp:
    manager = socketio.AsyncRedisManager(redis_url, channel=channel) if redis_url else None
    sio = socketio.AsyncServer(async_mode="asgi", client_manager=manager)

    class Side(socketio.AsyncNamespace):  # type: ignore[misc]
        role = ""

        async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            for room in (auth or {}).get("rooms", []):
                await self.enter_room(sid, room)

        async def on_send_message(self, sid: str, data: Any = None) -> dict[str, Any]:
            message = {
                "chat_id": data["chat_id"],
                "client_msg_id": data["client_msg_id"],
                "body": data["body"],
                "sender_role": self.role,
            }
            room = f"chat:{data['chat_id']}"
            await sio.emit("message_created", message, room=room, namespace="/customer")
            await sio.emit("message_created", message, room=room, namespace="/agent")
            return {"ok": True, "data": message}

    class Customer(Side):
        role = "Customer"

    class Agent(Side):
        role = "Agent"

    sio.register_namespace(Customer("/customer"))
    sio.register_namespace(Agent("/agent"))
    ready = asyncio.Event()

    async def startup() -> None:
        # As frontdesk does: subscribe to the fan-out before serving anyone.
        sio.manager_initialized = True
        sio.manager.initialize()
        if isinstance(sio.manager, socketio.AsyncRedisManager):
            async with asyncio.timeout(10):
                while sio.manager.pubsub is None or not sio.manager.pubsub.subscribed:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
        ready.set()

    async def health(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        status = 200 if ready.is_set() and scope["path"] == "/healthz" else 404
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok" if status == 200 else b""})

    return socketio.ASGIApp(sio, other_asgi_app=health, on_startup=startup)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-url")
    parser.add_argument("--channel", default="frontdesk_bench_relay")
    args = parser.parse_args()
    uvicorn.run(
        build_app(args.redis_url, args.channel),
        host=HOST,
        port=args.port,
        workers=1,
        proxy_headers=True,
        log_config=None,
    )


if __name__ == "__main__":
    main()
