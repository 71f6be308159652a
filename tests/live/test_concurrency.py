"""Ten kiosks issuing while ten counters call, through the HTTP API of a real server process,
on SQLite and on PostgreSQL: numbers unique per prefix and day, every ticket called exactly
once, nothing lost."""

from __future__ import annotations

from collections import Counter

import pytest
from livesupport import KIOSK, QueueLoad, split_number

pytestmark = pytest.mark.slow

KIOSKS, PER_KIOSK, COUNTERS = 10, 25, 10


def test_ten_kiosks_and_ten_counters_at_once(live_db, live_server):
    ten_and_ten(live_server(live_db, counters=COUNTERS))


def test_ten_and_ten_with_two_server_processes(sqlite_db, live_server):
    """`motcua serve --workers 2`: two processes on one port and one SQLite file."""
    ten_and_ten(live_server(sqlite_db, counters=COUNTERS, workers=2))


def ten_and_ten(server) -> None:
    counters = server.counter_ids()
    assert len(counters) == COUNTERS
    prefixes = server.prefixes()

    result = QueueLoad(server, counters, kiosks=KIOSKS, per_kiosk=PER_KIOSK).start().join()

    assert result.errors == [] and result.broken == []
    issued = result.issued
    assert len(issued) == KIOSKS * PER_KIOSK
    ids = [t.id for t in issued]
    assert len(set(ids)) == len(ids)

    # Numbers: unique per prefix and local day, with no gap, and in the order they were issued.
    keys = [(*split_number(t.number), t.issued_at[:10]) for t in issued]
    assert len(set(keys)) == len(keys), [k for k, n in Counter(keys).items() if n > 1]
    for t in issued:
        assert split_number(t.number)[0] == prefixes[t.service]
    per_day: dict[tuple[str, str], list[int]] = {}
    for prefix, n, day in keys:
        per_day.setdefault((prefix, day), []).append(n)
    for key, numbers in per_day.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
    assert result.check_causal_order() == []

    # Calls: every issued ticket called exactly once, at the counter that got the answer.
    called_ids = [c.id for c in result.called]
    assert len(called_ids) == len(set(called_ids)), "a ticket was handed to two counters"
    assert set(called_ids) == set(ids)
    caller = {c.id: c.counter for c in result.called}
    assert all(c.body_counter == c.counter for c in result.called)

    # The event log agrees: one ticket.issued, .called and .finished per ticket.
    events = server.events()
    issued_events = Counter(e["ticket_id"] for e in events if e["type"] == "ticket.issued")
    called_events = [e for e in events if e["type"] == "ticket.called"]
    assert issued_events == Counter(ids)
    assert Counter(e["ticket_id"] for e in called_events) == Counter(ids)
    assert all(e["counter"] == caller[e["ticket_id"]] for e in called_events)
    number_of = {t.id: t.number for t in issued}
    assert all(e["number"] == number_of[e["ticket_id"]] for e in called_events)
    finished = Counter(e["ticket_id"] for e in events if e["type"] == "ticket.finished")
    assert finished == Counter(ids)
    event_ids = [e["id"] for e in events]
    assert event_ids == sorted(set(event_ids))

    # Reading the tickets back: same number, called or (auto-)finished at that counter.
    with server.session(KIOSK) as s:
        for t in issued:
            r = s.get(server.api(f"/tickets/{t.id}"), timeout=10)
            assert r.status_code == 200, r.text
            body = r.json()
            assert (body["number"], body["service"]) == (t.number, t.service)
            # The last call-next of each counter (answered 204) finished its last ticket too.
            assert body["status"] == "done", body
            assert body["counter"] == caller[t.id]
        waiting = s.get(server.api("/services"), timeout=10).json()
        assert {w["code"]: w["waiting"] for w in waiting} == dict.fromkeys(prefixes, 0)
