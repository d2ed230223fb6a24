"""The pure rules of finding cases: reply-by flags at their edges, LIKE escaping, what a
view and a query become for the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from frontdesk.cases.finding import (
    CaseQuery,
    ReplyFlag,
    View,
    filters_for,
    like_pattern,
    reply_flag,
)
from frontdesk.cases.models import OPEN_STATUSES, Status

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
NEAR = timedelta(hours=4)


@pytest.mark.parametrize(
    ("reply_by", "flag"),
    [
        (NOW - timedelta(microseconds=1), ReplyFlag.OVERDUE),
        (NOW, ReplyFlag.DUE_SOON),  # at the reply-by is not past it
        (NOW + NEAR, ReplyFlag.DUE_SOON),
        (NOW + NEAR + timedelta(microseconds=1), None),
    ],
)
def test_flags_change_exactly_at_their_edges(reply_by, flag):
    assert reply_flag(Status.IN_PROGRESS, reply_by, NOW, NEAR) is flag


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_a_case_no_longer_open_is_never_flagged(status):
    assert reply_flag(status, NOW - timedelta(days=9), NOW, NEAR) is None


def test_like_patterns_escape_the_inputs_own_wildcards():
    assert like_pattern("50%_Off\\") == "%50\\%\\_off\\\\%"


@pytest.mark.parametrize("bad", [{"q": "a\x00b"}, {"page": 10_001}, {"assigned": "them"}])
def test_hostile_queries_are_refused(bad):
    with pytest.raises(ValidationError):
        CaseQuery(**bad)


def test_mine_is_mine_everywhere_and_the_other_views_are_my_queues():
    mine = filters_for(CaseQuery(view=View.MINE), 7, ["A"], NOW, NEAR)
    assert (mine.assigned_to, mine.queues, mine.statuses) == (7, None, OPEN_STATUSES)
    unassigned = filters_for(CaseQuery(view=View.UNASSIGNED), 7, ["A"], NOW, NEAR)
    assert (unassigned.unassigned, unassigned.queues) == (True, ("A",))
    overdue = filters_for(CaseQuery(view=View.OVERDUE), 7, [], NOW, NEAR)
    assert (overdue.reply_before, overdue.queues, overdue.statuses) == (NOW, None, OPEN_STATUSES)
    waiting = filters_for(CaseQuery(view=View.WAITING), 7, [], NOW, NEAR)
    assert waiting.statuses == (Status.WAITING_ON_CUSTOMER,)


def test_due_soon_runs_from_now_to_the_window_asked_for():
    found = filters_for(CaseQuery(due="due_soon", within_hours=24), 7, [], NOW, NEAR)
    assert (found.reply_from, found.reply_until) == (NOW, NOW + timedelta(hours=24))
    assert found.statuses == OPEN_STATUSES


def test_a_case_no_longer_open_is_never_found_overdue():
    found = filters_for(CaseQuery(due="overdue", status=Status.CLOSED), 7, [], NOW, NEAR)
    assert found.statuses == ()
