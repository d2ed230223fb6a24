"""The store's side of routing: chat statuses follow the queue, and the figures it reads.

The queue backend says who is waiting or offered right now; the store keeps what must
outlive it (a rebuilt queue starts from `open_chats`) and what people are shown later.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.accounts.models import User
from frontdesk.cases import actions
from frontdesk.cases.actions import Actor
from frontdesk.cases.models import ActivityKind, Case
from frontdesk.chat import store
from frontdesk.chat.models import Chat, ChatBeat
from frontdesk.db.engine import looking_up, reading, transaction

Row = dict[str, Any]

# Handle times averaged for a group's estimated wait: recent enough to follow the day.
RECENT_HANDLE_TIMES = 20


class ChatStates:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def mark_offered(self, chat_ids: Sequence[str]) -> list[Case | None]:
        """The chats are being offered (an agent's free seats, filled at once): each
        one's case, for the agent to read, or None for a chat that no longer waits (it
        ended meanwhile). One transaction for them all."""
        cases: list[Case | None] = []
        async with transaction(self._engine) as conn:
            for chat_id in chat_ids:
                case_id = await store.mark_offered(conn, chat_id)
                cases.append(None if case_id is None else await actions.case_by_id(conn, case_id))
        return cases

    async def return_to_queue(self, chat_id: str, *, group: str | None = None) -> Chat | None:
        """The chat waits again, in `group` if given; None if it has ended."""
        values = {} if group is None else {"group_name": group}
        async with transaction(self._engine) as conn:
            chat = await store.select_chat(conn, chat_id, for_update=True)
            if chat is None or not await store.return_to_queue(conn, chat.id, **values):
                return None
            return await store.select_chat_by_row_id(conn, chat.id)

    async def open_chat_of_case(self, case_id: int) -> Chat | None:
        async with looking_up(self._engine) as conn:
            return await store.select_open_chat_of_case(conn, case_id)

    async def case_of(self, chat: Chat) -> Case:
        async with looking_up(self._engine) as conn:
            return await actions.case_by_id(conn, chat.case_id)

    async def chat(self, chat_id: str) -> Chat | None:
        async with looking_up(self._engine) as conn:
            return await store.select_chat(conn, chat_id)

    async def open_chat_beats(self) -> list[ChatBeat]:
        async with reading(self._engine) as conn:
            return await store.select_open_chat_beats(conn)

    async def open_chats(self) -> list[Chat]:
        async with reading(self._engine) as conn:
            return await store.select_open_chats(conn)

    async def customer_chats(self, customer_id: int) -> list[Chat]:
        async with looking_up(self._engine) as conn:
            return await store.select_customer_chats(conn, customer_id)

    async def agent_chats(self, agent_id: int) -> list[Chat]:
        async with looking_up(self._engine) as conn:
            return await store.select_agent_chats(conn, agent_id)

    async def desk(self, limit: int) -> tuple[dict[str, int], list[Row], list[Row]]:
        """The open chats as the supervisor's desk lists them (chat/store.py): the
        totals, then at most `limit` waiting and `limit` active, read on one connection."""
        async with reading(self._engine) as conn:
            totals = await store.count_desk_chats(conn)
            waiting = await store.select_desk_waiting(conn, limit=limit)
            active = await store.select_desk_active(conn, limit=limit)
        return totals, waiting, active

    async def agent_chat_times(
        self, agent_ids: list[int], since: datetime
    ) -> dict[int, dict[str, Any]]:
        async with reading(self._engine) as conn:
            return await store.select_agent_chat_times(conn, agent_ids, since=since)

    async def follow(self, chat_id: str, until: datetime) -> None:
        """A supervisor follows the chat until `until` (later of this and any other)."""
        async with transaction(self._engine) as conn:
            chat = await store.select_chat(conn, chat_id, for_update=True)
            if chat is not None and not chat.monitored_at(until):
                await store.update_chat(conn, chat.id, monitored_until=until)

    async def log_desk_action(self, chat: Chat, by: User, what: str, now: datetime) -> None:
        """Write what a supervisor did to a chat in its case's activity, for staff only."""
        async with transaction(self._engine) as conn:
            await actions.log_activity(
                conn, chat.case_id, Actor.of(by), ActivityKind.CHAT_ACTION, now,
                body=what, data={"chat_id": chat.public_id},
            )  # fmt: skip

    async def handle_times(self, group: str) -> list[timedelta]:
        async with reading(self._engine) as conn:
            rows = await store.select_recent_handle_times(conn, group, limit=RECENT_HANDLE_TIMES)
        return [ended - accepted for accepted, ended in rows]

    async def user_names(self, user_ids: list[int]) -> dict[int, str]:
        async with looking_up(self._engine) as conn:
            return await store.select_user_names(conn, user_ids)

    async def group_times(
        self, group: str, since: datetime
    ) -> list[tuple[datetime, datetime | None, datetime | None]]:
        async with reading(self._engine) as conn:
            return await store.select_group_times(conn, group, since=since)

    async def day_figures(self, group: str, since: datetime) -> dict[str, float | int]:
        """A group's chats requested since `since`: average wait to be answered, average
        handle time, and how many were abandoned (ended before anyone answered)."""
        async with reading(self._engine) as conn:
            rows = await store.select_group_times(conn, group, since=since)
            active = await store.count_active_chats(conn, group)
        waits = [(accepted - requested) for requested, accepted, _ in rows if accepted]
        handles = [(ended - accepted) for _, accepted, ended in rows if accepted and ended]
        return {
            "chats_active": active,
            "requested_today": len(rows),
            "average_wait_seconds": _average_seconds(waits),
            "average_handle_seconds": _average_seconds(handles),
            "abandoned_today": sum(1 for _, accepted, ended in rows if ended and not accepted),
        }


def _average_seconds(spans: list[timedelta]) -> float:
    if not spans:
        return 0.0
    return round(sum(spans, timedelta()).total_seconds() / len(spans), 1)
