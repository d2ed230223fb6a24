"""Routing policy: admission by office hours at their edges, maximum wait, estimates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.business_hours import BusinessCalendar, WeeklyHours
from frontdesk.queue.policy import (
    DEFAULT_HANDLE_TIME,
    admission,
    estimated_wait,
    waited_too_long,
)

CALENDAR = BusinessCalendar()
OFFICE = WeeklyHours.office()


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        # Winter (GMT = UTC): Monday 12 January 2026.
        (datetime(2026, 1, 12, 8, 59, 59, tzinfo=UTC), False),
        (datetime(2026, 1, 12, 9, 0, tzinfo=UTC), True),
        (datetime(2026, 1, 12, 16, 59, 59, tzinfo=UTC), True),
        (datetime(2026, 1, 12, 17, 0, tzinfo=UTC), False),
        # Summer (BST = UTC+1): Monday 15 June 2026, 09:00 UK is 08:00 UTC.
        (datetime(2026, 6, 15, 7, 59, 59, tzinfo=UTC), False),
        (datetime(2026, 6, 15, 8, 0, tzinfo=UTC), True),
        (datetime(2026, 6, 15, 16, 0, tzinfo=UTC), False),
        # Easter Monday 6 April 2026, midday: a bank holiday.
        (datetime(2026, 4, 6, 11, 0, tzinfo=UTC), False),
    ],
)
def test_admission_follows_office_hours_at_their_edges(at, is_open):
    assert admission(CALENDAR, OFFICE, at).open is is_open


@pytest.mark.parametrize(
    ("at", "opens"),
    [
        # The Friday before the clocks go forward (29 March 2026) -> Monday 09:00 BST.
        (datetime(2026, 3, 27, 17, 0, tzinfo=UTC), datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),
        # The Friday before the clocks go back (25 October 2026) -> Monday 09:00 GMT.
        (datetime(2026, 10, 23, 16, 0, tzinfo=UTC), datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
        # Christmas Eve evening -> Tuesday 29 December (25th, 28th observed Boxing Day).
        (datetime(2026, 12, 24, 18, 0, tzinfo=UTC), datetime(2026, 12, 29, 9, 0, tzinfo=UTC)),
    ],
)
def test_a_closed_group_says_when_it_opens(at, opens):
    decision = admission(CALENDAR, OFFICE, at)
    assert not decision.open
    assert decision.next_opening == opens


def test_an_open_group_has_no_next_opening():
    assert admission(CALENDAR, OFFICE, datetime(2026, 1, 12, 10, tzinfo=UTC)).next_opening is None


def test_the_maximum_wait_is_reached_exactly_at_its_edge():
    enqueued = datetime(2026, 1, 12, 10, tzinfo=UTC)
    limit = timedelta(minutes=15)
    assert not waited_too_long(enqueued, enqueued + limit - timedelta(seconds=1), limit)
    assert waited_too_long(enqueued, enqueued + limit, limit)


def test_estimate_uses_recent_handle_times_and_seats():
    handle = [timedelta(minutes=4), timedelta(minutes=8)]
    assert estimated_wait(1, 3, handle) == timedelta(minutes=6)
    assert estimated_wait(3, 3, handle) == timedelta(minutes=6)
    assert estimated_wait(4, 3, handle) == timedelta(minutes=12)


def test_estimate_without_history_assumes_the_default_handle_time():
    assert estimated_wait(5, 2, []) == DEFAULT_HANDLE_TIME * 3


def test_no_estimate_without_seats_and_none_needed_when_offered():
    assert estimated_wait(2, 0, []) is None
    assert estimated_wait(0, 0, []) == timedelta(0)
