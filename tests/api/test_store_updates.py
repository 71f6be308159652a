"""What the engine changes on loaded tickets and counters reaches the database, whichever way the
unit of work writes it: prebuilt UPDATEs (plain columns, relationships that agree with their
foreign key) or the ORM's flush (collections, rows not yet inserted)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.orm.exc import StaleDataError

from queue_server.domain.model import Counter, Ticket, TicketStatus
from queue_server.store import tables as t

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def issue(api_as) -> int:
    r = api_as("kiosk").post("/tickets", json={"service": "HT"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def row(app, table, row_id: int):
    with app.extensions["motcua"].uow(read_only=True) as uow:
        return uow.session.execute(select(table).where(table.c.id == row_id)).one()


def updates_during(app, work) -> list[str]:
    """The UPDATE statements `work(uow)` sends, in order, with the commit."""
    engine, sent = app.extensions["motcua_engine"], []

    def seen(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE"):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with app.extensions["motcua"].uow() as uow:
            work(uow)
            uow.commit()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return sent


def test_columns_and_an_agreeing_relationship_are_saved(app, seed, api_as):
    ticket_id = issue(api_as)
    now = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)

    def call(uow):
        ticket, counter = uow.repo.ticket(ticket_id), uow.repo.counter(seed.counters[2])
        ticket.status, ticket.called_at = TicketStatus.CALLED, now
        ticket.counter_id, ticket.counter = counter.id, counter
        ticket.recall_count = ticket.recall_count  # set to what it was: nothing to write
        counter.priority_streak = 3

    sent = updates_during(app, call)
    assert len(sent) == 2  # one UPDATE per changed row
    saved = row(app, t.tickets, ticket_id)
    assert saved.status == "called" and saved.counter_id == seed.counters[2]
    assert saved.called_at.replace(tzinfo=dt.UTC) == now
    assert row(app, t.counters, seed.counters[2]).priority_streak == 3


def test_a_changed_collection_and_a_row_not_yet_inserted_go_through_the_orm(app, seed, api_as):
    ticket_id = issue(api_as)

    def change(uow):
        counter = uow.repo.counter(seed.counters[2])
        counter.services = [s for s in uow.repo.services(seed.centre_id) if s.code in ("HT", "CT")]
        ticket = uow.repo.ticket(ticket_id)
        new = Counter(centre_id=seed.centre_id, number=9, name="Quầy 9")
        uow.repo.add(new)
        ticket.target_counter_id, ticket.target_counter = None, new  # its id comes at the flush

    updates_during(app, change)
    with app.extensions["motcua"].uow(read_only=True) as uow:
        assert {s.code for s in uow.repo.counter(seed.counters[2]).services} == {"HT", "CT"}
        nine = uow.repo.counter_by_number(seed.centre_id, 9)
        assert uow.repo.ticket(ticket_id).target_counter_id == nine.id is not None


def test_an_update_of_a_row_gone_meanwhile_fails_like_the_orm(app, seed, api_as):
    ticket_id = issue(api_as)
    with app.extensions["motcua"].uow() as uow:
        ticket = uow.session.get(Ticket, ticket_id)
        uow.session.execute(delete(t.events).where(t.events.c.ticket_id == ticket_id))
        uow.session.execute(delete(t.tickets).where(t.tickets.c.id == ticket_id))
        ticket.status = TicketStatus.CANCELLED
        with pytest.raises(StaleDataError):
            uow.flush()
