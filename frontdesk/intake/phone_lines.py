"""When the phone lines answer, read from the words the taxonomy shows people ("Monday
to Friday, 08:00 to 17:00 (UK time)"), and the time a call-us case gives its customer to
call: 24 hours (the guide's), starting when the lines next open, and never ending while
they are closed. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from frontdesk.business_hours import UK, WEEKDAYS, BusinessCalendar, Span, WeeklyHours

# The guide: "if you do not call us within 24 hours of creating the case, we will close
# it automatically".
CALL_WINDOW = timedelta(hours=24)

_DAY = "|".join(WEEKDAYS)
_TIME = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?"
_TO = r"\s*(?:to|-|\u2013|until)\s*"  # \u2013: an en dash, as typed by some
_PART = re.compile(
    rf"(?P<first>{_DAY})(?:{_TO}(?P<last>{_DAY}))?\s*,?\s*(?:from\s+)?"
    rf"(?P<opens>{_TIME}){_TO}(?P<closes>{_TIME})"
)


def read_phone_hours(text: str) -> WeeklyHours | None:
    """The lines' weekly hours, from text such as "Monday to Friday, 08:00 to 17:00 (UK
    time)" or "Monday - Friday 9 am - 5 pm; Saturday 10:00-12:00": closed on bank
    holidays, as the office is. None when the text does not read so (it is free text
    an administrator writes): then nobody is told the lines are closed."""
    days: dict[str, list[str]] = {}
    wording = text.lower().replace("(uk time)", "").strip().rstrip(".")
    for part in (p.strip() for p in re.split(r";|\band\b", wording) if p.strip()):
        match = _PART.fullmatch(part)
        if match is None:
            return None
        first = WEEKDAYS.index(match["first"])
        last = WEEKDAYS.index(match["last"] or match["first"])
        opens, closes = _clock(match["opens"]), _clock(match["closes"])
        if opens is None or closes is None or closes <= opens or last < first:
            return None
        for day in WEEKDAYS[first : last + 1]:
            days.setdefault(day, []).append(Span(opens=opens, closes=closes).text)
    if not days:
        return None
    try:
        return WeeklyHours.model_validate({"days": {d: ", ".join(s) for d, s in days.items()}})
    except ValueError:  # two parts that overlap on a day
        return None


def _clock(text: str) -> time | None:
    """ "08:00", "8.30", "9 am", "5:30pm" as a time of day; None if it is not one."""
    found = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?", text.strip())
    if found is None:
        return None
    hour, minute, half = int(found[1]), int(found[2] or 0), found[3]
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


@dataclass(frozen=True)
class CallWindow:
    """When a call-us case opened now may be called about."""

    opens_at: datetime | None  # when the lines next open, if they are closed now
    call_by: datetime  # no call by then, and the case is closed automatically
    full_day: bool  # the window is the guide's 24 hours from now, as it says


def call_window(calendar: BusinessCalendar, phone_hours: str, now: datetime) -> CallWindow:
    """24 hours from when the lines are next open (now, when they are open); a window
    that would end while they are closed runs to the end of their next opening, so a
    case opened on Friday afternoon can still be called about on Monday. Lines whose
    hours do not read (or never open) get 24 hours from now, as before."""
    hours = read_phone_hours(phone_hours)
    opens = calendar.next_opening(hours, now) if hours is not None else None
    if hours is None or opens is None:
        return CallWindow(opens_at=None, call_by=now + CALL_WINDOW, full_day=True)
    call_by = opens + CALL_WINDOW
    if not calendar.is_open(hours, call_by):
        reopens = calendar.next_opening(hours, call_by)
        if reopens is not None:
            call_by = calendar.closing_time(hours, reopens) or call_by
    opens_at = None if opens == now else opens
    full_day = opens_at is None and call_by == now + CALL_WINDOW
    return CallWindow(opens_at=opens_at, call_by=call_by, full_day=full_day)


def _when(at: datetime) -> str:
    return f"{at.astimezone(UK):%A %d %B at %H:%M} (UK time)"


def lines_closed(window: CallWindow) -> str | None:
    """ "Our lines are closed now and open again ..." while they are; None when open."""
    if window.opens_at is None:
        return None
    return f"Our lines are closed now and open again {_when(window.opens_at)}."


def call_deadline(window: CallWindow) -> str:
    """What the customer is told of the window, on the page and in the email: the
    guide's words when it is 24 hours from now, else when the lines open and the time
    to call by."""
    if window.full_day:
        return (
            "If you do not call us within 24 hours of creating the case, we will close it"
            " automatically."
        )
    closed = lines_closed(window)
    by = f"If you do not call us by {_when(window.call_by)}, we will close the case automatically."
    return f"{closed} {by}" if closed else by
