"""A serving process freezes what it holds once built and collects the young less often."""

import gc
from collections.abc import Iterator

import pytest

from frontdesk.gc_pauses import YOUNG_THRESHOLD, settle_for_serving


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_settling_freezes_what_the_process_holds_and_deepens_the_young_generation(
    restored_collector: None,
) -> None:
    _, middle, old = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    settle_for_serving()
    assert gc.get_freeze_count() > 10_000  # the modules and everything built so far
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)
