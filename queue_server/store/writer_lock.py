"""One queue for SQLite writers, across threads and across the server's processes.

SQLite lets one writer in at a time; a writer that finds the database locked waits in SQLite's
busy handler, which sleeps (1, 2, 5 … 100 ms) and so adds tens of milliseconds to a busy
moment. Here a waiting thread blocks on a Python lock, and a waiting process on `flock` of a
file beside the database; both wake the moment the writer before them is done.
"""

from __future__ import annotations

import fcntl
import os
import threading


class WriterLock:
    """Re-entrant within a thread (like `threading.RLock`); the file is locked only by the
    outermost acquire. `path` None: this process's threads only (a database in memory)."""

    def __init__(self, path: str | None):
        self.path = path
        self._threads = threading.RLock()
        self._depth = 0
        self._fd: int | None = None  # opened on first use, in the process that uses it

    def acquire(self) -> None:
        self._threads.acquire()
        try:
            if self._depth == 0 and self.path:
                if self._fd is None:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def writer_lock_for(url) -> WriterLock | None:
    """The lock for an engine URL: SQLite only (PostgreSQL queues writers by row locks)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return WriterLock(None)
    return WriterLock(os.path.abspath(database) + ".writer-lock")
