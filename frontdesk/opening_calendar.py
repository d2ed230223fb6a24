"""A customer group's opening calendar for the weeks ahead, day by day: when it opens, or
why it is closed (weekend, a bank holiday by name, a closure's reason). Pure."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from frontdesk.business_hours import WEEKDAYS, BusinessCalendar, WeeklyHours, spans_text


class DayKind(StrEnum):
    OPEN = "open"  # the weekly hours
    EXTRA = "extra"  # an extra opening day
    CLOSURE = "closure"
    BANK_HOLIDAY = "bank_holiday"
    WEEKEND = "weekend"
    NO_HOURS = "no_hours"  # a weekday the weekly hours do not open


class CalendarDay(BaseModel):
    model_config = ConfigDict(frozen=True)

    day: date
    weekday: str
    kind: DayKind
    hours: str  # "09:00-17:00", blank when closed
    why: str  # why it is closed, or what kind of opening; blank on an ordinary day

    @property
    def is_open(self) -> bool:
        return bool(self.hours)


def opening_calendar(
    calendar: BusinessCalendar, hours: WeeklyHours, start: date, weeks: int
) -> list[CalendarDay]:
    """Each day from `start` for `weeks` weeks, as `calendar` opens `hours` on it."""
    return [
        opening_day(calendar, hours, start + timedelta(days=offset)) for offset in range(7 * weeks)
    ]


def opening_day(calendar: BusinessCalendar, hours: WeeklyHours, day: date) -> CalendarDay:
    weekday = WEEKDAYS[day.weekday()]
    opens = spans_text(calendar.spans(hours, day))
    holiday = calendar.holiday_name(day)
    closure = hours.closure_on(day)
    if closure is not None:
        kind, why = DayKind.CLOSURE, closure.reason
    elif hours.extra_day(day) is not None:
        kind, why = DayKind.EXTRA, "Extra opening day" + (f" ({holiday})" if holiday else "")
    elif holiday is not None and not hours.open_on_bank_holidays:
        kind, why = DayKind.BANK_HOLIDAY, f"Bank holiday: {holiday}"
    elif opens:
        kind, why = DayKind.OPEN, ""
    elif day.weekday() >= 5:
        kind, why = DayKind.WEEKEND, "Weekend"
    else:
        kind, why = DayKind.NO_HOURS, f"No opening hours on {weekday.title()}s"
    return CalendarDay(day=day, weekday=weekday, kind=kind, hours=opens, why=why)
