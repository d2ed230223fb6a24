"""Routing rules that are not storage: may a group take chats now, has a request waited
too long, how long will it wait. Pure: every time is given."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from frontdesk.business_hours import BusinessCalendar, WeeklyHours

# Until a group has finished chats of its own to learn from, assume this handle time.
DEFAULT_HANDLE_TIME = timedelta(minutes=6)
DEFAULT_MAX_WAIT = timedelta(minutes=15)


@dataclass(frozen=True)
class Admission:
    """Whether a chat request may join its group's queue now."""

    open: bool
    next_opening: datetime | None  # when closed: when it opens again, if ever


def admission(calendar: BusinessCalendar, hours: WeeklyHours, now: datetime) -> Admission:
    if calendar.is_open(hours, now):
        return Admission(open=True, next_opening=None)
    return Admission(open=False, next_opening=calendar.next_opening(hours, now))


def waited_too_long(enqueued_at: datetime, now: datetime, max_wait: timedelta) -> bool:
    """A request reaches its group's maximum wait exactly at enqueued_at + max_wait."""
    return now - enqueued_at >= max_wait


def estimated_wait(
    position: int, seats: int, recent_handle_times: list[timedelta]
) -> timedelta | None:
    """How long the request at `position` (1-based) may wait for a seat.

    Each of the group's `seats` (free capacity of the agents serving it) frees up about
    once per average handle time, so the request is served after ceil(position / seats)
    rounds. None when no agent serves the group now: no honest estimate exists.
    """
    if position < 1:
        return timedelta(0)
    if seats < 1:
        return None
    handle = (
        sum(recent_handle_times, timedelta()) / len(recent_handle_times)
        if recent_handle_times
        else DEFAULT_HANDLE_TIME
    )
    return handle * math.ceil(position / seats)
