"""SQLite's WAL checkpoints on a thread of their own, never on the event loop's.

A transaction that takes the WAL past 1,000 pages runs SQLite's automatic checkpoint
before its COMMIT returns: the WAL's pages are copied into the database file and both
files are synced to disk. The writers that run on the loop's own thread (db/inline.py)
held every socket up for that long: 5-8 ms, every 300 or so commits (measured in a
loop of three-statement transactions like a batch of chat messages), which at 1,000
chat messages a second is several stalls a second. So those connections never
checkpoint (wal_autocheckpoint=0), and this thread does, with a connection of its own,
shortly after writes: a PASSIVE checkpoint waits for no reader or writer and holds no
lock they wait for, and sqlite3 lets go of the GIL while it copies and syncs.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

# How long after a write the checkpoint runs: the writes of a burst share one.
CHECKPOINT_DELAY_SECONDS = 0.25


class Checkpointer:
    """Checkpoints one SQLite file's WAL on a daemon thread, started by the first write."""

    def __init__(self, path: str, delay: float = CHECKPOINT_DELAY_SECONDS) -> None:
        self._path = path
        self._delay = delay
        self._wanted = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.checkpoints = 0  # how many have run
        self.ran = threading.Event()  # set after each one, for whoever waits on it

    def wrote(self) -> None:
        """A transaction committed: checkpoint soon."""
        if self._thread is None:
            self._start()
        self._wanted.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Run what is owed now, then end the thread."""
        self._stopping.set()
        self._wanted.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None and not self._stopping.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="sqlite-checkpoint", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, timeout=0, check_same_thread=False)
        try:
            while not self._stopping.is_set():
                self._wanted.wait()
                self._stopping.wait(self._delay)  # woken early only to stop
                self._wanted.clear()
                self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
            self.ran.set()
        except sqlite3.Error:  # the next write asks again; the WAL only grows meanwhile
            log.exception("checkpointing %s failed", self._path)
