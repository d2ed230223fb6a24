"""Routing state: waiting entries, agents' seats, and live offers (aware UTC times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("datetimes in the queue must be timezone-aware")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_aware_utc)]
Presence = Literal["available", "away", "offline"]


def to_ms(at: datetime) -> int:
    """Epoch milliseconds: the one time unit both backends order by."""
    return (at - EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int | float | str) -> datetime:
    return EPOCH + timedelta(milliseconds=int(float(ms)))


class QueueEntry(BaseModel):
    """A chat waiting for an agent; `enqueued_at` is when the wait began, kept on requeue."""

    model_config = ConfigDict(frozen=True)

    chat_id: str
    group: str
    enqueued_at: UtcDatetime


class AgentState(BaseModel):
    """An agent's routing state: `active` counts accepted chats plus reserved offers."""

    model_config = ConfigDict(frozen=True)

    agent_id: int
    presence: Presence
    groups: tuple[str, ...]
    capacity: int = 3
    active: int
    idle_since: UtcDatetime
    # When the presence or its reason last changed (a supervisor reads how long an agent
    # has been away, and why).
    presence_since: UtcDatetime
    # Why the agent is away, in the words it was set with ("Lunch", "idle"); None if none.
    reason: str | None = None
    # The agent's last console activity as reported (None: none since the state began).
    last_activity: UtcDatetime | None = None


class Emptied(BaseModel):
    """Who had sockets on a forgotten node and has none left on any node."""

    model_config = ConfigDict(frozen=True)

    agents: list[int] = []
    customers: list[int] = []


def holder(kind: str, person_id: int) -> str:
    """The name a person's sockets are kept under: an agent's id alone (as before
    customers were counted), "customer:<id>" for a customer."""
    return str(person_id) if kind == "agent" else f"{kind}:{person_id}"


def emptied(holders: list[str]) -> Emptied:
    agents = sorted(int(h) for h in holders if h.isdigit())
    customers = sorted(int(h.partition(":")[2]) for h in holders if h.startswith("customer:"))
    return Emptied(agents=agents, customers=customers)


class Offer(BaseModel):
    """A chat offered to one agent, whose seat is reserved until accept, decline or deadline."""

    model_config = ConfigDict(frozen=True)

    chat_id: str
    agent_id: int
    group: str
    enqueued_at: UtcDatetime
    deadline: UtcDatetime

    def entry(self) -> QueueEntry:
        return QueueEntry(chat_id=self.chat_id, group=self.group, enqueued_at=self.enqueued_at)
