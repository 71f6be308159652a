"""The replay model on hand-built queues with known answers, and the estimate the API shows."""

from __future__ import annotations

import datetime as dt

import pytest
from support import Api

from queue_server.domain.estimate import naive_wait_minutes
from queue_server.prediction.model import OpenCounter, RecentCall, Situation, WaitingTicket

T0 = 1_800_000_000.0
HT, CT = 1, 2


def minutes(s: Situation, ticket: WaitingTicket, now: float = T0) -> float | None:
    seconds = s.wait_seconds(ticket, now)
    return None if seconds is None else round(seconds / 60, 2)


def pace(service: int, mins: float, counter: int | None = None, n: int = 30) -> list[RecentCall]:
    return [RecentCall(counter, service, mins) for _ in range(n)]


def test_one_counter_fifo():
    queue = [WaitingTicket(i, HT, T0 - 100 + i) for i in range(1, 5)]
    s = Situation(T0, queue, [OpenCounter(10, frozenset({HT}))], pace(HT, 10, 10))
    assert [minutes(s, w) for w in queue] == pytest.approx([0, 10, 20, 30], abs=0.5)
    # Later reads of the same snapshot count the time already gone.
    assert minutes(s, queue[3], T0 + 300) == pytest.approx(25, abs=0.5)


def test_shared_counter_serves_the_earlier_ticket_of_another_service_first():
    """Counter 10 serves HT and CT, counter 11 only CT. Three CT tickets came before the HT one:
    the naive formula (0 HT people ahead) says 0; the HT ticket really waits until counter 10 has
    served its share of the CT tickets."""
    queue = [WaitingTicket(1, CT, T0 - 50), WaitingTicket(2, CT, T0 - 40), WaitingTicket(3, CT, T0 - 30),
             WaitingTicket(4, HT, T0 - 20)]
    counters = [OpenCounter(10, frozenset({HT, CT}), busy_since=T0, busy_service_id=CT),
                OpenCounter(11, frozenset({CT}), busy_since=T0, busy_service_id=CT)]
    s = Situation(T0, queue, counters, pace(CT, 6) + pace(HT, 6))
    assert naive_wait_minutes(0, [6], 1) == 0
    # Both free at 6: counter 10 takes CT 1, counter 11 CT 2; at 12 counter 10 takes CT 3 (it
    # came before), so the HT ticket is called at 18.
    assert minutes(s, queue[3]) == pytest.approx(18, abs=0.6)


def test_priority_and_appointment_go_first():
    queue = [WaitingTicket(i, HT, T0 - 100 + i) for i in range(1, 4)]
    elderly = WaitingTicket(9, HT, T0, priority=True)
    booked = WaitingTicket(8, HT, T0 - 1, appointment_at=T0 + 60)
    s = Situation(T0, [*queue, booked, elderly],
                  [OpenCounter(10, frozenset({HT}), priority=True)], pace(HT, 10, 10))
    assert minutes(s, booked) == 0                        # in its window: called first
    assert minutes(s, elderly) == pytest.approx(10, abs=0.5)   # then priority at a priority counter
    assert minutes(s, queue[0]) == pytest.approx(20, abs=0.5)


def test_interleave_rule_at_a_normal_counter():
    """At a normal counter at most `interleave` priority calls in a row while others wait."""
    normal = WaitingTicket(1, HT, T0 - 100)
    prio = [WaitingTicket(10 + i, HT, T0 - 50 + i, priority=True) for i in range(3)]
    s = Situation(T0, [normal, *prio], [OpenCounter(10, frozenset({HT}))], pace(HT, 10, 10),
                  interleave=2)
    assert minutes(s, normal) == pytest.approx(20, abs=0.5)


def test_a_new_ticket_not_in_the_snapshot_is_placed_by_its_own_replay():
    queue = [WaitingTicket(1, HT, T0 - 100)]
    s = Situation(T0, queue, [OpenCounter(10, frozenset({HT}))], pace(HT, 10, 10))
    newcomer = WaitingTicket(2, HT, T0)
    assert minutes(s, newcomer) == pytest.approx(10, abs=0.5)
    moved = WaitingTicket(1, CT, T0 - 100)    # same id, transferred to a service nobody serves
    assert minutes(s, moved) is None


def test_slow_counter_and_lunch_break():
    queue = [WaitingTicket(i, HT, T0 - 100 + i) for i in range(1, 4)]
    recent = [RecentCall(10, HT, 5)] * 20 + [RecentCall(11, HT, 15)] * 20
    s = Situation(T0, queue, [OpenCounter(10, frozenset({HT}))], recent)
    fast = minutes(s, queue[2])
    assert fast < 10 * 2   # counter 10 works faster than the service's mean (10)
    lunch = Situation(T0, queue, [OpenCounter(10, frozenset({HT}))], recent,
                      breaks=[(T0 + 60, T0 + 60 + 7200)])
    assert minutes(lunch, queue[2]) == pytest.approx(fast + 120, abs=0.5)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_ticket_estimate_shrinks_as_the_queue_moves(app, seed, api_as, clock):
    """The phone page and the display read `estimated_wait_minutes` from the ticket: it is
    recomputed from the moving queue (after the snapshot's few seconds)."""
    kiosk, agent = api_as("kiosk"), api_as("agent4")
    assert agent.post(f"/counters/{seed.counters[4]}/open").status_code == 200
    tickets = [kiosk.post("/tickets", json={"service": "DD"}).json for _ in range(4)]
    last = tickets[-1]
    first_estimate = kiosk.get(f"/tickets/{last['id']}").json["estimated_wait_minutes"]
    assert first_estimate == 30     # 3 ahead × 10 min default, one counter free now
    for _ in range(2):
        clock.advance(minutes=10)
        assert agent.post(f"/counters/{seed.counters[4]}/call-next").status_code == 200
    clock.advance(seconds=5)
    later = kiosk.get(f"/tickets/{last['id']}").json
    assert later["people_ahead"] == 1
    assert later["estimated_wait_minutes"] < first_estimate
    reports = Api(app.test_client(), seed.tokens["reports"])
    assert reports.get(f"/tickets/{last['id']}").json["estimated_wait_minutes"] == \
        later["estimated_wait_minutes"]
    assert isinstance(dt.datetime.fromisoformat(later["issued_at"]), dt.datetime)
