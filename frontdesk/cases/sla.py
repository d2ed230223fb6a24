"""When a case's reply is due: the one rule, for Contact Us's promise and for a chat that
became a message case. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from frontdesk.business_hours import BusinessCalendar, WeeklyHours


def reply_due(
    calendar: BusinessCalendar, hours: WeeklyHours, start: datetime, reply_days: int
) -> datetime:
    """`reply_days` days of `hours` after work on a case begins at `start`, at a time
    `hours` are open (BusinessCalendar.add_open_days): a promise the team can keep.

    Hours that do not open within the calendar's look-ahead (a group closed for good)
    count the guide's office hours instead, so every case still has a date."""
    due = calendar.add_open_days(hours, start, reply_days)
    if due is None:
        due = calendar.add_open_days(WeeklyHours.office(), start, reply_days)
    assert due is not None, "office hours open every week"
    return due


def _office_hours(_group: str) -> WeeklyHours:
    return WeeklyHours.office()


@dataclass(frozen=True)
class ReplyTargets:
    """Reply-by dates for the cases of each customer group, by that group's hours: what
    a service that is given a case (not its routing) needs to date a reply."""

    calendar: BusinessCalendar
    # The hours of a customer group, by its key (IntakeService.group_hours).
    hours_of: Callable[[str], WeeklyHours] = field(default=_office_hours)

    def reply_by(self, group: str, start: datetime, reply_days: int) -> datetime:
        return reply_due(self.calendar, self.hours_of(group), start, reply_days)
