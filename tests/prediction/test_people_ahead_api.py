"""Through the API: the people ahead and the wait a citizen reads agree with each other and with
the order call-next really follows, and a counter opening or closing shows at once."""

from __future__ import annotations

import pytest


def shown(kiosk, tickets: dict[str, dict]) -> dict[str, tuple[int, int]]:
    """Number → (people_ahead, estimated_wait_minutes) as the API shows it now."""
    out = {}
    for number, ticket in tickets.items():
        body = kiosk.get(f"/tickets/{ticket['id']}").json
        assert body["status"] == "waiting"
        out[number] = (body["people_ahead"], body["estimated_wait_minutes"])
    return out


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_people_ahead_and_wait_follow_the_real_call_order(app, seed, api_as, clock):
    """The reviewed case: counter 2 (a normal counter, HT only) open; A001, A002, A003 (elderly),
    A004 (pregnant). Call-next calls A003, A004 (two priorities in a row at most), A001, A002;
    A003 used to show "2 ahead, 0 min" and A001 "0 ahead, 20 min"."""
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    counter = f"/counters/{seed.counters[2]}"
    assert agent.post(f"{counter}/open").status_code == 200
    tickets = {}
    for priority in (None, None, "elderly", "pregnant"):
        clock.advance(seconds=1)
        body = kiosk.post("/tickets", json={"service": "HT", "priority": priority}).json
        tickets[body["number"]] = body
    assert list(tickets) == ["A001", "A002", "A003", "A004"]
    # What each kiosk answer said when it was issued.
    assert [(b["people_ahead"], b["estimated_wait_minutes"]) for b in tickets.values()] == [
        (0, 0), (1, 10), (0, 0), (1, 10)]
    # Read at once (no snapshot has aged: a priority ticket refreshes it when committed).
    assert shown(kiosk, tickets) == {"A003": (0, 0), "A004": (1, 10), "A001": (2, 20),
                                     "A002": (3, 30)}
    order = ["A003", "A004", "A001", "A002"]
    while order:
        now = shown(kiosk, {n: tickets[n] for n in order})
        assert [now[n][0] for n in order] == list(range(len(order))), now
        minutes = [now[n][1] for n in order]
        assert minutes == sorted(minutes) and len(set(minutes)) == len(minutes), now
        called = agent.post(f"{counter}/call-next")
        assert called.status_code == 200 and called.json["number"] == order.pop(0)
        clock.advance(seconds=5)  # past the snapshot's few seconds: the call is seen
    assert agent.post(f"{counter}/call-next").status_code == 204


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_counter_opening_or_closing_shows_at_once(app, seed, api_as, clock):
    """The snapshot keeps the open counters for a few seconds; committing a counter change drops
    it, so the very next read counts the counter (here within the same second)."""
    kiosk, agent2, agent3 = api_as("kiosk"), api_as("agent2"), api_as("agent3")
    assert agent2.post(f"/counters/{seed.counters[2]}/open").status_code == 200
    tickets = {}
    for _ in range(3):
        body = kiosk.post("/tickets", json={"service": "HT"}).json
        tickets[body["number"]] = body
    last = {"A003": tickets["A003"]}
    assert shown(kiosk, last) == {"A003": (2, 20)}
    # Counter 3 (CT and HT) opens: A001 and A002 are called at once, A003 after the first.
    assert agent3.post(f"/counters/{seed.counters[3]}/open").status_code == 200
    assert shown(kiosk, last) == {"A003": (2, 10)}
    assert agent3.post(f"/counters/{seed.counters[3]}/close").status_code == 200
    assert shown(kiosk, last) == {"A003": (2, 20)}
    # No counter for HT at all: the naive formula, over the same people ahead.
    assert agent2.post(f"/counters/{seed.counters[2]}/close").status_code == 200
    assert shown(kiosk, tickets) == {"A001": (0, 0), "A002": (1, 10), "A003": (2, 20)}
    # Re-opened: the first one is called now.
    assert agent2.post(f"/counters/{seed.counters[2]}/open").status_code == 200
    assert agent2.post(f"/counters/{seed.counters[2]}/call-next").json["number"] == "A001"
