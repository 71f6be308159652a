"""The unit of work: one transaction, its repository, and the events it produced.

Events are written with the changes they describe, and handed out for broadcasting only
after the commit succeeded, so no display ever shows what the database does not hold.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from ..domain.model import Event
from .repository import Repository


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session]):
        self.session_factory = session_factory
        self.events: list[Event] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self.session_factory()
        self.repo = Repository(self.session)
        self.events = []
        self.cache: dict = {}  # per-transaction memo (e.g. ticket bodies built once)
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def record(self, *events: Event) -> None:
        for event in events:
            self.session.add(event)
            self.events.append(event)

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        self.session.commit()
