"""How each agent takes chats: presence, the customer groups served, and capacity.

Kept in the store (the queue backend holds a copy for routing), so a queue rebuilt after
Redis lost its data knows who was available, and a restarted node knows the rest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.chat import store
from frontdesk.clock import Clock
from frontdesk.db.engine import looking_up, reading, transaction
from frontdesk.errors import Code, Invalid
from frontdesk.queue.models import Presence

MAX_CAPACITY = 20


class AgentSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    agent_id: int
    presence: Presence = "offline"
    # None: every customer group that has chat.
    groups: tuple[str, ...] | None = None
    capacity: int = Field(default=3, ge=1, le=MAX_CAPACITY)


class AgentSettingsIn(BaseModel):
    """What an agent may change about how it takes chats; unset fields stay."""

    model_config = ConfigDict(extra="forbid")

    presence: Literal["available", "away", "offline"] | None = None
    groups: list[str] | None = Field(default=None, max_length=50)
    capacity: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)


class ChatAgents:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        default_capacity: int,
        away_reasons: tuple[str, ...] = (),
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._default_capacity = default_capacity
        # What an agent may give as the reason it is away (the desk alone sets "idle").
        self.away_reasons = away_reasons

    def away_reason(self, presence: Presence, reason: str | None) -> str | None:
        """The reason to keep with `presence`, as the list spells it; Invalid for a reason
        not on the list, or one given with a presence other than away."""
        if reason is None:
            return None
        if presence != "away":
            message = "A reason goes with Away only"
            raise Invalid(message, code=Code.UNKNOWN_AWAY_REASON, fields={"reason": message})
        listed = {known.casefold(): known for known in self.away_reasons}
        if reason.casefold() not in listed:
            message = f"Not a reason to be away: choose {', '.join(self.away_reasons)}"
            raise Invalid(message, code=Code.UNKNOWN_AWAY_REASON, fields={"reason": message})
        return listed[reason.casefold()]

    async def settings(self, agent_id: int) -> AgentSettings:
        async with looking_up(self._engine) as conn:
            row = await store.select_chat_agent(conn, agent_id)
        return self._model(agent_id, row)

    async def all_settings(self) -> list[AgentSettings]:
        async with reading(self._engine) as conn:
            rows = await store.select_chat_agents(conn)
        return [self._model(row["user_id"], row) for row in rows]

    async def update(
        self, agent_id: int, change: AgentSettingsIn, chat_groups: list[str]
    ) -> AgentSettings:
        unknown = sorted(set(change.groups or ()) - set(chat_groups))
        if unknown:
            message = f"Not a customer group with chat: {', '.join(unknown)}"
            raise Invalid(message, fields={"groups": message})
        current = await self.settings(agent_id)
        updated = AgentSettings.model_validate(
            {**current.model_dump(), **change.model_dump(exclude_unset=True)}
        )
        groups = None if updated.groups is None else json.dumps(sorted(set(updated.groups)))
        async with transaction(self._engine) as conn:
            await store.upsert_chat_agent(
                conn, agent_id, {"presence": updated.presence, "groups": groups,
                "capacity": updated.capacity, "updated_at": self._clock.now()},
            )  # fmt: skip
        return AgentSettings.model_validate(
            {**updated.model_dump(), "groups": None if groups is None else json.loads(groups)}
        )

    def _model(self, agent_id: int, row: dict[str, object] | None) -> AgentSettings:
        if row is None:
            return AgentSettings(agent_id=agent_id, capacity=self._default_capacity)
        raw_groups = row["groups"]
        return AgentSettings(
            agent_id=agent_id,
            presence=row["presence"],
            groups=None if raw_groups is None else tuple(json.loads(str(raw_groups))),
            capacity=row["capacity"],
        )


def served_groups(settings: AgentSettings, chat_groups: Sequence[str]) -> tuple[str, ...]:
    if settings.groups is None:
        return tuple(chat_groups)
    return tuple(g for g in settings.groups if g in chat_groups)
