"""Telling aiosqlite's known shutdown race from real thread errors."""

from __future__ import annotations

import threading
import traceback
from pathlib import PurePath


def is_aiosqlite_shutdown_race(args: threading.ExceptHookArgs) -> bool:
    """An aiosqlite worker handing a finished query's result to a loop that has closed.

    Told by where it was raised: the thread's target is gone by the time the hook runs,
    so the traceback is the one witness left."""
    error = args.exc_value
    if not isinstance(error, RuntimeError) or str(error) != "Event loop is closed":
        return False
    return any(
        frame.name == "_connection_worker_thread"
        and PurePath(frame.filename).parts[-2:] == ("aiosqlite", "core.py")
        for frame in traceback.extract_tb(args.exc_traceback)
    )
