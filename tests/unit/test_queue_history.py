"""The queue's history, drawn from chat times alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from frontdesk.chat.history import queue_history

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def test_points_cover_the_window_oldest_first():
    points = queue_history([], NOW, hours=1, step=STEP)
    assert len(points) == 12
    assert points[0]["at"] == ago(55).isoformat() and points[-1]["at"] == NOW.isoformat()
    assert all(p["waiting"] == 0 and p["average_wait_seconds"] is None for p in points)


def test_a_chat_waits_from_its_request_until_answered_or_ended():
    chats = [
        (ago(32), ago(21), ago(5)),  # answered after 11 minutes
        (ago(28), None, ago(16)),  # gave up unanswered
        (ago(12), None, None),  # still waiting
        (ago(90), ago(80), None),  # before the window, answered before it too
    ]
    by_time = {p["at"]: p for p in queue_history(chats, NOW, hours=1, step=STEP)}
    assert by_time[ago(30).isoformat()]["waiting"] == 1
    assert by_time[ago(25).isoformat()]["waiting"] == 2
    assert by_time[ago(20).isoformat()]["waiting"] == 1  # answered at -21, -28 still waits
    assert by_time[ago(15).isoformat()]["waiting"] == 0
    assert by_time[ago(10).isoformat()]["waiting"] == 1
    assert by_time[NOW.isoformat()]["waiting"] == 1
    assert by_time[ago(20).isoformat()]["average_wait_seconds"] == 660.0
    assert by_time[ago(15).isoformat()]["average_wait_seconds"] is None
