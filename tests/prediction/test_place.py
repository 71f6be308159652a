"""People ahead and the wait come from one replay of the call policy (`Situation.place`), so the
number a citizen reads is the number of people called before them: priority groups where they
count, the interleave limit, bookings in their window, tickets sent to one counter. Checked on
hand-built queues, and against the engine's own call-next (`lifecycle.call_next` with
`default_policy`) on generated queues."""

from __future__ import annotations

import datetime as dt
import heapq
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server.domain import lifecycle
from queue_server.domain.estimate import estimate_wait, naive_wait_minutes
from queue_server.domain.model import Counter, CounterStatus, Service, Ticket, TicketStatus
from queue_server.domain.settings import CentreSettings
from queue_server.prediction.model import OpenCounter, Situation, WaitingTicket
from queue_server.prediction.situation import accepted_by_service, build_situation

T0 = 1_800_000_000.0
HT, CT = 1, 2


def places(s: Situation, queue: list[WaitingTicket], now: float = T0) -> dict[int, tuple]:
    """Ticket id → (minutes, people ahead)."""
    out = {}
    for w in queue:
        p = s.place(w, now)
        out[w.id] = (None if p.seconds is None else round(p.seconds / 60, 2), p.ahead)
    return out


def normal(id: int, minute: float, service: int = HT, **kw) -> WaitingTicket:
    return WaitingTicket(id, service, T0 + minute * 60, **kw)


def test_the_reviewed_scenario_priority_is_ahead_and_the_interleave_holds():
    """Counter 2 (normal, HT only) open; A001, A002, A003 elderly, A004 pregnant issued in that
    order: call-next calls A003, A004 (two priorities in a row at most), then A001, A002."""
    queue = [normal(1, -4), normal(2, -3), normal(3, -2, priority=True),
             normal(4, -1, priority=True)]
    s = Situation(T0, queue, [OpenCounter(20, frozenset({HT}))], interleave=2)
    assert places(s, queue) == {3: (0, 0), 4: (10, 1), 1: (20, 2), 2: (30, 3)}


def test_interleave_limit_lets_a_normal_ticket_through_after_two_priorities():
    queue = [normal(1, -9), normal(2, -8)] + [normal(10 + i, -5 + i, priority=True)
                                              for i in range(3)]
    s = Situation(T0, queue, [OpenCounter(20, frozenset({HT}))], interleave=2)
    # P10, P11, N1, P12, N2
    assert {k: v[1] for k, v in places(s, queue).items()} == {10: 0, 11: 1, 1: 2, 12: 3, 2: 4}
    # A counter that already called two priorities in a row calls the normal ticket first.
    tired = Situation(T0, queue, [OpenCounter(20, frozenset({HT}), streak=2)], interleave=2)
    assert {k: v[1] for k, v in places(tired, queue).items()} == {1: 0, 10: 1, 11: 2, 2: 3, 12: 4}
    # A priority counter has no limit.
    first = Situation(T0, queue, [OpenCounter(20, frozenset({HT}), priority=True)], interleave=2)
    assert {k: v[1] for k, v in places(first, queue).items()} == {10: 0, 11: 1, 12: 2, 1: 3, 2: 4}


def test_people_ahead_counts_only_the_tickets_service():
    """A shared counter calls a CT ticket between two HT ones: it delays the HT ticket (minutes)
    but is not one of the people ahead in its service."""
    queue = [normal(1, -3), normal(2, -2, CT), normal(3, -1)]
    s = Situation(T0, queue, [OpenCounter(20, frozenset({HT, CT}))])
    assert places(s, queue) == {1: (0, 0), 2: (10, 0), 3: (20, 1)}


def test_a_booking_is_ahead_from_its_window_on():
    """Grace 15 min: a booking for 25 min from now is outside its window at the first call and
    inside at the second, so it goes before the second walk-in although issued after it."""
    queue = [normal(1, -5), normal(2, -4), normal(3, 0, appointment_at=T0 + 25 * 60)]
    s = Situation(T0, queue, [OpenCounter(20, frozenset({HT}))])
    assert places(s, queue) == {1: (0, 0), 3: (10, 1), 2: (20, 2)}
    # Already in its window: first of all.
    now = Situation(T0, [*queue[:2], normal(3, 0, appointment_at=T0 + 5 * 60)],
                    [OpenCounter(20, frozenset({HT}))])
    assert places(now, now.waiting)[3] == (0, 0)


def test_tickets_sent_to_one_counter():
    """A transferred ticket keeps its issue time and waits for its counter only: at that
    counter it is called in issue order with the rest; sent to a closed counter it is called
    by nobody, and nobody of its service counts it as ahead."""
    moved = normal(1, -10, target_counter_id=20)
    stuck = normal(2, -9, target_counter_id=99)  # counter 99 is closed
    queue = [moved, stuck, normal(3, -5), normal(4, -4)]
    s = Situation(T0, queue, [OpenCounter(20, frozenset({HT}))])
    got = places(s, queue)
    assert got[1] == (0, 0) and got[3] == (10, 1) and got[4] == (20, 2)
    # Nobody can call it: the people of its service the open counters call meanwhile are ahead.
    assert got[2] == (None, 3)
    # A priority sent to a counter goes first there, as a priority in its service would.
    elderly = normal(5, -1, priority=True, target_counter_id=20)
    s2 = Situation(T0, [*queue, elderly], [OpenCounter(20, frozenset({HT}), priority=True)])
    assert places(s2, s2.waiting)[5] == (0, 0) and places(s2, s2.waiting)[1] == (10, 1)


def test_without_an_open_counter_the_order_is_the_policys():
    """Nobody serves HT now: the count is the order the first counter to open would follow —
    a booking in its window, then priorities that count, then issue time — and the minutes are
    the naive formula over that count."""
    queue = [normal(1, -9), normal(2, -8), normal(3, -3, priority=True),
             normal(4, -1, appointment_at=T0 + 60)]
    s = Situation(T0, queue, [OpenCounter(20, frozenset({CT}))])
    assert {k: v for k, v in places(s, queue).items()} == {
        4: (None, 0), 3: (None, 1), 1: (None, 2), 2: (None, 3)}
    ticket = Ticket(centre_id=1, service_id=HT, day=dt.date(2027, 1, 15), seq=1, number="A001",
                    issued_at=dt.datetime.fromtimestamp(T0 - 9 * 60, dt.UTC), id=1)
    got = estimate_wait(ticket, s, dt.datetime.fromtimestamp(T0, dt.UTC))
    assert (got.people_ahead, got.minutes) == (2, naive_wait_minutes(2, [10.0], 1))


def test_a_new_ticket_gets_the_same_place_as_in_the_whole_queue():
    queue = [normal(1, -4), normal(2, -3), normal(3, -2, priority=True)]
    newcomer = normal(4, -1, priority=True)
    counters = [OpenCounter(20, frozenset({HT}))]
    without = Situation(T0, queue, counters)
    full = Situation(T0, [*queue, newcomer], counters)
    assert without.place(newcomer, T0) == full.place(newcomer, T0)
    assert without.place(newcomer, T0).ahead == 1
    # The snapshot's own tickets are unchanged by the question (one replay, reused).
    assert places(without, queue) == {3: (0, 0), 1: (10, 1), 2: (20, 2)}


# --- against the engine's call-next ---------------------------------------------------------

START = dt.datetime(2027, 1, 15, 2, 0, tzinfo=dt.UTC)
GROUPS = ("elderly", "pregnant")


@st.composite
def centres(draw):
    services = [Service(centre_id=1, code=code, name=code, prefix=code[0], id=sid,
                        priority_enabled=draw(st.booleans()),
                        priority_groups=draw(st.sampled_from([[], ["elderly"], ["pregnant"]])))
                for sid, code in ((HT, "HT"), (CT, "CT"))]
    counters = []
    for cid in draw(st.sets(st.sampled_from([10, 11, 12]), min_size=1)):
        served = draw(st.sets(st.sampled_from([HT, CT]), min_size=1))
        counters.append(Counter(centre_id=1, number=cid, name=str(cid), id=cid,
                                priority=draw(st.booleans()), status=CounterStatus.OPEN,
                                priority_streak=draw(st.integers(0, 2)),
                                services=[s for s in services if s.id in served]))
    counters.sort(key=lambda c: c.id)
    tickets = []
    for i in range(draw(st.integers(0, 12))):
        sid = draw(st.sampled_from([HT, CT]))
        booking = draw(st.none() | st.integers(-20, 60))
        tickets.append(Ticket(
            centre_id=1, service_id=sid, day=START.date(), seq=i + 1, number=f"X{i + 1:03d}",
            issued_at=START - dt.timedelta(minutes=60 - 3 * i), id=i + 1,
            priority=draw(st.sampled_from([None, None, "elderly", "pregnant"])),
            appointment_at=None if booking is None else START + dt.timedelta(minutes=booking),
            target_counter_id=draw(st.sampled_from([None, None, None, 10, 11, 12, 13])),
            tracking_code=f"t{i:015d}",  # a fixed code: the random default would draw outside hypothesis
            service=services[sid - 1]))
    return services, counters, tickets


def engine_order(counters: list[Counter], tickets: list[Ticket], settings_: CentreSettings
                 ) -> dict[int, float]:
    """Ticket id → seconds after START when the engine's call-next calls it, every counter
    calling as soon as it is free (10 minutes a ticket), in the replay's counter order."""
    heap = [(0.0, i) for i in range(len(counters))]
    waiting = list(tickets)
    called: dict[int, float] = {}
    while heap:
        free, i = heapq.heappop(heap)
        ticket, _ = lifecycle.call_next(counters[i], [], waiting, settings_,
                                        START + dt.timedelta(seconds=free), actor="test")
        if ticket is None:
            continue
        waiting.remove(ticket)
        called[ticket.id] = free
        heapq.heappush(heap, (free + 600, i))
    return called


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(centres())
def test_place_matches_the_engines_call_order(centre):
    services, counters, tickets = centre
    settings_ = CentreSettings()
    rows = {"live": tickets, "ended": [],
            "counters": [SimpleNamespace(id=c.id, priority=c.priority,
                                         priority_streak=c.priority_streak, service_id=s.id)
                         for c in counters for s in c.services]}
    situation = build_situation(rows, settings_, START,
                                accepted=accepted_by_service(services, settings_))
    predicted = {w.id: situation.place(w, START.timestamp()) for w in situation.waiting}
    service_of = {t.id: t.service_id for t in tickets}
    called = engine_order(counters, tickets, settings_)   # changes the tickets: after the replay
    order = list(called)  # in call order
    for tid, place in predicted.items():
        if tid not in called:
            assert place.seconds is None
            continue
        assert place.seconds == pytest.approx(called[tid]), (tid, called)
        before = order[:order.index(tid)]
        assert place.ahead == sum(1 for o in before if service_of[o] == service_of[tid]), \
            (tid, order)
    assert all(t.status == TicketStatus.CALLED for t in tickets if t.id in called)
