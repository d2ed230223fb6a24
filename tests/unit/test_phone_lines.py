"""The phone lines' hours read from the taxonomy's words, and the time a call-us case
gives its customer to call: the guide's 24 hours, from when the lines are open."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from frontdesk.business_hours import UK, BusinessCalendar
from frontdesk.intake.phone_lines import (
    CallWindow,
    call_deadline,
    call_window,
    lines_closed,
    read_phone_hours,
)

calendar = BusinessCalendar()
LINES = "Monday to Friday, 08:00 to 17:00 (UK time)"  # the shipped default


def uk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UK).astimezone(UTC)


@pytest.mark.parametrize(
    "text, described",
    [
        (LINES, "Monday - Friday 08:00-17:00"),
        ("Monday to Friday, 08:30 to 17:30 (UK time)", "Monday - Friday 08:30-17:30"),
        ("Monday - Friday 9 am - 5 pm", "Monday - Friday 09:00-17:00"),
        (
            "Monday to Thursday 9:00-17:00; Friday 9:00-16:00; Saturday 10am to 12pm.",
            "Monday - Thursday 09:00-17:00; Friday 09:00-16:00; Saturday 10:00-12:00",
        ),
    ],
)
def test_the_taxonomys_words_read_as_hours(text, described):
    hours = read_phone_hours(text)
    assert hours is not None and hours.describe() == described


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Weekdays, office hours",
        "Monday to Friday",
        "Monday 17:00 to 08:00",
        "Friday to Monday 9-5",
    ],
)
def test_words_that_do_not_read_as_hours_are_none(text):
    assert read_phone_hours(text) is None


def test_in_hours_the_window_is_the_guides_24_hours():
    now = uk(2026, 6, 15, 11, 0)  # Monday
    window = call_window(calendar, LINES, now)
    assert window == CallWindow(opens_at=None, call_by=uk(2026, 6, 16, 11, 0), full_day=True)
    assert lines_closed(window) is None
    assert call_deadline(window) == (
        "If you do not call us within 24 hours of creating the case, we will close it"
        " automatically."
    )


def test_before_the_lines_open_the_window_starts_at_their_opening():
    window = call_window(calendar, LINES, uk(2026, 6, 15, 7, 20))
    assert (window.opens_at, window.call_by) == (uk(2026, 6, 15, 8, 0), uk(2026, 6, 16, 8, 0))
    assert call_deadline(window) == (
        "Our lines are closed now and open again Monday 15 June at 08:00 (UK time)."
        " If you do not call us by Tuesday 16 June at 08:00 (UK time), we will close the"
        " case automatically."
    )


def test_at_closing_time_the_window_starts_the_next_morning():
    window = call_window(calendar, LINES, uk(2026, 6, 15, 17, 0))
    assert (window.opens_at, window.call_by) == (uk(2026, 6, 16, 8, 0), uk(2026, 6, 17, 8, 0))


def test_on_a_friday_evening_the_window_starts_on_monday_morning():
    window = call_window(calendar, LINES, uk(2026, 6, 19, 19, 30))
    assert (window.opens_at, window.call_by) == (uk(2026, 6, 22, 8, 0), uk(2026, 6, 23, 8, 0))
    assert lines_closed(window) == (
        "Our lines are closed now and open again Monday 22 June at 08:00 (UK time)."
    )


def test_a_window_ending_at_the_weekend_runs_to_the_end_of_mondays_lines():
    # Friday 16:59: 24 hours end on Saturday, with the lines shut; the customer can
    # still call all of Monday.
    window = call_window(calendar, LINES, uk(2026, 6, 19, 16, 59))
    assert window == CallWindow(opens_at=None, call_by=uk(2026, 6, 22, 17, 0), full_day=False)
    assert call_deadline(window) == (
        "If you do not call us by Monday 22 June at 17:00 (UK time), we will close the case"
        " automatically."
    )


def test_on_a_bank_holiday_the_window_starts_the_next_working_morning():
    window = call_window(calendar, LINES, uk(2026, 8, 31, 10, 0))  # Summer bank holiday
    assert (window.opens_at, window.call_by) == (uk(2026, 9, 1, 8, 0), uk(2026, 9, 2, 8, 0))


def test_lines_whose_hours_do_not_read_get_24_hours_from_now():
    now = uk(2026, 6, 20, 3, 0)  # a Saturday night: we cannot tell when they open
    window = call_window(calendar, "Ring any time you like", now)
    assert window == CallWindow(opens_at=None, call_by=uk(2026, 6, 21, 3, 0), full_day=True)
