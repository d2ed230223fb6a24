"""The router on the shipped groups: office hours at their edges, waits, deadlines, seats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.business_hours import UK, BusinessCalendar
from frontdesk.errors import Conflict
from frontdesk.intake.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from frontdesk.queue.memory_backend import MemoryQueueBackend
from frontdesk.queue.models import QueueEntry
from frontdesk.queue.policy import DEFAULT_HANDLE_TIME
from frontdesk.queue.router import GRACE, WAIT, Router, Timings

GROUPS = load_taxonomy(DEFAULT_TAXONOMY).groups
TIMINGS = Timings(offer_seconds=20, grace_seconds=60, max_wait=timedelta(minutes=15))
LEASE = 30
MS = timedelta(milliseconds=1)


async def set_agent(router, agent_id, presence, groups, capacity, now, active=None):
    return await router.set_agent(
        agent_id, presence=presence, groups=groups, capacity=capacity, now=now, active=active
    )


def uk(*parts: int) -> datetime:
    """A UK wall-clock time, as an aware UTC datetime (what the router is given)."""
    return datetime(*parts, tzinfo=UK).astimezone(UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def backend() -> MemoryQueueBackend:
    return MemoryQueueBackend()


@pytest.fixture
def router(backend: MemoryQueueBackend) -> Router:
    return Router(backend, BusinessCalendar(), lambda: GROUPS, TIMINGS)


def refusal(router: Router, group: str, now: datetime) -> Conflict:
    with pytest.raises(Conflict) as raised:
        router.admit(group, now)
    return raised.value


def entry(chat_id: str, enqueued_at: datetime, group: str = "centres") -> QueueEntry:
    return QueueEntry(chat_id=chat_id, group=group, enqueued_at=enqueued_at)


def test_chat_groups_are_the_shipped_groups_that_offer_chat(router):
    assert router.chat_groups() == ["associates", "centres"]


# admit -------------------------------------------------------------------------------------


def test_admit_refuses_a_second_before_nine_and_says_chat_opens_at_nine(router):
    refused = refusal(router, "centres", uk(2026, 6, 15, 8, 59, 59))
    assert refused.code == "OUTSIDE_OFFICE_HOURS"
    assert refused.status == 409
    assert refused.fields == {"next_opening": uk(2026, 6, 15, 9, 0).isoformat()}
    assert "Monday 15 June at 09:00 (UK time)" in refused.message


@pytest.mark.parametrize("wall", [(9, 0, 0), (12, 30, 0), (16, 59, 59)])
def test_admit_takes_requests_from_nine_until_a_second_before_five(router, wall):
    router.admit("centres", uk(2026, 6, 15, *wall))  # no refusal


def test_admit_refuses_at_five_and_says_chat_opens_the_next_working_day(router):
    refused = refusal(router, "centres", uk(2026, 6, 15, 17, 0))
    assert refused.code == "OUTSIDE_OFFICE_HOURS"
    assert refused.fields["next_opening"] == uk(2026, 6, 16, 9, 0).isoformat()


def test_admit_on_friday_at_five_says_chat_opens_on_monday(router):
    refused = refusal(router, "centres", uk(2026, 6, 19, 17, 0))
    assert refused.fields["next_opening"] == uk(2026, 6, 22, 9, 0).isoformat()
    assert "Monday 22 June at 09:00" in refused.message


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        # Summer bank holiday, Monday 31 August 2026 -> Tuesday.
        (uk(2026, 8, 31, 10, 0), uk(2026, 9, 1, 9, 0)),
        # Christmas Day (Friday) -> over the weekend and the substitute Boxing Day Monday.
        (uk(2026, 12, 25, 10, 0), uk(2026, 12, 29, 9, 0)),
    ],
)
def test_admit_refuses_on_a_bank_holiday_and_names_the_next_working_day(router, now, opens):
    refused = refusal(router, "centres", now)
    assert refused.code == "OUTSIDE_OFFICE_HOURS"
    assert refused.fields["next_opening"] == opens.isoformat()


@pytest.mark.parametrize(
    ("day", "nine_utc"),
    [
        ((2026, 3, 30), utc(2026, 3, 30, 8, 0)),  # the Monday after the clocks go forward: BST
        ((2026, 10, 26), utc(2026, 10, 26, 9, 0)),  # the Monday after they go back: GMT
    ],
)
def test_admit_after_a_clock_change_opens_at_nine_uk_time(router, day, nine_utc):
    assert uk(*day, 9, 0) == nine_utc
    refused = refusal(router, "centres", nine_utc - timedelta(seconds=1))
    assert refused.fields["next_opening"] == nine_utc.isoformat()
    assert "at 09:00 (UK time)" in refused.message
    router.admit("centres", nine_utc)


@pytest.mark.parametrize(
    ("friday_close", "monday_nine"),
    [
        (utc(2026, 3, 27, 17, 0), utc(2026, 3, 30, 8, 0)),  # GMT Friday -> BST Monday
        (utc(2026, 10, 23, 16, 0), utc(2026, 10, 26, 9, 0)),  # BST Friday -> GMT Monday
    ],
)
def test_admit_over_a_clock_change_weekend_names_monday_nine_uk_time(
    router, friday_close, monday_nine
):
    refused = refusal(router, "centres", friday_close)
    assert refused.fields["next_opening"] == monday_nine.isoformat()


@pytest.mark.parametrize("group", ["learners", "nobody"])
def test_admit_refuses_a_group_without_chat_at_any_hour(router, group):
    refused = refusal(router, group, uk(2026, 6, 15, 12, 0))
    assert refused.code == "CHAT_NOT_OFFERED"
    assert refused.fields == {}


def test_associates_close_at_four_on_fridays(router):
    router.admit("associates", uk(2026, 6, 19, 15, 59, 59))
    router.admit("associates", uk(2026, 6, 18, 16, 0))  # Thursday: open until five
    router.admit("centres", uk(2026, 6, 19, 16, 0))  # other groups keep their hours
    refused = refusal(router, "associates", uk(2026, 6, 19, 16, 0))
    assert refused.code == "OUTSIDE_OFFICE_HOURS"
    assert refused.fields["next_opening"] == uk(2026, 6, 22, 9, 0).isoformat()


# leave_by and overdue ------------------------------------------------------------------------


def test_leave_by_is_the_maximum_wait_when_closing_is_later(router):
    enqueued = uk(2026, 6, 15, 10, 0)
    assert router.leave_by("centres", enqueued, enqueued) == uk(2026, 6, 15, 10, 15)


@pytest.mark.parametrize(
    ("group", "enqueued", "closing"),
    [
        ("centres", uk(2026, 6, 15, 16, 50), uk(2026, 6, 15, 17, 0)),
        ("associates", uk(2026, 6, 19, 15, 50), uk(2026, 6, 19, 16, 0)),
        ("centres", uk(2026, 10, 26, 16, 55), utc(2026, 10, 26, 17, 0)),  # GMT
        ("centres", uk(2026, 3, 30, 16, 55), utc(2026, 3, 30, 16, 0)),  # BST
    ],
)
def test_leave_by_is_the_closing_time_when_that_comes_first(router, group, enqueued, closing):
    assert router.leave_by(group, enqueued, enqueued) == closing


def test_leave_by_when_both_limits_meet_is_that_instant(router):
    enqueued = uk(2026, 6, 15, 16, 45)
    assert router.leave_by("centres", enqueued, enqueued) == uk(2026, 6, 15, 17, 0)


def test_leave_by_counts_the_wait_from_enqueued_at_not_now(router):
    enqueued = uk(2026, 6, 15, 10, 0)
    later = uk(2026, 6, 15, 10, 10)
    assert router.leave_by("centres", enqueued, later) == uk(2026, 6, 15, 10, 15)


def test_overdue_is_max_wait_exactly_at_the_maximum_wait_and_none_a_second_before(router):
    enqueued = uk(2026, 6, 15, 10, 0)
    limit = enqueued + TIMINGS.max_wait
    assert router.overdue("centres", enqueued, limit - timedelta(seconds=1)) is None
    assert router.overdue("centres", enqueued, limit) == "max_wait"


def test_overdue_is_closed_from_closing_time(router):
    enqueued = uk(2026, 6, 15, 16, 50)
    assert router.overdue("centres", enqueued, uk(2026, 6, 15, 16, 59, 59)) is None
    assert router.overdue("centres", enqueued, uk(2026, 6, 15, 17, 0)) == "closed"


def test_overdue_says_closed_rather_than_max_wait_when_both_hold(router):
    enqueued = uk(2026, 6, 15, 16, 40)
    assert router.overdue("centres", enqueued, uk(2026, 6, 15, 17, 0)) == "closed"


def test_overdue_associates_are_closed_at_four_on_friday(router):
    enqueued = uk(2026, 6, 19, 15, 55)
    assert router.overdue("associates", enqueued, uk(2026, 6, 19, 15, 59, 59)) is None
    assert router.overdue("associates", enqueued, uk(2026, 6, 19, 16, 0)) == "closed"


@pytest.mark.parametrize("group", ["learners", "nobody"])
def test_overdue_is_closed_for_a_group_without_chat(router, group):
    now = uk(2026, 6, 15, 12, 0)
    assert router.overdue(group, now, now) == "closed"


# enqueue, withdraw and the WAIT deadline ----------------------------------------------------


async def test_enqueue_sets_a_wait_deadline_that_falls_due_at_the_maximum_wait(router, backend):
    enqueued = uk(2026, 6, 15, 10, 0)
    assert await router.enqueue(entry("a", enqueued), enqueued) == 1
    assert await router.enqueue(entry("b", enqueued + MS), enqueued) == 2
    leave_by = uk(2026, 6, 15, 10, 15)
    assert await backend.take_due(leave_by - MS, LEASE) == []
    assert await backend.take_due(leave_by, LEASE) == [(WAIT, "a")]
    assert await backend.take_due(leave_by + MS, LEASE) == [(WAIT, "b")]


async def test_enqueue_near_closing_is_due_at_closing(router, backend):
    enqueued = uk(2026, 6, 19, 15, 52)
    await router.enqueue(entry("a", enqueued, group="associates"), enqueued)
    assert await backend.take_due(uk(2026, 6, 19, 16, 0) - MS, LEASE) == []
    assert await backend.take_due(uk(2026, 6, 19, 16, 0), LEASE) == [(WAIT, "a")]


async def test_enqueue_again_keeps_the_place_and_the_leave_by(router, backend):
    enqueued = uk(2026, 6, 15, 10, 0)
    await router.enqueue(entry("a", enqueued), enqueued)
    await router.enqueue(entry("b", enqueued + MS), enqueued)
    again = uk(2026, 6, 15, 10, 5)  # a reconnecting customer asks again
    assert await router.enqueue(entry("a", enqueued), again) == 1
    assert await backend.take_due(uk(2026, 6, 15, 10, 15), LEASE) == [(WAIT, "a")]


async def test_withdraw_leaves_the_line_and_cancels_the_wait_deadline(router, backend):
    enqueued = uk(2026, 6, 15, 10, 0)
    await router.enqueue(entry("a", enqueued), enqueued)
    assert await router.withdraw("a") is True
    assert await backend.line("centres") == []
    assert await backend.take_due(uk(2026, 6, 15, 11, 0), LEASE) == []
    assert await router.withdraw("a") is False


# seats, offers, accept ----------------------------------------------------------------------


async def test_fill_seats_gives_one_offer_per_free_seat_oldest_first(router, backend):
    now = uk(2026, 6, 15, 10, 0)
    for n in range(5):
        await router.enqueue(entry(f"c{n}", now + n * MS), now)
    await set_agent(router, 1, "available", ("centres",), 3, now, active=1)
    offers = await router.fill_seats(1, now)
    assert [o.chat_id for o in offers] == ["c0", "c1"]
    assert {(o.agent_id, o.deadline) for o in offers} == {(1, now + timedelta(seconds=20))}
    assert await router.fill_seats(1, now) == []  # full
    assert await backend.line("centres") == ["c2", "c3", "c4"]


async def test_fill_seats_takes_from_every_group_the_agent_serves(router, backend):
    now = uk(2026, 6, 15, 10, 0)
    await router.enqueue(entry("c", now + 2 * MS), now)
    await router.enqueue(entry("a", now + MS, group="associates"), now)
    await router.enqueue(entry("late", now + 3 * MS), now)
    await set_agent(router, 1, "available", ("centres", "associates"), 2, now)
    assert [o.chat_id for o in await router.fill_seats(1, now)] == ["a", "c"]


async def test_fill_seats_for_an_away_agent_offers_nothing(router, backend):
    now = uk(2026, 6, 15, 10, 0)
    await router.enqueue(entry("a", now), now)
    await set_agent(router, 1, "away", ("centres",), 3, now)
    assert await router.fill_seats(1, now) == []
    assert await backend.line("centres") == ["a"]


async def test_accept_cancels_the_wait_deadline(router, backend):
    now = uk(2026, 6, 15, 10, 0)
    await router.enqueue(entry("a", now), now)
    await router.enqueue(entry("b", now + MS), now)
    await set_agent(router, 1, "available", ("centres",), 3, now)
    await router.fill_seats(1, now)
    assert await router.accept("a", 2) is False  # not this agent's offer
    assert await router.accept("a", 1) is True
    assert await backend.take_due(uk(2026, 6, 15, 11, 0), LEASE) == [(WAIT, "b")]


async def test_a_refused_accept_keeps_the_wait_deadline(router, backend):
    now = uk(2026, 6, 15, 10, 0)
    await router.enqueue(entry("a", now), now)
    await set_agent(router, 1, "available", ("centres",), 3, now)
    await router.route_request("a", now)
    assert await router.accept("a", 2) is False
    assert await backend.take_due(uk(2026, 6, 15, 10, 15), LEASE) == [(WAIT, "a")]


async def test_estimated_wait_counts_the_seats_of_available_agents(router):
    now = uk(2026, 6, 15, 10, 0)
    assert await router.estimated_wait("centres", 1, []) is None  # nobody serves it
    await set_agent(router, 1, "available", ("centres",), 2, now)
    await set_agent(router, 2, "available", ("centres",), 3, now)
    await set_agent(router, 3, "away", ("centres",), 3, now)
    assert await router.estimated_wait("centres", 5, []) == DEFAULT_HANDLE_TIME
    assert await router.estimated_wait("centres", 6, []) == DEFAULT_HANDLE_TIME * 2


# grace -------------------------------------------------------------------------------------


async def test_start_grace_sets_a_deadline_due_after_the_grace_period(router, backend):
    now = uk(2026, 6, 15, 10, 0)
    until = await router.start_grace(7, now)
    assert until == now + timedelta(seconds=60)
    assert await backend.take_due(until - MS, LEASE) == []
    assert await backend.take_due(until, LEASE) == [(GRACE, "7")]


async def test_end_grace_cancels_the_deadline_once(router, backend):
    now = uk(2026, 6, 15, 10, 0)
    await router.start_grace(7, now)
    assert await router.end_grace(7) is True
    assert await router.end_grace(7) is False
    assert await backend.take_due(now + timedelta(hours=1), LEASE) == []


async def test_start_grace_again_moves_the_deadline(router, backend):
    now = uk(2026, 6, 15, 10, 0)
    await router.start_grace(7, now)
    later = await router.start_grace(7, now + timedelta(seconds=30))
    assert await backend.take_due(now + timedelta(seconds=60), LEASE) == []
    assert await backend.take_due(later, LEASE) == [(GRACE, "7")]
