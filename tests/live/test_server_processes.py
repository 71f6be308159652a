"""`motcua serve --workers 2`: the background jobs (closing time, backups, simulated devices)
run in exactly one of the processes, and another takes them over when that one dies."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from support import eventually

pytestmark = pytest.mark.slow


def jobs_lock_holders(lock_file: Path) -> set[int]:
    """Pids holding an flock on `lock_file`, from /proc/locks (matched by inode)."""
    inode = os.stat(lock_file).st_ino
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields:  # a process waiting for the lock, not holding it
            continue
        if fields[1] == "FLOCK" and int(fields[5].rsplit(":", 1)[1]) == inode:
            holders.add(int(fields[4]))
    return holders


def test_one_process_runs_the_jobs_and_another_takes_over(sqlite_db, live_server):
    server = live_server(sqlite_db, workers=2)
    lock_file = server.data_dir / "run" / "jobs.lock"
    workers = eventually(lambda: len(server.worker_pids()) == 2 and server.worker_pids())
    assert len(workers) == 2
    holders = eventually(lambda: lock_file.exists() and jobs_lock_holders(lock_file))
    assert len(holders) == 1 and holders <= workers, (holders, workers)

    (runner,) = holders
    os.kill(runner, signal.SIGKILL)
    taken = eventually(lambda: (h := jobs_lock_holders(lock_file)) and runner not in h and h)
    assert taken and len(taken) == 1, taken
    assert taken <= server.worker_pids()  # the other worker, or the one started instead
