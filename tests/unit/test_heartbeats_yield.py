"""A heartbeat tells every open chat in a row; between two chats, whatever else is
ready on the loop (a socket's message) gets its turn. An emit to this node's sockets
no longer waits for anything (frontdesk/local_emit.py), so the beat must yield itself."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from frontdesk.chat.heartbeats import ChatHeartbeats
from frontdesk.chat.models import ChatBeat
from frontdesk.events import RecordingNotifier, agent, chat_customer


class OpenChats:
    def __init__(self, beats: list[ChatBeat]) -> None:
        self.beats = beats

    async def open_chat_beats(self) -> list[ChatBeat]:
        return self.beats


async def test_a_beat_lets_the_loop_run_between_chats() -> None:
    beats = [ChatBeat(f"chat{i}", i, "active", 7) for i in range(10)]
    notifier = RecordingNotifier()
    live = SimpleNamespace(states=OpenChats(beats), notifier=notifier)
    heartbeats = ChatHeartbeats(live, every_seconds=5)  # type: ignore[arg-type]
    told_when_another_ran: list[int] = []

    async def another() -> None:
        told_when_another_ran.append(len(notifier.published))

    waiting = asyncio.create_task(another())
    assert await heartbeats.beat() == 10
    await waiting
    assert len(notifier.published) == 20  # each chat's customer and agent
    assert told_when_another_ran[0] < 20, "the beat ran to its end before anything else"
    assert notifier.events(chat_customer("chat3")) == ["chat_heartbeat"]
    assert notifier.events(agent(7)).count("chat_heartbeat") == 10
