"""Queries the service layer needs, in one place, over a SQLAlchemy session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached
from sqlalchemy.orm.exc import StaleDataError

from ..domain.model import (
    ACTIVE_STATUSES,
    Centre,
    Counter,
    CounterStatus,
    DeviceToken,
    Event,
    Rating,
    Service,
    Ticket,
    TicketStatus,
    User,
)
from . import tables as t


@cache
def _hot(name: str, dialect: str = ""):
    """Statements of the issue and call-next path, built once with bound parameters.

    Building a statement and its cache key costs more than SQLite takes to run it; a statement
    kept here is compiled once and found in the compiled cache by identity afterwards.
    """
    c = t.tickets.c
    if name == "next_seq":
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(t.ticket_sequences).values(
            service_id=bindparam("service_id"), day=bindparam("day"), last=1)
        return stmt.on_conflict_do_update(
            index_elements=["service_id", "day"], set_={"last": t.ticket_sequences.c.last + 1},
        ).returning(t.ticket_sequences.c.last)
    if name == "insert_ticket":
        return t.tickets.insert().values(
            {c.key: bindparam(c.key) for c in t.tickets.columns if c.key != "id"})
    if name == "insert_event":
        return t.events.insert().values(
            {c.key: bindparam(c.key) for c in t.events.columns if c.key != "id"})
    if name == "counter":
        return (select(Counter).options(joinedload(Counter.services))
                .where(t.counters.c.id == bindparam("counter_id")))
    if name == "service_by_code":
        return select(Service).where(t.services.c.centre_id == bindparam("centre_id"),
                                     t.services.c.code == bindparam("code"))
    if name == "current_at":
        return select(Ticket).where(
            c.counter_id == bindparam("counter_id"), c.status.in_(ACTIVE_STATUSES)
        ).order_by(c.called_at)
    if name == "waiting_for":
        return select(Ticket).where(
            c.centre_id == bindparam("centre_id"), c.day == bindparam("day"),
            c.status == TicketStatus.WAITING,
            c.service_id.in_(bindparam("service_ids", expanding=True))
            | (c.target_counter_id == bindparam("counter_id")),
        ).order_by(c.issued_at, c.id)
    if name == "issued_before":
        issued_at, ticket_id = bindparam("issued_at"), bindparam("ticket_id")
        return select(func.count()).where(
            c.centre_id == bindparam("centre_id"), c.day == bindparam("day"),
            c.service_id == bindparam("service_id"), c.status == TicketStatus.WAITING,
            (c.issued_at < issued_at) | ((c.issued_at == issued_at) & (c.id < ticket_id)))
    if name == "situation_live":
        return select(
            c.id, c.service_id, c.issued_at, c.priority, c.appointment_at, c.target_counter_id,
            c.status, c.counter_id, c.called_at,
        ).where(c.centre_id == bindparam("centre_id"), c.day == bindparam("day"),
                c.status.in_((TicketStatus.WAITING, *ACTIVE_STATUSES)))
    if name == "situation_ended":
        return select(
            c.counter_id, c.service_id, c.called_at, c.finished_at, c.no_show_at,
        ).where(c.centre_id == bindparam("centre_id"), c.day == bindparam("day"),
                c.status.in_((TicketStatus.DONE, TicketStatus.NO_SHOW)), c.called_at.is_not(None),
                ).order_by(c.id.desc()).limit(bindparam("recent"))
    if name == "situation_counters":
        k, cs = t.counters.c, t.counter_services.c
        return select(k.id, k.priority, k.priority_streak, cs.service_id).select_from(
            t.counters.join(t.counter_services, k.id == cs.counter_id)).where(
            k.centre_id == bindparam("centre_id"), k.status == CounterStatus.OPEN,
            k.active.is_(True))
    raise KeyError(name)


# Many-to-one relationships the engine sets together with their foreign key column.
_FOREIGN_KEYS = {"counter": "counter_id", "target_counter": "target_counter_id",
                 "service": "service_id"}
_TABLES = {Ticket: t.tickets, Counter: t.counters}


@cache
def _update(table_name: str, keys: frozenset[str]):
    """UPDATE of these columns of one row by id, built once per set of columns."""
    table = t.metadata.tables[table_name]
    return table.update().where(table.c.id == bindparam("_id")).values(
        {key: bindparam(key) for key in sorted(keys)})


class Repository:
    def __init__(self, session: Session):
        self.session = session

    # --- locking and numbering -------------------------------------------------------------
    def lock_centre(self, centre_id: int) -> None:
        """Serialise writers of one centre (SQLite already does so with BEGIN IMMEDIATE)."""
        if self.session.get_bind().dialect.name != "sqlite":
            self.session.execute(
                select(t.centres.c.id).where(t.centres.c.id == centre_id).with_for_update()
            )

    def next_seq(self, service_id: int, day: dt.date) -> int:
        """Atomically take the next number of a service for a day (UPSERT … RETURNING)."""
        stmt = _hot("next_seq", self.session.get_bind().dialect.name)
        return self.session.execute(stmt, {"service_id": service_id, "day": day}).scalar_one()

    # --- reference data --------------------------------------------------------------------
    def centre(self, centre_id: int) -> Centre | None:
        return self.session.get(Centre, centre_id)

    def centre_by_code(self, code: str) -> Centre | None:
        return self.session.scalars(select(Centre).where(t.centres.c.code == code)).first()

    def centres(self) -> Sequence[Centre]:
        return self.session.scalars(select(Centre).order_by(t.centres.c.id)).all()

    def services(self, centre_id: int, *, active_only: bool = True) -> Sequence[Service]:
        q = select(Service).where(t.services.c.centre_id == centre_id)
        if active_only:
            q = q.where(t.services.c.active.is_(True))
        return self.session.scalars(q.order_by(t.services.c.sort_order, t.services.c.id)).all()

    def service_by_code(self, centre_id: int, code: str) -> Service | None:
        return self.session.scalars(_hot("service_by_code"),
                                    {"centre_id": centre_id, "code": code}).first()

    def counters(self, centre_id: int) -> Sequence[Counter]:
        return self.session.scalars(select(Counter).where(
            t.counters.c.centre_id == centre_id, t.counters.c.active.is_(True)
        ).order_by(t.counters.c.sort_order, t.counters.c.number)).all()

    def counter(self, counter_id: int) -> Counter | None:
        """A counter with its services; from the identity map when this session has it."""
        found = self.session.identity_map.get(self.session.identity_key(Counter, counter_id))
        if found is not None:
            return found
        return self.session.scalars(_hot("counter"), {"counter_id": counter_id}).unique().first()

    def counter_by_number(self, centre_id: int, number: int) -> Counter | None:
        return self.session.scalars(select(Counter).where(
            t.counters.c.centre_id == centre_id, t.counters.c.number == number)).first()

    def counter_of_staff(self, user_id: int) -> Counter | None:
        return self.session.scalars(select(Counter).where(
            t.counters.c.staff_id == user_id, t.counters.c.status != CounterStatus.CLOSED)).first()

    def user(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def user_by_username(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(t.users.c.username == username)).first()

    def token_by_hash(self, token_hash: str) -> DeviceToken | None:
        return self.session.scalars(select(DeviceToken).where(
            t.device_tokens.c.token_hash == token_hash)).first()

    def tokens(self, centre_id: int) -> Sequence[DeviceToken]:
        return self.session.scalars(select(DeviceToken).where(
            t.device_tokens.c.centre_id == centre_id).order_by(t.device_tokens.c.id)).all()

    def add(self, obj: Any) -> None:
        self.session.add(obj)

    def _insert(self, name: str, table, obj: Any) -> None:
        """INSERT `obj`'s columns with the prebuilt statement `name` and set its new id."""
        values = {c.key: getattr(obj, c.key) for c in table.columns if c.key != "id"}
        obj.id = self.session.connection().execute(_hot(name), values).inserted_primary_key[0]

    def insert_ticket(self, ticket: Ticket) -> None:
        """Write a new ticket with one prebuilt INSERT and keep it in this session as if loaded:
        on the busiest write the ORM's flush costs more than the INSERT itself."""
        self._insert("insert_ticket", t.tickets, ticket)
        make_transient_to_detached(ticket)
        self.session.add(ticket)

    def save_changes(self) -> None:
        """Write what the engine changed on loaded tickets and counters with one prebuilt UPDATE
        each, and mark them saved: on call-next the ORM's flush costs more than its UPDATEs,
        inside the writer lock. Anything else (new rows, collections, a relationship that
        disagrees with its foreign key) is left to the next flush."""
        connection = None
        for obj in list(self.session.dirty):
            table = _TABLES.get(type(obj))
            if table is None:
                continue
            state = inspect(obj)
            values = {}
            for key, old in state.committed_state.items():
                new = state.dict.get(key)
                if key in table.c:
                    if new is not old and new != old:
                        values[key] = new
                elif key in _FOREIGN_KEYS:
                    # Saved here only when its column already says the same (the engine sets
                    # both); a row not yet inserted gets its id, and the column, at the flush.
                    related_id = None if new is None else new.id
                    if (new is not None and related_id is None) or \
                            related_id != state.dict.get(_FOREIGN_KEYS[key]):
                        break
                else:
                    break
            else:
                if values:
                    connection = connection or self.session.connection()
                    result = connection.execute(_update(table.name, frozenset(values)),
                                                {**values, "_id": obj.id})
                    if result.rowcount != 1:  # as the ORM's flush would
                        raise StaleDataError(f"UPDATE of {table.name} {obj.id} matched "
                                             f"{result.rowcount} rows, not 1")
                # Saved: clean again, as the ORM's own flush leaves a row after its UPDATE
                # (the same internal call; SQLAlchemy is pinned, test_store_updates checks it).
                state._commit_all(state.dict, self.session.identity_map)

    # --- tickets ---------------------------------------------------------------------------
    def ticket(self, ticket_id: int) -> Ticket | None:
        return self.session.get(Ticket, ticket_id)

    def waiting(self, centre_id: int, day: dt.date | None = None) -> Sequence[Ticket]:
        q = select(Ticket).where(t.tickets.c.centre_id == centre_id,
                                 t.tickets.c.status == TicketStatus.WAITING)
        if day is not None:
            q = q.where(t.tickets.c.day == day)
        return self.session.scalars(q.order_by(t.tickets.c.issued_at, t.tickets.c.id)).all()

    def waiting_for(self, counter: Counter, day: dt.date) -> Sequence[Ticket]:
        """Today's waiting tickets this counter could call (its services, or sent to it)."""
        return self.session.scalars(_hot("waiting_for"), {
            "centre_id": counter.centre_id, "day": day, "service_ids": list(counter.service_ids),
            "counter_id": counter.id}).all()

    def current_at(self, counter_id: int) -> Sequence[Ticket]:
        return self.session.scalars(_hot("current_at"), {"counter_id": counter_id}).all()

    def waiting_counts(self, centre_id: int, day: dt.date) -> dict[int, int]:
        c = t.tickets.c
        rows = self.session.execute(
            select(c.service_id, func.count()).where(
                c.centre_id == centre_id, c.day == day, c.status == TicketStatus.WAITING
            ).group_by(c.service_id)
        ).all()
        return {service_id: n for service_id, n in rows}

    def waiting_by_code(self, centre_id: int, day: dt.date) -> dict[str, int]:
        """Waiting tickets per active service code (zeros included), in the services' order."""
        c, sv = t.tickets.c, t.services.c
        waiting = select(c.service_id, func.count().label("n")).where(
            c.centre_id == centre_id, c.day == day, c.status == TicketStatus.WAITING
        ).group_by(c.service_id).subquery()
        rows = self.session.execute(
            select(sv.code, func.coalesce(waiting.c.n, 0))
            .select_from(t.services.outerjoin(waiting, waiting.c.service_id == sv.id))
            .where(sv.centre_id == centre_id, sv.active.is_(True))
            .order_by(sv.sort_order, sv.id)
        ).all()
        return {code: n for code, n in rows}

    def issued_before(self, ticket: Ticket) -> int:
        """Waiting tickets of its service issued before it: not who is ahead (the call policy
        decides that), but a cheap check that a cached queue snapshot misses nobody."""
        return self.session.execute(_hot("issued_before"), {
            "centre_id": ticket.centre_id, "day": ticket.day, "service_id": ticket.service_id,
            "issued_at": ticket.issued_at, "ticket_id": ticket.id}).scalar_one()

    def queue_situation(self, centre_id: int, day: dt.date, recent: int = 200, *,
                        counters: bool = True) -> dict[str, list]:
        """Plain rows for the wait prediction, in up to three queries on indexed columns: the
        day's waiting and active tickets, its latest ended calls (none when `recent` is 0), and
        the open counters' services (left out when `counters` is false)."""
        params = {"centre_id": centre_id, "day": day}
        live = self.session.execute(_hot("situation_live"), params).all()
        ended = [] if recent <= 0 else self.session.execute(
            _hot("situation_ended"), {**params, "recent": recent}).all()
        rows = {"live": live, "ended": ended}
        if counters:
            rows["counters"] = self.session.execute(_hot("situation_counters"), params).all()
        return rows

    def recent_calls(self, centre_id: int, day: dt.date, limit: int = 10) -> Sequence[Ticket]:
        c = t.tickets.c
        return self.session.scalars(select(Ticket).where(
            c.centre_id == centre_id, c.day == day, c.called_at.is_not(None),
            c.counter_id.is_not(None),
        ).order_by(c.called_at.desc(), c.id.desc()).limit(limit)).all()

    def counts_today(self, counter_id: int, day: dt.date) -> dict[str, int]:
        c = t.tickets.c
        rows = self.session.execute(select(c.status, func.count()).where(
            c.counter_id == counter_id, c.day == day).group_by(c.status)).all()
        return {str(status): n for status, n in rows}

    # --- ratings and idempotency -----------------------------------------------------------
    def rating_for(self, ticket_id: int) -> Rating | None:
        return self.session.scalars(select(Rating).where(t.ratings.c.ticket_id == ticket_id)).first()

    def idempotent_response(self, key: str) -> tuple[str, int, Any] | None:
        row = self.session.execute(select(
            t.idempotency_keys.c.scope, t.idempotency_keys.c.status, t.idempotency_keys.c.body
        ).where(t.idempotency_keys.c.key == key)).first()
        return (row.scope, row.status, row.body) if row else None

    def remember_response(self, key: str, centre_id: int, scope: str, status: int, body: Any,
                          now: dt.datetime) -> None:
        self.session.execute(t.idempotency_keys.insert().values(
            key=key, centre_id=centre_id, scope=scope, status=status, body=body, created_at=now))

    # --- events ----------------------------------------------------------------------------
    def events(self, centre_id: int, *, start: dt.datetime | None, end: dt.datetime | None,
               after: int | None, limit: int) -> Sequence[Event]:
        c = t.events.c
        q = select(Event).where(c.centre_id == centre_id)
        if start is not None:
            q = q.where(c.at >= start)
        if end is not None:
            q = q.where(c.at < end)
        if after is not None:
            q = q.where(c.id > after)
        return self.session.scalars(q.order_by(c.id).limit(limit)).all()

    def last_move_into_queue(self, ticket: Ticket) -> Any:
        """The ticket's latest `ticket.transferred` or `ticket.requeued` event as a row (type,
        data), or None; only the centre's events since the ticket was issued are searched (index)."""
        e = t.events.c
        return self.session.execute(
            select(e.type, e.data)
            .where(e.centre_id == ticket.centre_id, e.at >= ticket.issued_at,
                   e.ticket_id == ticket.id, e.type.in_(("ticket.transferred", "ticket.requeued")))
            .order_by(e.id.desc()).limit(1)).first()

    def insert_event(self, event: Event) -> None:
        """Write an event with one prebuilt INSERT: an event never changes once written, so the
        ORM's unit-of-work bookkeeping (most of a flush) buys nothing for it."""
        if event.data is None:
            event.data = {}
        self._insert("insert_event", t.events, event)

    def last_event_id(self, centre_id: int) -> int:
        """The newest event of the centre (0 before the first): what a state read now includes.
        Writers of one centre are serialised, so its event ids grow in commit order."""
        return self.session.execute(select(func.max(t.events.c.id)).where(
            t.events.c.centre_id == centre_id)).scalar_one() or 0

    def touch_token(self, token_id: int, now: dt.datetime) -> None:
        self.session.execute(update(t.device_tokens).where(
            t.device_tokens.c.id == token_id).values(last_seen_at=now))
