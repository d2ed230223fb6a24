"""Socket.IO's emit to this node's own sockets, without a task per recipient.

python-socketio sends an event to each socket of a room in an asyncio task of its own
and then waits for them all. A send only checks the socket and puts the packet on its
queue (Engine.IO's writer task does the writing), so the tasks run nothing that could
overlap, and each costs a task, its scheduling and the wait's futures. A chat message
is told to its customer's room and its agent's: without the tasks the server's CPU per
message fell by a sixth (embedded closed loop, bench/README.md). Here the packet is
encoded once and put on each socket's queue in turn, and the emit returns without
waiting for anything: a caller telling thousands of rooms in a row (the heartbeats,
the queue's positions) lets the loop run between them itself. Events with an
acknowledgement keep python-socketio's own way (each recipient needs its own packet
id); we send none to rooms.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet

log = logging.getLogger(__name__)


class DirectEmit(socketio.AsyncManager):  # type: ignore[misc]
    """The manager of a node alone; mixed in under the Redis fan-out's, whose emit
    ends here for this node's sockets."""

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: str | None = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: str | None = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        if callback is not None:
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid,
                               callback=callback, **kwargs)  # fmt: skip
            return
        if namespace not in self.rooms:
            return
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        recipients = [eio for sid, eio in self.get_participants(namespace, room) if sid not in skip]
        if not recipients:
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(packet.EVENT, namespace=namespace,
                                           data=[event, *args]).encode()  # fmt: skip
        packets = [
            eio_packet.Packet(eio_packet.MESSAGE, part)
            for part in (encoded if isinstance(encoded, list) else [encoded])
        ]
        for eio_sid in recipients:
            for each in packets:
                try:  # Engine.IO skips a socket that closed: what else fails is unforeseen
                    await self.server._send_eio_packet(eio_sid, each)
                except Exception:  # and must not keep the event from the rest, as a task's
                    log.exception("could not send %s to a socket", event)
                    break
