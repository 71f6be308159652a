"""Two server processes on one PostgreSQL database share their realtime events through Redis:
a display connected to one hears of a call made on the other."""

from __future__ import annotations

import time

import pytest
import socketio
from livesupport import DISPLAY, KIOSK, agent_token

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def wait_for(client: socketio.SimpleClient, event: str, match, timeout: float = 5.0) -> dict:
    """The first `event` whose payload satisfies `match`. Other messages are passed over: Redis
    pub/sub channels are shared by every database number, so a test run next door may talk too."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            name, *args = client.receive(timeout=max(0.05, deadline - time.monotonic()))
        except socketio.exceptions.TimeoutError:
            break
        seen.append(name)
        if name == event and match(args[0]):
            return args[0]
    raise AssertionError(f"no matching {event!r} within {timeout} s; got {seen}")


def connect(url: str) -> socketio.SimpleClient:
    client = socketio.SimpleClient()
    client.connect(url, auth={"token": DISPLAY}, transports=["websocket"], wait_timeout=5)
    return client


def test_display_on_b_hears_call_made_on_a(pg_db, redis_url, live_server):
    a = live_server(pg_db, redis_url=redis_url)
    b = live_server(pg_db, redis_url=redis_url, seed=False)
    desk = next(c for c in a.read("/counters") if not c["priority"])
    code = desk["services"][0]
    prefix = a.prefixes()[code]
    on_a, on_b = connect(a.url), connect(b.url)
    try:
        assert wait_for(on_b, "state", lambda s: True)["centre"]["code"] == "demo"
        wait_for(on_a, "state", lambda s: True)

        # Issued through B: the display on A hears of it.
        with b.session(KIOSK) as s:
            r = s.post(b.api("/tickets"), json={"service": code}, timeout=10)
        assert r.status_code == 201, r.text
        ticket = r.json()
        issued = wait_for(on_a, "ticket.issued", lambda m: m["ticket"] == ticket)
        assert issued["ticket"]["number"] == f"{prefix}001"

        # Called through A: the display on B hears of it, with the ticket and the counter.
        with a.session(agent_token(desk["number"])) as s:
            assert s.post(a.api(f"/counters/{desk['id']}/open"), timeout=10).status_code == 200
            r = s.post(a.api(f"/counters/{desk['id']}/call-next"), timeout=10)
        assert r.status_code == 200, r.text
        called = r.json()
        assert called["id"] == ticket["id"]
        message = wait_for(on_b, "ticket.called", lambda m: m["ticket"] == called)
        assert message["counter"] == {"number": desk["number"], "name": desk["name"]}
        queue = wait_for(on_b, "queue.changed", lambda m: m["waiting"].get(code) == 0)
        assert queue["total"] == 0
    finally:
        on_a.disconnect()
        on_b.disconnect()
