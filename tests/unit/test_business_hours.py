"""The business calendar: working days, bank holidays, clock changes, opening hours."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from frontdesk.business_hours import (
    UK,
    WEEKDAYS,
    BusinessCalendar,
    Closure,
    ExtraDay,
    WeeklyHours,
    uk_datetime,
)

calendar = BusinessCalendar()
OFFICE = WeeklyHours.office()


def uk(*parts: int) -> datetime:
    """A UK wall-clock time, as an aware UTC datetime (what the rules are given)."""
    return datetime(*parts, tzinfo=UK).astimezone(UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Bank holidays ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),  # Early May
        date(2026, 8, 31),  # Summer
        date(2026, 12, 25),  # Christmas Day, a Friday
        date(2026, 12, 28),  # Boxing Day falls on Saturday: substitute Monday
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 29),  # Easter Monday
        date(2027, 12, 27),  # Christmas on Saturday: substitute Monday
        date(2027, 12, 28),  # Boxing Day on Sunday: substitute Tuesday
        date(2028, 1, 3),  # New Year's Day on Saturday: substitute Monday
    ],
)
def test_bank_holidays_in_england_are_not_working_days(day):
    assert calendar.is_bank_holiday(day)
    assert not calendar.is_working_day(day)


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 6, 15), True),  # a Monday
        (date(2026, 6, 19), True),  # a Friday
        (date(2026, 6, 20), False),  # Saturday
        (date(2026, 6, 21), False),  # Sunday
        (date(2026, 12, 24), True),  # Christmas Eve is worked
        (date(2026, 12, 29), True),
        (date(2026, 12, 31), True),
    ],
)
def test_working_days_are_weekdays_that_are_not_bank_holidays(day, working):
    assert calendar.is_working_day(day) is working


# add_open_days: reply-by dates ------------------------------------------------------------------


def due(start: datetime, days: int, hours: WeeklyHours = OFFICE) -> datetime | None:
    return calendar.add_open_days(hours, start, days)


def test_two_working_days_keep_the_uk_wall_clock_time():
    assert due(uk(2026, 6, 15, 11, 20), 2) == uk(2026, 6, 17, 11, 20)


@pytest.mark.parametrize(
    "days, expected",
    [
        (2, uk(2026, 6, 19, 14, 30)),  # Wednesday -> Friday
        (3, uk(2026, 6, 22, 14, 30)),  # ...over the weekend to Monday
        (5, uk(2026, 6, 24, 14, 30)),  # a working week
        (10, uk(2026, 7, 1, 14, 30)),  # two working weeks
    ],
)
def test_reply_targets_count_working_days_only(days, expected):
    assert due(uk(2026, 6, 17, 14, 30), days) == expected


def test_before_opening_counts_from_opening_time_that_day():
    # The case: a message at 07:20 was due at 07:20, before anyone is at work.
    assert due(uk(2026, 6, 15, 7, 20), 2) == uk(2026, 6, 17, 9, 0)


def test_at_opening_time_counts_from_then():
    assert due(uk(2026, 6, 15, 9, 0), 2) == uk(2026, 6, 17, 9, 0)


def test_the_last_moment_before_closing_keeps_its_time():
    assert due(uk(2026, 6, 15, 16, 59), 2) == uk(2026, 6, 17, 16, 59)


def test_at_closing_time_counts_from_the_next_opening():
    # 17:00 is closed (a span's close is exclusive): Tuesday 09:00 starts the count.
    assert due(uk(2026, 6, 15, 17, 0), 2) == uk(2026, 6, 18, 9, 0)


def test_friday_afternoon_plus_two_is_tuesday_afternoon():
    assert due(uk(2026, 6, 19, 16, 45), 2) == uk(2026, 6, 23, 16, 45)


def test_friday_evening_counts_from_monday_morning():
    assert due(uk(2026, 6, 19, 19, 30), 2) == uk(2026, 6, 24, 9, 0)


@pytest.mark.parametrize("start", [uk(2026, 6, 20, 10, 0), uk(2026, 6, 21, 22, 15)])
def test_a_weekend_start_counts_from_monday_morning(start):
    assert due(start, 2) == uk(2026, 6, 24, 9, 0)


def test_a_weekend_start_with_ten_days_counts_ten_from_monday_morning():
    assert due(uk(2026, 6, 20, 10, 0), 10) == uk(2026, 7, 6, 9, 0)


def test_a_bank_holiday_start_counts_from_the_next_opening():
    # Summer bank holiday Monday 31 August 2026: Tuesday 09:00 starts the count.
    assert due(uk(2026, 8, 31, 9, 30), 2) == uk(2026, 9, 3, 9, 0)


def test_a_friday_before_a_bank_holiday_monday_skips_the_monday():
    assert due(uk(2026, 8, 28, 15, 0), 2) == uk(2026, 9, 2, 15, 0)


def test_hours_open_on_bank_holidays_count_them():
    hours = OFFICE.model_copy(update={"open_on_bank_holidays": True})
    assert due(uk(2026, 8, 28, 15, 0), 2, hours) == uk(2026, 9, 1, 15, 0)


def test_closure_days_are_not_counted():
    # Closed Tuesday and Wednesday for training: Monday's message is due on Friday.
    closed = Closure(start=date(2026, 6, 16), end=date(2026, 6, 17), reason="Staff training")
    hours = OFFICE.model_copy(update={"closures": (closed,)})
    assert due(uk(2026, 6, 15, 10, 0), 2, hours) == uk(2026, 6, 19, 10, 0)


def test_a_start_in_a_closure_counts_from_when_it_ends():
    closed = Closure(start=date(2026, 6, 15), end=date(2026, 6, 16), reason="Office move")
    hours = OFFICE.model_copy(update={"closures": (closed,)})
    assert due(uk(2026, 6, 15, 10, 0), 2, hours) == uk(2026, 6, 19, 9, 0)


def test_an_extra_opening_day_counts():
    saturday = ExtraDay.model_validate({"day": date(2026, 6, 20), "spans": "10:00-14:00"})
    hours = OFFICE.model_copy(update={"extra_days": (saturday,)})
    # Friday 11:00 + 1: Saturday opens, and 11:00 is within its hours.
    assert due(uk(2026, 6, 19, 11, 0), 1, hours) == uk(2026, 6, 20, 11, 0)
    # Friday 16:00 + 1: Saturday closes at 14:00, so by then.
    assert due(uk(2026, 6, 19, 16, 0), 1, hours) == uk(2026, 6, 20, 14, 0)


def test_a_due_day_that_closes_early_is_due_by_its_close():
    early_friday = WeeklyHours.model_validate(
        {"days": {d: "09:00-16:00" if d == "friday" else "09:00-17:00" for d in WEEKDAYS[:5]}}
    )
    assert due(uk(2026, 6, 15, 16, 30), 4, early_friday) == uk(2026, 6, 19, 16, 0)


def test_a_due_day_that_opens_late_is_due_at_its_opening():
    late_friday = WeeklyHours.model_validate(
        {"days": {d: "10:00-17:00" if d == "friday" else "08:00-17:00" for d in WEEKDAYS[:5]}}
    )
    assert due(uk(2026, 6, 15, 8, 30), 4, late_friday) == uk(2026, 6, 19, 10, 0)


def test_a_time_in_a_lunch_break_is_due_by_the_morning_close():
    split = WeeklyHours.model_validate(
        {"days": {"monday": "09:00-17:00", "wednesday": "09:00-12:00, 13:00-17:00"}}
    )
    assert due(uk(2026, 6, 15, 12, 30), 1, split) == uk(2026, 6, 17, 12, 0)


def test_hours_around_the_clock_count_every_day():
    always = WeeklyHours.model_validate(
        {"days": {d: "00:00-24:00" for d in WEEKDAYS}, "open_on_bank_holidays": True}
    )
    assert due(uk(2026, 6, 19, 23, 30), 2, always) == uk(2026, 6, 21, 23, 30)


def test_hours_that_never_open_have_no_due_date():
    assert due(uk(2026, 6, 15, 10, 0), 2, WeeklyHours(days={})) is None


def test_christmas_2026_with_boxing_day_substituted_to_monday():
    # 25 Fri holiday, 26-27 weekend, 28 Mon substitute: Tue 29 and Wed 30 count.
    assert due(uk(2026, 12, 24, 10, 0), 2) == uk(2026, 12, 30, 10, 0)


@pytest.mark.parametrize(
    "days, expected",
    [
        (2, uk(2027, 12, 30, 10, 0)),  # 27 and 28 are both substitute days
        (3, uk(2027, 12, 31, 10, 0)),
        (5, uk(2028, 1, 5, 10, 0)),  # and New Year's Day 2028 moves to Monday 3rd
    ],
)
def test_christmas_2027_with_both_days_substituted(days, expected):
    assert due(uk(2027, 12, 24, 10, 0), days) == expected


def test_new_years_day_is_skipped():
    assert due(uk(2026, 12, 31, 10, 0), 2) == uk(2027, 1, 5, 10, 0)


def test_good_friday_and_easter_monday_are_skipped():
    assert due(uk(2026, 4, 2, 12, 0), 2) == uk(2026, 4, 8, 12, 0)


def test_the_march_clock_change_moves_utc_but_not_uk_time():
    # Friday 27 March 2026 10:00 GMT; clocks go forward on Sunday 29 March.
    result = due(utc(2026, 3, 27, 10, 0), 2)
    assert result == utc(2026, 3, 31, 9, 0)
    assert result.astimezone(UK).hour == 10


def test_the_october_clock_change_moves_utc_but_not_uk_time():
    # Friday 23 October 2026 10:00 BST; clocks go back on Sunday 25 October.
    result = due(utc(2026, 10, 23, 9, 0), 2)
    assert result == utc(2026, 10, 27, 10, 0)
    assert result.astimezone(UK).hour == 10


def test_easter_2027_spans_the_clock_change():
    # Thursday 25 March 2027 10:00 GMT; Good Friday, the clock change and Easter Monday.
    result = due(utc(2027, 3, 25, 10, 0), 2)
    assert result == utc(2027, 3, 31, 9, 0)
    assert result.astimezone(UK).hour == 10


def test_a_start_on_the_clock_change_weekend_counts_from_monday_morning_in_bst():
    # Saturday 28 March 2026 (GMT); Monday 30 March opens at 09:00 BST (08:00 UTC).
    assert due(utc(2026, 3, 28, 12, 0), 2) == utc(2026, 4, 1, 8, 0)


def test_the_result_is_in_the_start_time_zone():
    assert (due(utc(2026, 6, 15, 10, 0), 2) or utc(1, 1, 1)).tzinfo is UTC
    assert (due(datetime(2026, 6, 15, 10, tzinfo=UK), 2) or utc(1, 1, 1)).tzinfo is UK


# is_open -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day", [date(2026, 12, 1), date(2026, 6, 16)], ids=["GMT", "BST"]
)  # two Tuesdays
@pytest.mark.parametrize(
    "wall, open_",
    [
        ((8, 59, 59), False),
        ((9, 0, 0), True),
        ((16, 59, 59), True),
        ((17, 0, 0), False),
    ],
)
def test_office_hours_edges_in_uk_time(day, wall, open_):
    at = uk(day.year, day.month, day.day, *wall)
    assert calendar.is_open(OFFICE, at) is open_


def test_the_same_utc_time_is_open_in_summer_and_closed_in_winter():
    assert calendar.is_open(OFFICE, utc(2026, 6, 16, 8, 30))  # 09:30 BST
    assert not calendar.is_open(OFFICE, utc(2026, 12, 1, 8, 30))  # 08:30 GMT
    assert not calendar.is_open(OFFICE, utc(2026, 6, 16, 16, 0))  # 17:00 BST
    assert calendar.is_open(OFFICE, utc(2026, 12, 1, 16, 0))  # 16:00 GMT


def test_closed_at_weekends():
    assert not calendar.is_open(OFFICE, uk(2026, 6, 20, 12, 0))
    assert not calendar.is_open(OFFICE, uk(2026, 6, 21, 12, 0))


@pytest.mark.parametrize("day", [date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28)])
def test_closed_on_bank_holidays(day):
    assert not calendar.is_open(OFFICE, uk(day.year, day.month, day.day, 12, 0))


def test_open_on_bank_holidays_when_the_hours_say_so():
    hours = OFFICE.model_copy(update={"open_on_bank_holidays": True})
    assert calendar.is_open(hours, uk(2026, 8, 31, 12, 0))
    assert not calendar.is_open(hours, uk(2026, 8, 31, 17, 0))


def test_several_spans_in_a_day():
    hours = WeeklyHours.model_validate({"days": {"monday": ["09:00-12:00", "13:00-17:00"]}})
    assert calendar.is_open(hours, uk(2026, 6, 15, 11, 59))
    assert not calendar.is_open(hours, uk(2026, 6, 15, 12, 30))
    assert calendar.is_open(hours, uk(2026, 6, 15, 13, 0))
    assert calendar.next_opening(hours, uk(2026, 6, 15, 12, 30)) == uk(2026, 6, 15, 13, 0)


# next_opening ----------------------------------------------------------------------------------


def test_next_opening_during_open_hours_is_now():
    at = uk(2026, 6, 16, 10, 17, 3)
    assert calendar.next_opening(OFFICE, at) is at


def test_next_opening_before_nine_is_nine_the_same_day():
    assert calendar.next_opening(OFFICE, uk(2026, 6, 16, 7, 0)) == uk(2026, 6, 16, 9, 0)


def test_next_opening_over_a_weekend_is_monday_morning():
    assert calendar.next_opening(OFFICE, uk(2026, 6, 19, 17, 0)) == uk(2026, 6, 22, 9, 0)
    assert calendar.next_opening(OFFICE, uk(2026, 6, 20, 12, 0)) == uk(2026, 6, 22, 9, 0)


def test_next_opening_skips_a_bank_holiday_monday():
    assert calendar.next_opening(OFFICE, uk(2026, 8, 28, 17, 0)) == uk(2026, 9, 1, 9, 0)


def test_next_opening_on_a_bank_holiday_when_open_on_bank_holidays():
    hours = OFFICE.model_copy(update={"open_on_bank_holidays": True})
    assert calendar.next_opening(hours, uk(2026, 8, 28, 17, 0)) == uk(2026, 8, 31, 9, 0)


def test_next_opening_in_christmas_week_2026():
    assert calendar.next_opening(OFFICE, uk(2026, 12, 24, 17, 0)) == uk(2026, 12, 29, 9, 0)


def test_next_opening_in_christmas_week_2027():
    assert calendar.next_opening(OFFICE, uk(2027, 12, 24, 17, 30)) == uk(2027, 12, 29, 9, 0)


def test_next_opening_across_the_march_clock_change():
    found = calendar.next_opening(OFFICE, utc(2026, 3, 27, 17, 30))
    assert found == utc(2026, 3, 30, 8, 0)  # 09:00 BST
    assert found is not None and found.tzinfo is UTC


def test_next_opening_after_an_early_friday_close():
    hours = WeeklyHours.model_validate(
        {"days": {"thursday": "09:00-17:00", "friday": "09:00-16:00", "monday": "09:00-17:00"}}
    )
    assert not calendar.is_open(hours, uk(2026, 6, 19, 16, 0))
    assert calendar.next_opening(hours, uk(2026, 6, 19, 16, 0)) == uk(2026, 6, 22, 9, 0)


def test_next_opening_of_hours_that_never_open_is_none():
    assert calendar.next_opening(WeeklyHours(days={}), uk(2026, 6, 16, 10, 0)) is None


# WeeklyHours parsing and describe() ------------------------------------------------------------


@pytest.mark.parametrize(
    "days, message",
    [
        ({"monday": "17:00-09:00"}, "closes before it opens"),
        ({"monday": "09:00-09:00"}, "closes before it opens"),
        ({"monday": "9am"}, "monday: hours must look like 09:00-17:00, not '9am'"),
        ({"monday": "9am-5pm"}, "hours must look like 09:00-17:00"),
        ({"monday": "09:00-12:00-17:00"}, "hours must look like 09:00-17:00"),
        ({"tuesday": ["09:00-12:00", "25:00-26:00"]}, "tuesday: hours must look like"),
        ({"monday": None}, "monday: hours must look like 09:00-17:00, not None"),
        ({"monday": 9}, "monday: hours must look like 09:00-17:00, not 9"),
        ({"funday": "09:00-17:00"}, "'funday' is not a weekday name"),
        ({"Monday": "09:00-17:00"}, "'Monday' is not a weekday name"),
    ],
)
def test_bad_hours_are_refused_with_a_reason(days, message):
    with pytest.raises(ValidationError) as caught:
        WeeklyHours.model_validate({"days": days})
    assert message in str(caught.value)


def test_hours_refuse_unknown_keys():
    with pytest.raises(ValidationError, match="open_on_holidays"):
        WeeklyHours.model_validate({"days": {}, "open_on_holidays": True})


def test_office_hours_are_monday_to_friday_nine_to_five():
    assert OFFICE.describe() == "Monday - Friday 09:00-17:00"
    assert not OFFICE.open_on_bank_holidays


@pytest.mark.parametrize(
    "days, text",
    [
        (
            {d: "09:00-17:00" for d in ("monday", "tuesday", "wednesday", "thursday")}
            | {"friday": "09:00-16:00"},
            "Monday - Thursday 09:00-17:00; Friday 09:00-16:00",
        ),
        (
            {"monday": "09:00-17:00", "wednesday": "09:00-17:00"},
            "Monday 09:00-17:00; Wednesday 09:00-17:00",
        ),
        ({"monday": ["09:00-12:00", "13:00-17:00"]}, "Monday 09:00-12:00, 13:00-17:00"),
        ({"saturday": "10:00-14:00", "sunday": "10:00-14:00"}, "Saturday - Sunday 10:00-14:00"),
        ({}, ""),
    ],
)
def test_describe_groups_consecutive_days_with_the_same_hours(days, text):
    assert WeeklyHours.model_validate({"days": days}).describe() == text


# uk_datetime -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at, text",
    [
        (utc(2026, 6, 15, 10, 0), "15/06/2026 11:00"),  # BST
        (utc(2026, 12, 1, 10, 5), "01/12/2026 10:05"),  # GMT
        (utc(2026, 6, 30, 23, 30), "01/07/2026 00:30"),  # the UK date, not the UTC one
        (utc(2026, 3, 29, 1, 0), "29/03/2026 02:00"),  # the first minute of BST
        (utc(2026, 10, 25, 0, 30), "25/10/2026 01:30"),  # the repeated hour, in BST...
        (utc(2026, 10, 25, 1, 30), "25/10/2026 01:30"),  # ...and again in GMT
    ],
)
def test_uk_datetime_is_day_month_year_in_uk_time(at, text):
    assert uk_datetime(at) == text


def test_uk_datetime_of_nothing_is_blank():
    assert uk_datetime(None) == ""


# closing_time ----------------------------------------------------------------------------------


@pytest.mark.parametrize("wall", [(9, 0, 0), (12, 30, 0), (16, 59, 59)])
def test_closing_time_is_the_end_of_the_open_span(wall):
    assert calendar.closing_time(OFFICE, uk(2026, 6, 16, *wall)) == uk(2026, 6, 16, 17, 0)


@pytest.mark.parametrize(
    "at",
    [
        uk(2026, 6, 16, 8, 59, 59),  # before opening
        uk(2026, 6, 16, 17, 0),  # at closing: `closes` is exclusive
        uk(2026, 6, 16, 22, 0),
        uk(2026, 6, 20, 12, 0),  # Saturday
        uk(2026, 8, 31, 12, 0),  # Summer bank holiday
        uk(2026, 12, 25, 12, 0),  # Christmas Day
    ],
)
def test_closing_time_is_none_when_closed(at):
    assert calendar.closing_time(OFFICE, at) is None


def test_closing_time_on_a_bank_holiday_when_open_on_bank_holidays():
    hours = OFFICE.model_copy(update={"open_on_bank_holidays": True})
    assert calendar.closing_time(hours, uk(2026, 8, 31, 12, 0)) == uk(2026, 8, 31, 17, 0)


def test_closing_time_is_the_end_of_the_span_it_falls_in():
    hours = WeeklyHours.model_validate({"days": {"monday": ["09:00-12:00", "13:00-17:00"]}})
    assert calendar.closing_time(hours, uk(2026, 6, 15, 11, 59)) == uk(2026, 6, 15, 12, 0)
    assert calendar.closing_time(hours, uk(2026, 6, 15, 12, 30)) is None
    assert calendar.closing_time(hours, uk(2026, 6, 15, 13, 0)) == uk(2026, 6, 15, 17, 0)


def test_closing_time_of_an_early_friday_close():
    hours = WeeklyHours.model_validate(
        {"days": {"thursday": "09:00-17:00", "friday": "09:00-16:00"}}
    )
    assert calendar.closing_time(hours, uk(2026, 6, 18, 15, 30)) == uk(2026, 6, 18, 17, 0)
    assert calendar.closing_time(hours, uk(2026, 6, 19, 15, 30)) == uk(2026, 6, 19, 16, 0)
    assert calendar.closing_time(hours, uk(2026, 6, 19, 16, 0)) is None


@pytest.mark.parametrize(
    "at, closes",
    [
        (utc(2026, 3, 27, 10, 0), utc(2026, 3, 27, 17, 0)),  # Friday before: GMT
        (utc(2026, 3, 30, 10, 0), utc(2026, 3, 30, 16, 0)),  # Monday after: 17:00 BST
        (utc(2026, 10, 23, 10, 0), utc(2026, 10, 23, 16, 0)),  # Friday before: BST
        (utc(2026, 10, 26, 10, 0), utc(2026, 10, 26, 17, 0)),  # Monday after: 17:00 GMT
    ],
)
def test_closing_time_around_the_clock_changes_is_five_uk_time(at, closes):
    found = calendar.closing_time(OFFICE, at)
    assert found == closes
    assert found is not None and found.tzinfo is UTC


@pytest.mark.parametrize(
    "at, closes",
    [
        # Sunday 29 March 2026: 01:00 GMT becomes 02:00 BST, so the day is an hour short.
        (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 16, 0)),
        (utc(2026, 3, 29, 15, 59, 59), utc(2026, 3, 29, 16, 0)),
        # Sunday 25 October 2026: 02:00 BST becomes 01:00 GMT, so the day is an hour long.
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 17, 0)),
        (utc(2026, 10, 25, 16, 59, 59), utc(2026, 10, 25, 17, 0)),
    ],
)
def test_closing_time_on_the_clock_change_sundays(at, closes):
    hours = WeeklyHours.model_validate({"days": {"sunday": "00:00-17:00"}})
    assert calendar.closing_time(hours, at) == closes


def test_closing_time_in_the_repeated_hour_is_the_closing_of_that_pass():
    # Sunday 25 October 2026 shows 01:00-01:59 twice: first BST (00:xx UTC), then GMT.
    hours = WeeklyHours.model_validate({"days": {"sunday": "00:00-01:30"}})
    assert calendar.closing_time(hours, utc(2026, 10, 25, 0, 10)) == utc(2026, 10, 25, 0, 30)
    assert calendar.closing_time(hours, utc(2026, 10, 25, 1, 10)) == utc(2026, 10, 25, 1, 30)


def test_closing_time_keeps_the_time_zone_it_was_given():
    at = datetime(2026, 6, 16, 10, 0, tzinfo=UK)
    found = calendar.closing_time(OFFICE, at)
    assert found == uk(2026, 6, 16, 17, 0)
    assert found is not None and found.tzinfo is UK


AROUND_THE_CLOCK = WeeklyHours.model_validate(
    {"days": {day: "00:00-24:00" for day in WEEKDAYS}, "open_on_bank_holidays": True}
)


@pytest.mark.parametrize("at", [uk(2026, 12, 6, 23, 59), uk(2026, 12, 25, 3, 0)])
def test_hours_around_the_clock_are_open_and_do_not_close_within_a_week(at):
    # Sunday night, Christmas Day: the demo's group never closes, so a waiting chat gives
    # up at its maximum wait, never at a midnight "closing".
    assert calendar.is_open(AROUND_THE_CLOCK, at)
    assert calendar.closing_time(AROUND_THE_CLOCK, at) == at + timedelta(days=7)
    assert AROUND_THE_CLOCK.describe() == "around the clock, every day"


def test_a_span_to_midnight_runs_on_into_the_next_days_span_from_midnight():
    hours = WeeklyHours.model_validate(
        {"days": {"friday": "20:00-24:00", "saturday": ["00:00-02:00", "10:00-12:00"]}}
    )
    assert calendar.closing_time(hours, uk(2026, 6, 19, 21, 0)) == uk(2026, 6, 20, 2, 0)
    assert calendar.closing_time(hours, uk(2026, 6, 20, 1, 0)) == uk(2026, 6, 20, 2, 0)


def test_a_span_to_midnight_closes_at_midnight_when_the_next_day_does_not_open_then():
    hours = WeeklyHours.model_validate(
        {"days": {"friday": "20:00-24:00", "saturday": "01:00-02:00"}}
    )
    assert calendar.closing_time(hours, uk(2026, 6, 19, 21, 0)) == uk(2026, 6, 20, 0, 0)
    assert not calendar.is_open(hours, uk(2026, 6, 20, 0, 0))


def test_a_bank_holiday_stops_a_span_running_on_past_midnight():
    # Open every day but not on bank holidays: Sunday 30 August runs to midnight only,
    # because Monday 31 August 2026 is the Summer bank holiday.
    hours = AROUND_THE_CLOCK.model_copy(update={"open_on_bank_holidays": False})
    assert calendar.closing_time(hours, uk(2026, 8, 30, 12, 0)) == uk(2026, 8, 31, 0, 0)
    assert hours.describe() != "around the clock, every day"


# Closures and extra opening days ---------------------------------------------------------

TRAINING = {"start": date(2026, 12, 9), "end": date(2026, 12, 10), "reason": "Staff training"}
SATURDAY = {"day": date(2026, 12, 12), "spans": "09:00-13:00"}


def with_days(**extra: object) -> WeeklyHours:
    return WeeklyHours.model_validate({"days": {d: "09:00-17:00" for d in WEEKDAYS[:5]}, **extra})


@pytest.mark.parametrize(
    "at, open_",
    [
        (uk(2026, 12, 8, 16, 59), True),  # the day before
        (uk(2026, 12, 9, 9, 0), False),  # the first day, at opening
        (uk(2026, 12, 10, 16, 59), False),  # the last day, included
        (uk(2026, 12, 11, 9, 0), True),  # the day after
    ],
)
def test_a_closure_closes_its_days_inclusive(at, open_):
    assert calendar.is_open(with_days(closures=[TRAINING]), at) is open_


def test_next_opening_skips_a_closure():
    hours = with_days(closures=[TRAINING])
    assert calendar.next_opening(hours, uk(2026, 12, 8, 17, 0)) == uk(2026, 12, 11, 9, 0)


def test_closing_time_stops_where_a_closure_starts():
    hours = WeeklyHours.model_validate({
        "days": dict.fromkeys(WEEKDAYS, "00:00-24:00"), "open_on_bank_holidays": True,
        "closures": [TRAINING],
    })  # fmt: skip
    assert calendar.closing_time(hours, uk(2026, 12, 8, 12, 0)) == uk(2026, 12, 9, 0, 0)


@pytest.mark.parametrize(
    "at, open_",
    [
        (uk(2026, 12, 12, 8, 59), False),
        (uk(2026, 12, 12, 9, 0), True),
        (uk(2026, 12, 12, 12, 59), True),
        (uk(2026, 12, 12, 13, 0), False),
    ],
)
def test_an_extra_day_opens_a_saturday_for_its_spans(at, open_):
    assert calendar.is_open(with_days(extra_days=[SATURDAY]), at) is open_


def test_an_extra_day_opens_a_bank_holiday_and_next_opening_finds_it():
    boxing = {"day": date(2026, 12, 28), "spans": "10:00-12:00"}  # substitute Boxing Day
    hours = with_days(extra_days=[boxing])
    assert calendar.is_open(hours, uk(2026, 12, 28, 10, 0))
    assert calendar.next_opening(hours, uk(2026, 12, 24, 17, 0)) == uk(2026, 12, 28, 10, 0)
    assert calendar.closing_time(hours, uk(2026, 12, 28, 11, 0)) == uk(2026, 12, 28, 12, 0)


def test_a_closure_wins_over_an_extra_day():
    hours = with_days(
        closures=[{"start": date(2026, 12, 12), "reason": "Flood"}], extra_days=[SATURDAY]
    )
    assert not calendar.is_open(hours, uk(2026, 12, 12, 10, 0))


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"closures": [{**TRAINING, "end": date(2026, 12, 1)}]}, "ends (2026-12-01) before it"),
        ({"closures": [{**TRAINING, "reason": "  "}]}, "at least 1 character"),
        ({"extra_days": [SATURDAY, SATURDAY]}, "2026-12-12 appears twice"),
        ({"extra_days": [{**SATURDAY, "spans": "09:00-12:00, 11:00-13:00"}]}, "overlap"),
    ],
)
def test_bad_closures_and_extra_days_are_refused(extra, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        with_days(**extra)


def test_hours_dump_spans_as_the_file_writes_them_and_load_again():
    hours = with_days(extra_days=[SATURDAY], closures=[TRAINING])
    dumped = hours.model_dump(mode="json")
    assert dumped["days"]["monday"] == "09:00-17:00"
    assert dumped["extra_days"] == [{"day": "2026-12-12", "spans": "09:00-13:00"}]
    assert WeeklyHours.model_validate(dumped) == hours
