"""Socket.IO namespaces: thin transports that admit only signed-in users of the right role.

| namespace   | who may connect           | rooms joined on connect        |
|-------------|---------------------------|--------------------------------|
| /customer   | customer                  | user:{id}                      |
| /agent      | agent, supervisor         | user:{id}, agents              |
| /supervisor | supervisor, admin         | user:{id}, supervisors         |

A connection without a valid session cookie, or with one of another role, is refused
with {"code": "NOT_SIGNED_IN" | "FORBIDDEN", "message": ...}. The chat issue adds the
events; each namespace's docstring will table them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from frontdesk.accounts.models import Role, User
from frontdesk.metrics import Metrics

UserLookup = Callable[[str], Awaitable[User | None]]


class RoleNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    roles: frozenset[Role] = frozenset()
    room: str | None = None

    def __init__(self, namespace: str, find_user: UserLookup, metrics: Metrics) -> None:
        super().__init__(namespace)
        self._find_user = find_user
        self._connections = metrics.socket_connections.labels(namespace=namespace)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        user = await self._find_user(environ.get("HTTP_COOKIE", ""))
        if user is None:
            raise socketio.exceptions.ConnectionRefusedError(
                {"code": "NOT_SIGNED_IN", "message": "Please sign in to continue"}
            )
        if user.role not in self.roles:
            raise socketio.exceptions.ConnectionRefusedError(
                {"code": "FORBIDDEN", "message": "Your account cannot use this channel"}
            )
        await self.save_session(sid, {"user_id": user.id, "role": user.role.value})
        await self.enter_room(sid, f"user:{user.id}")
        if self.room:
            await self.enter_room(sid, self.room)
        self._connections.inc()

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self._connections.dec()

    async def on_whoami(self, sid: str, data: Any = None) -> dict[str, Any]:
        """Acknowledges with the connected identity; lets a client check its session."""
        session = await self.get_session(sid)
        return {"ok": True, "data": session}


class CustomerNamespace(RoleNamespace):
    roles = frozenset({Role.CUSTOMER})


class AgentNamespace(RoleNamespace):
    roles = frozenset({Role.AGENT, Role.SUPERVISOR})
    room = "agents"


class SupervisorNamespace(RoleNamespace):
    roles = frozenset({Role.SUPERVISOR, Role.ADMIN})
    room = "supervisors"


def register_namespaces(sio: socketio.AsyncServer, find_user: UserLookup, metrics: Metrics) -> None:
    sio.register_namespace(CustomerNamespace("/customer", find_user, metrics))
    sio.register_namespace(AgentNamespace("/agent", find_user, metrics))
    sio.register_namespace(SupervisorNamespace("/supervisor", find_user, metrics))
