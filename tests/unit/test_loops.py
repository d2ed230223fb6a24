"""Background loops stop between two runs of their work, not in the middle of one."""

from __future__ import annotations

import asyncio

from frontdesk.loops import Loops


async def test_stop_lets_the_run_in_progress_finish():
    loops = Loops()
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    async def work() -> None:
        started.set()
        await release.wait()  # as a store transaction in flight
        finished.append("done")

    loops.every("work", 60, work)
    await asyncio.wait_for(started.wait(), 5)
    stopping = asyncio.create_task(loops.stop())
    await asyncio.sleep(0)  # stop has begun, and waits
    assert not stopping.done()
    release.set()
    await asyncio.wait_for(stopping, 5)
    assert finished == ["done"], "the run was let finish, not cancelled"


async def test_work_still_running_after_the_grace_is_cancelled():
    loops = Loops()
    started = asyncio.Event()

    async def stuck() -> None:
        started.set()
        await asyncio.Event().wait()

    loops.every("stuck", 60, stuck)
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.wait_for(loops.stop(grace_seconds=0.01), 5)


async def test_a_wake_runs_the_work_at_once_and_a_failure_does_not_end_the_loop():
    loops = Loops()
    wake = asyncio.Event()
    runs: list[int] = []
    ran = asyncio.Event()

    async def work() -> None:
        runs.append(len(runs))
        ran.set()
        if len(runs) == 1:
            raise RuntimeError("the first run fails")

    loops.every("work", 60, work, woken_by=wake)
    await asyncio.wait_for(ran.wait(), 5)
    ran.clear()
    wake.set()  # long before the 60 s are up
    await asyncio.wait_for(ran.wait(), 5)
    await loops.stop()
    assert runs == [0, 1]
