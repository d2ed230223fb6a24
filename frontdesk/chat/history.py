"""A group's queue over the last hours, from its chats' times alone: how many were
waiting at the end of each interval, and how long the chats answered in it had waited.
Pure; the store gives the times, so every node draws the same chart with no sampling."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

ChatTimes = tuple[datetime, datetime | None, datetime | None]  # requested, accepted, ended


def _left_queue(accepted: datetime | None, ended: datetime | None) -> datetime | None:
    moments = [m for m in (accepted, ended) if m is not None]
    return min(moments) if moments else None


def queue_history(
    chats: Iterable[ChatTimes], now: datetime, hours: int, step: timedelta
) -> list[dict[str, Any]]:
    """One point per `step` over the last `hours`, oldest first: `waiting` at the point,
    and `average_wait_seconds` of the chats answered since the previous point (None if
    none were). A chat waits from its request until it is answered or ends."""
    rows = [
        (requested, accepted, _left_queue(accepted, ended)) for requested, accepted, ended in chats
    ]
    start = now - timedelta(hours=hours)
    points = []
    at = start + step
    while at <= now:
        waiting = sum(1 for req, _, left in rows if req <= at and (left is None or left > at))
        waits = [
            (accepted - req).total_seconds()
            for req, accepted, _ in rows
            if accepted is not None and at - step < accepted <= at
        ]
        average = round(sum(waits) / len(waits), 1) if waits else None
        points.append({"at": at.isoformat(), "waiting": waiting, "average_wait_seconds": average})
        at += step
    return points
