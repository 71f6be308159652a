"""A priority group counts only where it is accepted: after a transfer to a service or a counter,
and after a no-show is re-queued, through the engine's own transitions (issue → transfer →
call-next, skip → requeue)."""

from __future__ import annotations

import datetime as dt
import itertools

from queue_server.domain import lifecycle
from queue_server.domain.model import Centre, Counter, CounterStatus, Service, Ticket
from queue_server.domain.policy import accepted_groups
from queue_server.domain.settings import CentreSettings

# 09:00 in Hà Nội on a Wednesday: inside the default opening hours.
T0 = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.UTC)
SETTINGS = CentreSettings()
CENTRE = Centre(code="test", name="Trung tâm", id=1)
_ids = itertools.count(1)


def service(code: str, **priority) -> Service:
    n = next(_ids)
    return Service(centre_id=1, code=code, name=code, prefix=code[0], id=n, **priority)


def counter(number: int, *services: Service, priority: bool = False) -> Counter:
    return Counter(centre_id=1, number=number, name=f"Quầy {number}", priority=priority,
                   status=CounterStatus.OPEN, services=list(services), id=100 + number)


def issue(svc: Service, minute: int, priority: str | None = None) -> Ticket:
    ticket, _ = lifecycle.issue_ticket(CENTRE, SETTINGS, svc, next(_ids), T0 + dt.timedelta(
        minutes=minute), actor="kiosk", priority=priority)
    ticket.id = next(_ids)
    return ticket


def call_next(at: Counter, waiting: list[Ticket], minute: int = 30) -> Ticket | None:
    chosen, _ = lifecycle.call_next(at, [], [t for t in waiting if t.status == "waiting"],
                                    SETTINGS, T0 + dt.timedelta(minutes=minute), actor="staff")
    return chosen


def transfer(ticket: Ticket, minute: int = 20, **where) -> dict:
    return lifecycle.transfer(ticket, T0 + dt.timedelta(minutes=minute), actor="staff",
                              counter=None, **where).data


def test_transferred_to_a_service_without_priority_waits_as_normal_but_keeps_its_group():
    land = service("DD")
    notary = service("CT", priority_enabled=False)
    elderly = issue(land, 5, "elderly")
    earlier = issue(notary, 1)
    transfer(elderly, to_service=notary)
    assert elderly.priority == "elderly" and elderly.service_id == notary.id
    desk = counter(3, notary)
    assert call_next(desk, [elderly, earlier]) is earlier
    assert desk.priority_streak == 0
    assert call_next(desk, [elderly, earlier], 31) is elderly


def test_a_service_listing_some_groups_honours_only_those():
    land = service("DD")
    notary = service("CT", priority_groups=["pregnant"])
    assert accepted_groups(notary, SETTINGS) == {"pregnant"}
    normal = issue(notary, 1)
    elderly, pregnant = issue(land, 5, "elderly"), issue(land, 6, "pregnant")
    transfer(elderly, to_service=notary)
    transfer(pregnant, to_service=notary)
    desk = counter(3, notary)
    order = [call_next(desk, [normal, elderly, pregnant], 30 + i) for i in range(3)]
    assert order == [pregnant, normal, elderly]


def test_priority_counts_again_when_sent_back_to_a_service_that_accepts_it():
    land = service("DD")
    notary = service("CT", priority_enabled=False)
    elderly, normal = issue(land, 5, "elderly"), issue(land, 1)
    transfer(elderly, to_service=notary)
    transfer(elderly, 25, to_service=land)
    assert call_next(counter(4, land), [normal, elderly]) is elderly


def test_transferred_to_a_counter_of_a_service_without_priority_waits_as_normal():
    land = service("DD")
    business = service("KD", priority_enabled=False)
    elderly = issue(land, 5, "elderly")
    other = issue(business, 1)
    transfer(elderly, to_counter=counter(7, business))
    desk = counter(7, business)
    assert call_next(desk, [elderly, other]) is other
    assert call_next(desk, [elderly, other], 31) is elderly


def test_transferred_to_a_counter_with_a_service_that_accepts_the_group_goes_first():
    land = service("DD")
    business = service("KD", priority_enabled=False)
    family = service("HT", priority_groups=["elderly"])
    elderly = issue(land, 5, "elderly")
    other = issue(business, 1)
    transfer(elderly, to_counter=counter(7, business, family))
    assert call_next(counter(7, business, family), [elderly, other]) is elderly


def test_requeued_no_show_in_a_service_without_priority_is_not_a_priority_there():
    land = service("DD")
    notary = service("CT", priority_enabled=False)
    elderly = issue(land, 1, "elderly")
    transfer(elderly, 2, to_service=notary)
    desk = counter(3, notary)
    assert call_next(desk, [elderly], 3) is elderly
    lifecycle.skip(elderly, desk, T0 + dt.timedelta(minutes=4), actor="staff")
    later = issue(notary, 0)  # waiting from before: would be overtaken by a priority
    lifecycle.requeue(elderly, SETTINGS, T0 + dt.timedelta(minutes=10), actor="kiosk")
    assert elderly.priority == "elderly"
    assert call_next(desk, [elderly, later], 11) is later


def test_requeued_no_show_in_a_service_that_accepts_it_keeps_going_first():
    land = service("DD")
    elderly = issue(land, 1, "elderly")
    desk = counter(4, land)
    assert call_next(desk, [elderly], 3) is elderly
    lifecycle.skip(elderly, desk, T0 + dt.timedelta(minutes=4), actor="staff")
    normal = issue(land, 0)
    lifecycle.requeue(elderly, SETTINGS, T0 + dt.timedelta(minutes=10), actor="kiosk")
    assert call_next(desk, [elderly, normal], 11) is elderly


def test_a_priority_that_does_not_count_does_not_use_up_the_interleave():
    """Two 'priority' tickets treated as normal are called in order, and the real priority
    ticket behind them still goes first: the streak counts only priorities that counted."""
    land = service("DD")
    notary = service("CT", priority_groups=["pregnant"])
    moved = [issue(land, i, "elderly") for i in (1, 2)]
    for t in moved:
        transfer(t, to_service=notary)
    pregnant, normal = issue(notary, 9, "pregnant"), issue(notary, 3)
    desk = counter(3, notary)
    waiting = [*moved, pregnant, normal]
    assert call_next(desk, waiting) is pregnant
    assert desk.priority_streak == 1
    assert [call_next(desk, waiting, 31 + i) for i in range(3)] == [*moved, normal]
    assert desk.priority_streak == 0
