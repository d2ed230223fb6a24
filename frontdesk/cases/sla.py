"""When a case's reply is due: the one rule, for Contact Us's promise and for a chat that
became a message case. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from frontdesk.business_hours import BusinessCalendar

# A call-us case with no call logged this long after it opened is closed (the guide).
CALL_WINDOW = timedelta(hours=24)


def reply_due(calendar: BusinessCalendar, start: datetime, reply_days: int) -> datetime:
    """`reply_days` working days after `start`, at the same UK wall-clock time (a start
    on a weekend or bank holiday counts from the next working day)."""
    return calendar.add_working_days(start, reply_days)
