"""Socket.IO against a real server process, over WebSocket, with python-socketio clients:
a display gets the state at once, then every call of the centre with no further message."""

from __future__ import annotations

import threading
import time

import pytest
import socketio
from livesupport import DISPLAY, KIOSK, LiveServer, agent_token

pytestmark = pytest.mark.slow

WAIT = 5.0  # seconds a display may take to hear of something (locally it is milliseconds)


def display(server: LiveServer, token: str = DISPLAY) -> socketio.SimpleClient:
    client = socketio.SimpleClient()
    client.connect(server.url, auth={"token": token}, transports=["websocket"], wait_timeout=WAIT)
    return client


def receive(client: socketio.SimpleClient, event: str, *, skip: tuple[str, ...] = ()) -> dict:
    """The next message, which must be `event` (messages named in `skip` may come first)."""
    deadline = time.monotonic() + WAIT
    while True:
        try:
            name, *args = client.receive(timeout=max(0.05, deadline - time.monotonic()))
        except socketio.exceptions.TimeoutError:
            raise AssertionError(f"no {event!r} within {WAIT} s") from None
        if name in skip:
            continue
        assert name == event, f"expected {event!r}, got {name!r}: {args}"
        return args[0]


def nothing_more(client: socketio.SimpleClient, wait: float = 0.3) -> None:
    try:
        message = client.receive(timeout=wait)
    except socketio.exceptions.TimeoutError:
        return
    raise AssertionError(f"unexpected message {message}")


def post(server: LiveServer, token: str, path: str, body: dict | None = None, status: int = 200):
    with server.session(token) as s:
        r = s.post(server.api(path), json=body, timeout=10)
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def get(server: LiveServer, token: str, path: str):
    with server.session(token) as s:
        r = s.get(server.api(path), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_display_gets_state_then_ticket_called(live_server, sqlite_db):
    server = live_server(sqlite_db)
    ids = server.counter_ids()
    waiting = post(server, KIOSK, "/tickets", {"service": "HT"}, 201)
    post(server, agent_token(2), f"/counters/{ids[2]}/open")

    client = display(server)
    try:
        state = receive(client, "state")
        assert state["recent_calls"] == []
        assert state["waiting"] == {"HT": 1, "CT": 0, "DD": 0, "KD": 0, "CA": 0, "XH": 0, "XD": 0, "LL": 0}
        assert [c["number"] for c in state["counters"]] == [1, 2, 3, 4, 5, 6]
        assert {c["number"]: c["status"] for c in state["counters"]}[2] == "open"
        nothing_more(client)

        # Another client calls; the display sends nothing and still hears of it.
        called = post(server, agent_token(2), f"/counters/{ids[2]}/call-next")
        assert called["id"] == waiting["id"]
        message = receive(client, "ticket.called")
        assert message["ticket"] == called == get(server, KIOSK, f"/tickets/{called['id']}")
        assert message["ticket"]["status"] == "called" and message["ticket"]["number"] == "A001"
        assert message["counter"] == {"number": 2, "name": "Quầy Hộ tịch"}
        queue = receive(client, "queue.changed")
        assert queue["waiting"]["HT"] == 0 and queue["total"] == 0
    finally:
        client.disconnect()


def test_display_gets_queue_changed_after_issue(live_server, sqlite_db):
    server = live_server(sqlite_db)
    client = display(server)
    try:
        receive(client, "state")
        for expected in (1, 2):
            ticket = post(server, KIOSK, "/tickets", {"service": "CT"}, 201)
            issued = receive(client, "ticket.issued")
            assert issued["ticket"]["id"] == ticket["id"] and issued["ticket"]["number"] == ticket["number"]
            queue = receive(client, "queue.changed")
            assert queue["waiting"]["CT"] == expected and queue["total"] == expected
    finally:
        client.disconnect()


def test_bad_token_is_refused_at_connect(live_server, sqlite_db):
    server = live_server(sqlite_db)
    for auth in ({"token": "khong-dung"}, {"token": ""}, None):
        client = socketio.SimpleClient()
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=WAIT)
        assert not client.connected
    # The same handshake with a real token is accepted: the refusal was about the token.
    client = display(server, KIOSK)
    try:
        assert receive(client, "state")["centre"]["code"] == "demo"
    finally:
        client.disconnect()


def test_reconnecting_display_gets_calls_made_while_away(live_server, sqlite_db):
    server = live_server(sqlite_db)
    ids = server.counter_ids()
    client = display(server)
    receive(client, "state")
    client.disconnect()

    tickets = [post(server, KIOSK, "/tickets", {"service": code}, 201) for code in ("HT", "CT", "DD")]
    for number in (2, 4):
        post(server, agent_token(number), f"/counters/{ids[number]}/open")
    first = post(server, agent_token(2), f"/counters/{ids[2]}/call-next")
    second = post(server, agent_token(4), f"/counters/{ids[4]}/call-next")
    assert (first["number"], second["number"]) == ("A001", "C001")

    client = display(server)
    try:
        state = receive(client, "state")
        recent = [(c["ticket"]["number"], c["counter"]) for c in state["recent_calls"]]
        assert recent == [("C001", {"number": 4, "name": "Quầy Đất đai"}),
                          ("A001", {"number": 2, "name": "Quầy Hộ tịch"})]
        current = {c["number"]: (c["current"] or {}).get("number") for c in state["counters"]}
        assert current == {1: None, 2: "A001", 3: None, 4: "C001", 5: None, 6: None}
        assert state["waiting"]["CT"] == 1 and state["waiting"]["HT"] == 0
        assert tickets[1]["number"] == "B001"
    finally:
        client.disconnect()


def test_display_reconnects_by_itself_after_kill9(live_server, sqlite_db):
    """The server dies; calls go on through a second server process on the same database; when
    the first comes back, the display reconnects on its own and is brought up to date."""
    server = live_server(sqlite_db)
    other = live_server(sqlite_db, seed=False)
    ids = server.counter_ids()
    states: list[dict] = []
    got_state = threading.Condition()
    client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)

    @client.on("state")
    def on_state(data):
        with got_state:
            states.append(data)
            got_state.notify_all()

    def wait_states(n: int) -> dict:
        with got_state:
            assert got_state.wait_for(lambda: len(states) >= n, timeout=20), f"{len(states)} states"
            return states[n - 1]

    client.connect(server.url, auth={"token": DISPLAY}, transports=["websocket"], wait_timeout=WAIT)
    try:
        assert wait_states(1)["recent_calls"] == []
        server.kill9()
        post(other, KIOSK, "/tickets", {"service": "XH"}, 201)
        post(other, agent_token(6), f"/counters/{ids[6]}/open")
        called = post(other, agent_token(6), f"/counters/{ids[6]}/call-next")
        server.start()
        state = wait_states(2)
        assert [c["ticket"]["id"] for c in state["recent_calls"]] == [called["id"]]
        assert state["recent_calls"][0]["ticket"]["number"] == "G001"
        assert state["recent_calls"][0]["counter"] == {"number": 6, "name": "Quầy Lao động – Xã hội"}
    finally:
        client.disconnect()


