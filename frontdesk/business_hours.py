"""The business calendar: UK time, bank holidays, weekly opening hours, working days.

One module for every rule about time at work: whether chat is open for a customer
group, when it next opens, and the reply-by date of a case. A group's hours are its
weekly spans, less its closures (which win over everything), plus its extra opening
days (which open even on a weekend or bank holiday). Pure: `at` is always given.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from typing import Annotated
from zoneinfo import ZoneInfo

import holidays
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_serializer,
    field_validator,
    model_validator,
)

UK = ZoneInfo("Europe/London")
END_OF_DAY = "24:00"
# How far `next_opening` looks: past a closure of some months (a group paused over the
# summer) without scanning for ever when hours never open.
LOOK_AHEAD_DAYS = 400
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Span(BaseModel):
    """One opening span within a day, local UK time; `closes` is exclusive."""

    model_config = ConfigDict(frozen=True)

    opens: time
    closes: time

    @classmethod
    def parse(cls, text: str) -> Span:
        """ "09:00-17:00" -> Span(09:00, 17:00); "24:00" closes at the end of the day."""
        try:
            opens, closes = (_clock_time(part.strip()) for part in text.split("-"))
        except ValueError:
            raise ValueError(f"hours must look like 09:00-17:00, not {text!r}") from None
        if closes <= opens:
            raise ValueError(f"{text!r} closes before it opens")
        return cls(opens=opens, closes=closes)

    @property
    def text(self) -> str:
        """ "09:00-17:00": the form `parse` reads and the taxonomy file holds."""
        return f"{_clock_text(self.opens)}-{_clock_text(self.closes)}"


def parse_spans(value: object) -> tuple[Span, ...]:
    """ "09:00-12:00, 13:00-17:00", a list of such texts (or Spans), as spans in order;
    ValueError if one does not read or two overlap."""
    if isinstance(value, str):
        texts: list[object] = [t for t in value.split(",") if t.strip()]
    elif isinstance(value, list | tuple):
        texts = list(value)
    else:
        raise ValueError(f"hours must look like 09:00-17:00, not {value!r}")
    spans = sorted(
        (Span.parse(t) if isinstance(t, str) else Span.model_validate(t) for t in texts),
        key=lambda span: span.opens,
    )
    for before, after in pairwise(spans):
        if after.opens < before.closes:
            raise ValueError(f"{before.text} and {after.text} overlap")
    return tuple(spans)


def spans_text(spans: tuple[Span, ...]) -> str:
    return ", ".join(span.text for span in spans)


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Closure(BaseModel):
    """Days closed whatever the weekly hours say, `start` to `end` inclusive, with the
    reason customers are shown ("Closed for staff training")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date
    reason: Reason

    @model_validator(mode="before")
    @classmethod
    def _one_day(cls, value: object) -> object:
        if isinstance(value, dict) and "end" not in value and "start" in value:
            return {**value, "end": value["start"]}
        return value

    @model_validator(mode="after")
    def _in_order(self) -> Closure:
        if self.end < self.start:
            raise ValueError(f"a closure ends ({self.end}) before it starts ({self.start})")
        return self

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


class ExtraDay(BaseModel):
    """One date open with its own spans, even on a weekend or bank holiday."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    day: date
    spans: tuple[Span, ...] = Field(min_length=1)

    @field_validator("spans", mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        return parse_spans(value)

    @field_serializer("spans")
    def _as_text(self, spans: tuple[Span, ...]) -> str:
        return spans_text(spans)


def _clock_time(text: str) -> time:
    return time.max if text == END_OF_DAY else time.fromisoformat(text)


def _clock_text(at: time) -> str:
    return END_OF_DAY if at == time.max else f"{at:%H:%M}"


class WeeklyHours(BaseModel):
    """Opening hours for each weekday; a day not listed is closed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: dict[str, tuple[Span, ...]]
    open_on_bank_holidays: bool = False
    closures: tuple[Closure, ...] = ()
    extra_days: tuple[ExtraDay, ...] = ()

    @field_validator("days", mode="before")
    @classmethod
    def _parse_days(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        parsed = {}
        for day, spans in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"{day!r} is not a weekday name ({', '.join(WEEKDAYS)})")
            # A blank or numeric day in the file must be a ValueError (which pydantic
            # reports with its place), never a TypeError from iterating it.
            if not isinstance(spans, str | list | tuple):
                raise ValueError(f"{day}: hours must look like 09:00-17:00, not {spans!r}")
            try:
                parsed[day] = parse_spans(spans)
            except ValueError as error:
                raise ValueError(f"{day}: {error}") from None
        return parsed

    @field_serializer("days")
    def _days_as_text(self, days: dict[str, tuple[Span, ...]]) -> dict[str, str]:
        """As the taxonomy file writes them: "09:00-17:00", or "09:00-12:00, 13:00-17:00"."""
        return {day: spans_text(spans) for day, spans in days.items() if spans}

    @model_validator(mode="after")
    def _one_extra_day_per_date(self) -> WeeklyHours:
        days = [extra.day for extra in self.extra_days]
        for day in days:
            if days.count(day) > 1:
                raise ValueError(f"extra_days: {day} appears twice")
        return self

    def closure_on(self, day: date) -> Closure | None:
        return next((c for c in self.closures if c.covers(day)), None)

    def extra_day(self, day: date) -> ExtraDay | None:
        return next((e for e in self.extra_days if e.day == day), None)

    @classmethod
    def office(cls) -> WeeklyHours:
        """Monday to Friday, 09:00 to 17:00: the guide's support hours."""
        return cls.model_validate({"days": {day: "09:00-17:00" for day in WEEKDAYS[:5]}})

    def spans_on(self, day: date) -> tuple[Span, ...]:
        return self.days.get(WEEKDAYS[day.weekday()], ())

    def describe(self) -> str:
        """ "Monday - Friday 09:00-17:00" style summary, for people."""
        whole_day = (Span(opens=time.min, closes=time.max),)
        if self.open_on_bank_holidays and all(self.days.get(d) == whole_day for d in WEEKDAYS):
            return "around the clock, every day"
        parts = []
        for day in WEEKDAYS:
            spans = ", ".join(
                f"{_clock_text(s.opens)}-{_clock_text(s.closes)}" for s in self.days.get(day, ())
            )
            if spans:
                parts.append((day, spans))
        groups: list[tuple[str, str, str]] = []
        for day, spans in parts:
            if groups and groups[-1][2] == spans and _follows(groups[-1][1], day):
                groups[-1] = (groups[-1][0], day, spans)
            else:
                groups.append((day, day, spans))
        return "; ".join(
            f"{first.title()}{'' if first == last else ' - ' + last.title()} {spans}"
            for first, last, spans in groups
        )


def _follows(previous: str, day: str) -> bool:
    return WEEKDAYS.index(day) == WEEKDAYS.index(previous) + 1


class BusinessCalendar:
    """Working days in England and Wales: Monday to Friday, less bank holidays."""

    def __init__(self, subdivision: str = "ENG") -> None:
        self._subdivision = subdivision

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays("GB", subdiv=self._subdivision)

    def is_bank_holiday(self, day: date) -> bool:
        return day in self._holidays

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_bank_holiday(day)

    def add_open_days(self, hours: WeeklyHours, start: datetime, days: int) -> datetime | None:
        """`days` days on which `hours` open after the day work on `start` begins, at that
        UK wall-clock time, kept inside that day's hours; None if `hours` do not open
        within LOOK_AHEAD_DAYS.

        Work begins at `start` if `hours` are open then, else when they next open: a
        message sent at 07:20 counts from 09:00 that day, one sent on Friday evening from
        Monday's opening. Closures and bank holidays (unless the hours open on them) are
        not counted; extra opening days are. On a due day with shorter hours the time
        moves to that day's close (or, before its first opening, to that opening), so
        the result is always a time the hours are open, a close counting as "by then".
        """
        opening = self.next_opening(hours, start)
        if opening is None:
            return None
        local = opening.astimezone(UK)
        day, wall = local.date(), local.time()
        last_day = day + timedelta(days=LOOK_AHEAD_DAYS)
        for _ in range(days):
            day += timedelta(days=1)
            while not self.spans(hours, day):
                day += timedelta(days=1)
                if day > last_day:
                    return None
        due = datetime.combine(day, _within(self.spans(hours, day), wall), tzinfo=UK)
        return due.astimezone(start.tzinfo)

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return None if name is None else str(name)

    def spans(self, hours: WeeklyHours, day: date) -> tuple[Span, ...]:
        """When `hours` open on `day`: none in a closure; an extra day's own spans; none
        on a bank holiday unless the hours open on them; else the weekday's spans."""
        if hours.closure_on(day) is not None:
            return ()
        extra = hours.extra_day(day)
        if extra is not None:
            return extra.spans
        if self.is_bank_holiday(day) and not hours.open_on_bank_holidays:
            return ()
        return hours.spans_on(day)

    def is_open(self, hours: WeeklyHours, at: datetime) -> bool:
        local = at.astimezone(UK)
        now = local.time()
        return any(span.opens <= now < span.closes for span in self.spans(hours, local.date()))

    def closing_time(self, hours: WeeklyHours, at: datetime) -> datetime | None:
        """When the opening under way at `at` ends; None when `hours` are closed at `at`.

        A span to 24:00 that the next day continues from 00:00 runs on, so hours open
        around the clock close a week after `at` at the earliest (never, in practice)."""
        if not self.is_open(hours, at):
            return None
        local = at.astimezone(UK)
        day = local.date()
        span = next(s for s in self.spans(hours, day) if s.opens <= local.time() < s.closes)
        for _ in range(7):
            following = day + timedelta(days=1)
            next_span = self._span_from_midnight(hours, following)
            if span.closes != time.max or next_span is None:
                break
            day, span = following, next_span
        else:
            return at + timedelta(days=7)
        if span.closes == time.max:
            closes = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UK)
            return closes.astimezone(at.tzinfo)
        # In October's repeated hour, close on the same pass of the clock as `at`.
        closes = datetime.combine(day, span.closes, tzinfo=UK)
        fold = local.fold if day == local.date() else 0
        return closes.replace(fold=fold).astimezone(at.tzinfo)

    def _span_from_midnight(self, hours: WeeklyHours, day: date) -> Span | None:
        return next((s for s in self.spans(hours, day) if s.opens == time.min), None)

    def next_opening(self, hours: WeeklyHours, at: datetime) -> datetime | None:
        """When `hours` next open after `at` (or `at` itself when open); None if never."""
        if self.is_open(hours, at):
            return at
        local = at.astimezone(UK)
        for offset in range(0, LOOK_AHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            for span in self.spans(hours, day):
                opening = datetime.combine(day, span.opens, tzinfo=UK)
                if opening > local:
                    return opening.astimezone(at.tzinfo)
        return None


def _within(spans: tuple[Span, ...], wall: time) -> time:
    """`wall` if one of `spans` holds it (its close included: "by 17:00"); else the last
    close before it; else, before the day's first opening, that opening."""
    if any(span.opens <= wall <= span.closes for span in spans):
        return wall
    earlier = [span.closes for span in spans if span.closes < wall]
    return max(earlier) if earlier else spans[0].opens


def uk_datetime(at: datetime | None) -> str:
    """dd/mm/yyyy hh:mm in UK time, as the guide shows dates; blank for None."""
    return "" if at is None else at.astimezone(UK).strftime("%d/%m/%Y %H:%M")
