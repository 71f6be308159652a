"""A server killed with SIGKILL (its whole process group) in the middle of the load and
restarted on the same database keeps every ticket it answered 201 for, with the same number,
and numbering continues without a duplicate."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from livesupport import KIOSK, QueueLoad, prefix, seq

pytestmark = pytest.mark.slow

KILL_AFTER = 80  # accepted tickets before the kill (of 10 × 20 asked for)


def test_kill9_mid_load_keeps_every_accepted_ticket(live_db, live_server):
    server = live_server(live_db, counters=10)
    counters = server.counter_ids()
    load = QueueLoad(server, counters, kiosks=10, per_kiosk=20).start()
    deadline = time.monotonic() + 30
    while load.issued_count() < KILL_AFTER and time.monotonic() < deadline:
        time.sleep(0.002)
    assert load.issued_count() >= KILL_AFTER, "the load did not get going"
    server.kill9()
    before = load.join()
    assert before.errors == []
    assert before.broken, "the kill should have cut requests off"
    assert len(before.issued) < 200, "the kill came after the load had finished"
    assert before.check_causal_order() == []

    server.start()  # same database, data dir and port
    with server.session(KIOSK) as s:
        for t in before.issued:
            r = s.get(server.api(f"/tickets/{t.id}"), timeout=10)
            assert r.status_code == 200, f"{t.number} (201 before the kill) is gone: {r.text}"
            body = r.json()
            assert (body["number"], body["service"], body["issued_at"]) == \
                (t.number, t.service, t.issued_at)
        # A call answered 200 before the kill stays done: called or finished at that counter.
        for c in before.called:
            body = s.get(server.api(f"/tickets/{c.id}"), timeout=10).json()
            assert body["status"] in ("called", "done") and body["counter"] == c.counter, body

    # Everything the database holds now (including requests cut off mid-answer).
    events = server.events()
    survived = {e["ticket_id"]: e for e in events if e["type"] == "ticket.issued"}
    assert {t.id for t in before.issued} <= set(survived)
    assert len(survived) - len(before.issued) <= len(before.broken)
    highest: dict[tuple[str, str], int] = {}
    for e in survived.values():
        key = (prefix(e["number"]), e["at"][:10])
        highest[key] = max(highest.get(key, 0), seq(e["number"]))

    # After the restart: more kiosks and every counter, until the queue is empty again.
    after = QueueLoad(server, counters, kiosks=5, per_kiosk=8).start().join()
    assert after.errors == [] and after.broken == []
    assert len(after.issued) == 40
    for t in after.issued:
        assert seq(t.number) > highest.get((prefix(t.number), t.issued_at[:10]), 0), \
            f"{t.number} reuses a number given before the kill"
    assert after.check_causal_order() == []

    events = server.events()
    issued = [e for e in events if e["type"] == "ticket.issued"]
    keys = [(e["number"], e["at"][:10]) for e in issued]
    assert len(keys) == len(set(keys)), [k for k, n in Counter(keys).items() if n > 1]
    ids = {e["ticket_id"] for e in issued}
    assert len(ids) == len(issued)
    # Nothing lost across the crash: every ticket ever issued was called exactly once.
    called = Counter(e["ticket_id"] for e in events if e["type"] == "ticket.called")
    assert called == Counter(ids)
