"""Events: what the services tell connected people, and to whom; a Notifier delivers them.

Services publish after their change is committed, never before, so a client that hears
of a message or a chat can always read it back. Audiences name a namespace and a room;
the socket.io adapter (chat/namespaces.py) is the only part that knows sockets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class Audience:
    namespace: str
    room: str


def chat_customer(chat_id: str) -> Audience:
    """The customer's windows showing one chat (they join the room when they open it)."""
    return Audience("/customer", f"chat:{chat_id}")


def agent(user_id: int) -> Audience:
    """Every console window of one agent."""
    return Audience("/agent", f"user:{user_id}")


SUPERVISORS = Audience("/supervisor", "supervisors")


def chat_monitors(chat_id: str) -> Audience:
    """Supervisors following one chat read-only (they join when they open it)."""
    return Audience("/supervisor", f"chat:{chat_id}")


class Push(BaseModel):
    """One thing the server tells connected people: a model per event, named by `event`
    (the models and names of live chat are in chat/protocol.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: ClassVar[str]

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Notifier(Protocol):
    async def publish(self, audience: Audience, push: Push) -> None:
        """Deliver to everyone in the audience, on any node; never raises for a room
        with nobody in it."""
        ...

    async def tell_here(self, audience: Audience, push: Push) -> None:
        """Deliver to the audience's sockets on this node only, never through the fan-out:
        for what every node says for itself (heartbeats), which must reach its people
        while the fan-out is down."""
        ...


class NobodyListens:
    """For a process that serves no sockets (a command such as migrate or the demo data
    loader): what it changes is stored, and there is nobody to tell."""

    async def publish(self, audience: Audience, push: Push) -> None:
        pass

    async def tell_here(self, audience: Audience, push: Push) -> None:
        pass


class RecordingNotifier:
    """Keeps what was published, for tests of services without sockets."""

    def __init__(self) -> None:
        self.published: list[tuple[Audience, str, dict[str, Any]]] = []

    async def publish(self, audience: Audience, push: Push) -> None:
        self.published.append((audience, push.event, push.data()))

    async def tell_here(self, audience: Audience, push: Push) -> None:
        self.published.append((audience, push.event, push.data()))

    def events(self, audience: Audience) -> list[str]:
        return [event for to, event, _ in self.published if to == audience]
