"""Who may act on a ticket (domain/access.py), on plain domain objects: a ticket transferred to
one counter belongs to that counter alone while it waits, even though other counters serve its
service; untransferred waiting tickets still belong to every counter serving the service."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain import lifecycle
from queue_server.domain.access import Principal, check_acts_on
from queue_server.domain.errors import Forbidden
from queue_server.domain.model import Counter, CounterStatus, Service, Ticket, TicketStatus
from queue_server.views import ticket_view

T0 = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.UTC)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
HT = Service(centre_id=1, code="HT", name="Hộ tịch", prefix="A", id=1)
CT = Service(centre_id=1, code="CT", name="Chứng thực", prefix="B", id=2)
DD = Service(centre_id=1, code="DD", name="Đất đai", prefix="C", id=3)
STAFF = {2: 102, 3: 103, 4: 104}  # counter number → the user who opened it
MANAGER_ID = 200


def counter(number: int, *services: Service) -> Counter:
    return Counter(centre_id=1, number=number, name=f"Quầy {number}", status=CounterStatus.OPEN,
                   staff_id=STAFF.get(number), services=list(services), id=number)


C2, C3, C4 = counter(2, HT), counter(3, CT, HT), counter(4, DD)
COUNTERS = {2: C2, 3: C3, 4: C4}


def agent(number: int) -> Principal:
    return Principal(kind="device", role="agent", centre_id=1, name=f"agent{number}",
                     counter_id=number)


def staff(number: int) -> Principal:
    return Principal(kind="user", role="staff", centre_id=1, name=f"staff{number}",
                     user_id=STAFF[number])


ADMIN = Principal(kind="user", role="admin", centre_id=1, name="root", user_id=1)
MANAGER = Principal(kind="user", role="manager", centre_id=1, name="boss", user_id=MANAGER_ID)


def waiting(service: Service = HT) -> Ticket:
    return Ticket(centre_id=1, service_id=service.id, day=T0.date(), seq=1, number="A001",
                  issued_at=T0, service=service, id=1)


def sent_to(to: Counter, service: Service = HT) -> Ticket:
    """A ticket served at counter 2, then transferred to `to` (the real life-cycle step)."""
    ticket = waiting(service)
    lifecycle.call(ticket, C2, T0, actor="device:agent2")
    lifecycle.transfer(ticket, T0, actor="device:agent2", counter=C2, to_counter=to)
    assert ticket.status == TicketStatus.WAITING and ticket.counter is None
    return ticket


def own(principal: Principal) -> Counter | None:
    """The counter a principal holds, as the service layer looks it up."""
    if principal.kind == "device":
        return COUNTERS.get(principal.counter_id)
    return next((c for c in COUNTERS.values() if c.staff_id == principal.user_id), None)


def allowed(principal: Principal, ticket: Ticket) -> bool:
    try:
        check_acts_on(principal, ticket, own(principal))
    except Forbidden:
        return False
    return True


def test_a_ticket_sent_to_a_counter_is_that_counters_alone_while_it_waits():
    ticket = sent_to(C3)
    # counter 2 serves HT too, but the ticket was sent to counter 3
    assert not allowed(agent(2), ticket)
    assert not allowed(staff(2), ticket)
    assert not allowed(agent(4), ticket)
    assert allowed(agent(3), ticket) and allowed(staff(3), ticket)
    assert allowed(ADMIN, ticket)


def test_the_refusal_names_the_counter_it_was_sent_to():
    ticket = sent_to(C3)
    with pytest.raises(Forbidden) as refused:
        check_acts_on(agent(2), ticket, C2)
    assert refused.value.message == (
        "Số A001 đã được chuyển đến quầy số 3 (Quầy 3); chỉ cán bộ đang mở quầy đó, thiết bị "
        "của quầy đó hoặc quản trị viên mới thao tác được với số này.")
    # a manager holding no counter learns where the ticket is, not just "open a counter"
    with pytest.raises(Forbidden, match="quầy số 3 \\(Quầy 3\\)"):
        check_acts_on(MANAGER, ticket, None)


def held_by_manager(number: int, *services: Service) -> Counter:
    held = counter(number, *services)
    held.staff_id = MANAGER_ID
    return held


def test_a_manager_acts_on_it_from_that_counter_only():
    ticket = sent_to(C3)
    check_acts_on(MANAGER, ticket, held_by_manager(3, CT, HT))
    with pytest.raises(Forbidden, match="quầy số 3"):
        check_acts_on(MANAGER, ticket, held_by_manager(2, HT))


def test_a_counter_not_serving_the_service_acts_on_what_was_sent_to_it():
    ticket = sent_to(C4)  # counter 4 serves DD only
    assert allowed(agent(4), ticket) and allowed(staff(4), ticket)
    assert not allowed(agent(2), ticket) and not allowed(agent(3), ticket)


def test_without_a_transfer_every_counter_serving_the_service_may_act():
    ticket = waiting(HT)
    assert allowed(agent(2), ticket) and allowed(agent(3), ticket) and allowed(staff(2), ticket)
    with pytest.raises(Forbidden, match="không thuộc dịch vụ của quầy số 4"):
        check_acts_on(agent(4), ticket, C4)
    moved = sent_to(C3)
    lifecycle.call(moved, C3, T0, actor="device:agent3")
    lifecycle.transfer(moved, T0, actor="device:agent3", counter=C3, to_service=CT)
    assert moved.target_counter is None  # sent to a service: any counter serving CT
    assert allowed(agent(3), moved) and not allowed(agent(2), moved)


def test_once_called_there_the_ticket_belongs_to_the_counter_that_called_it():
    ticket = sent_to(C3)
    lifecycle.call(ticket, C3, T0, actor="device:agent3")
    assert ticket.target_counter_id is None and ticket.target_counter is None
    assert allowed(agent(3), ticket) and not allowed(agent(2), ticket)


def test_a_target_counter_not_loaded_still_refuses_with_a_message():
    ticket = waiting(HT)
    ticket.target_counter_id = 3  # as a row loaded without its relationship
    with pytest.raises(Forbidden, match="đã được chuyển đến một quầy khác"):
        check_acts_on(agent(2), ticket, C2)
    check_acts_on(agent(3), ticket, C3)


def test_the_ticket_view_says_where_a_waiting_ticket_was_sent():
    ticket = sent_to(C3)
    view = ticket_view(ticket, HCM)
    assert view["target_counter"] == {"number": 3, "name": "Quầy 3"}
    assert view["counter"] is None and view["counter_name"] is None  # unchanged meaning
    assert ticket_view(waiting(HT), HCM)["target_counter"] is None
    lifecycle.call(ticket, C3, T0, actor="device:agent3")
    view = ticket_view(ticket, HCM)
    assert view["target_counter"] is None and view["counter"] == 3
