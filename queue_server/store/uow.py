"""The unit of work: one transaction, its repository, and the events it produced.

Events are written with the changes they describe, and handed out for broadcasting only
after the commit succeeded, so no display ever shows what the database does not hold.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from ..domain.model import Event
from .db import begin_read_only
from .repository import Repository
from .writer_lock import WriterLock


class UnitOfWork:
    """`read_only` units never write; on SQLite they run beside a writer instead of queueing.

    `write_lock` (SQLite only) queues the writers of every server process (see writer_lock).
    """

    def __init__(self, session_factory: sessionmaker[Session], *, read_only: bool = False,
                 write_lock: WriterLock | None = None):
        self.session_factory = session_factory
        self.read_only = read_only
        self.write_lock = None if read_only else write_lock
        self.events: list[Event] = []

    def __enter__(self) -> UnitOfWork:
        if self.write_lock is not None:
            self.write_lock.acquire()
        try:
            self.session = self.session_factory()
            if self.read_only:
                begin_read_only(self.session)
        except BaseException:
            if self.write_lock is not None:
                self.write_lock.release()
            raise
        self.repo = Repository(self.session)
        self.events = []
        self._unsaved: list[Event] = []
        self.cache: dict = {}  # per-transaction memo (e.g. ticket bodies built once)
        return self

    def __exit__(self, *exc) -> None:
        try:
            # close() ends the transaction with a rollback and forgets every object; a
            # rollback() first would also expire them all, only for close() to drop them.
            self.session.close()
        finally:
            if self.write_lock is not None:
                self.write_lock.release()

    def record(self, *events: Event) -> None:
        """Events are written at the next flush, after the rows they point to."""
        self.events.extend(events)
        self._unsaved.extend(events)

    def flush(self) -> None:
        self.repo.save_changes()
        self.session.flush()
        for event in self._unsaved:
            self.repo.insert_event(event)
        self._unsaved.clear()

    def commit(self) -> None:
        self.flush()
        self.session.commit()

    def commit_and_read(self) -> None:
        """Commit, let the next writer in, and go on in a read-only transaction (for what is
        left to do after the changes: answers and messages)."""
        self.commit()
        if self.write_lock is not None:
            self.write_lock.release()
            self.write_lock = None
        self.read_only = True
        begin_read_only(self.session)
