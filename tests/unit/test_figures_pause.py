"""The supervisors' feed spaces its flushes out by what the last one cost."""

import pytest

from frontdesk.chat.figures import FLUSH_MAX_SECONDS, FLUSH_SECONDS, pause_after


@pytest.mark.parametrize(
    ("took", "pause"),
    [
        (0.0, FLUSH_SECONDS),  # a cheap flush: the next one as soon as ever
        (0.005, FLUSH_SECONDS),
        (0.05, 0.45),  # a busy node: nine times the cost, a tenth of the loop at most
        (0.2, 1.8),
        (5.0, FLUSH_MAX_SECONDS),  # never longer than this behind
    ],
)
def test_the_pause_follows_the_cost_of_the_last_flush(took: float, pause: float) -> None:
    assert pause_after(took) == pytest.approx(pause)
