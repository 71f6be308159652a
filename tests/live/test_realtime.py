"""Socket.IO against a real server process, over WebSocket, with python-socketio clients:
a display gets the state at once, then every call of the centre with no further message."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

import pytest
import socketio
from livesupport import DISPLAY, KIOSK, LiveServer, agent_token

pytestmark = pytest.mark.slow

WAIT = 10.0  # seconds a display may take to hear of something (locally: milliseconds)


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


def desks(server: LiveServer) -> list[tuple[dict, str]]:
    """(counter, a service it serves that no earlier desk in the list serves), for the ordinary
    (non-priority) counters of the demo centre: read from the API, not copied from the demo."""
    out, taken = [], set()
    for counter in server.read("/counters"):
        free = [code for code in counter["services"] if code not in taken]
        if not counter["priority"] and free:
            out.append((counter, free[0]))
            taken.update(counter["services"])
    assert len(out) >= 2, "the demo centre needs two ordinary counters with their own services"
    return out


def ref(counter: dict) -> dict:
    return {"number": counter["number"], "name": counter["name"]}


def test_display_gets_state_then_ticket_called(sqlite_db, live_server):
    server = live_server(sqlite_db)
    prefixes = server.prefixes()
    (counter, code), *_ = desks(server)
    waiting = post(server, KIOSK, "/tickets", {"service": code}, 201)
    post(server, agent_token(counter["number"]), f"/counters/{counter['id']}/open")
    time.sleep(0.3)  # queue.changed goes out at most every 0.1 s: let the set-up's own one pass

    client = display(server)
    try:
        state = receive(client, "state")
        assert state["recent_calls"] == []
        assert state["waiting"] == {**dict.fromkeys(prefixes, 0), code: 1}
        assert [c["number"] for c in state["counters"]] == \
            [c["number"] for c in server.read("/counters")]
        assert {c["number"]: c["status"] for c in state["counters"]}[counter["number"]] == "open"
        nothing_more(client)

        # Another client calls; the display sends nothing and still hears of it.
        called = post(server, agent_token(counter["number"]), f"/counters/{counter['id']}/call-next")
        assert called["id"] == waiting["id"]
        message = receive(client, "ticket.called")
        assert message["ticket"] == called == get(server, KIOSK, f"/tickets/{called['id']}")
        assert message["ticket"]["status"] == "called"
        assert message["ticket"]["number"] == f"{prefixes[code]}001"
        assert message["counter"] == ref(counter)
        queue = receive(client, "queue.changed")
        assert queue["waiting"][code] == 0 and queue["total"] == 0
    finally:
        client.disconnect()


def test_display_gets_queue_changed_after_issue(sqlite_db, live_server):
    server = live_server(sqlite_db)
    code = next(iter(server.prefixes()))
    client = display(server)
    try:
        receive(client, "state")
        for expected in (1, 2):
            ticket = post(server, KIOSK, "/tickets", {"service": code}, 201)
            issued = receive(client, "ticket.issued")
            assert issued["ticket"]["id"] == ticket["id"]
            assert issued["ticket"]["number"] == ticket["number"]
            queue = receive(client, "queue.changed")
            assert queue["waiting"][code] == expected and queue["total"] == expected
    finally:
        client.disconnect()


def test_bad_token_is_refused_at_connect(sqlite_db, live_server):
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


def test_reconnecting_display_gets_calls_made_while_away(sqlite_db, live_server):
    server = live_server(sqlite_db)
    prefixes = server.prefixes()
    (first_desk, first_code), (second_desk, second_code), *_ = desks(server)
    other_code = next(c for c in prefixes if c not in (first_code, second_code))
    client = display(server)
    receive(client, "state")
    client.disconnect()

    for code in (first_code, second_code, other_code):
        post(server, KIOSK, "/tickets", {"service": code}, 201)
    calls = []
    for desk in (first_desk, second_desk):
        post(server, agent_token(desk["number"]), f"/counters/{desk['id']}/open")
        calls.append(post(server, agent_token(desk["number"]), f"/counters/{desk['id']}/call-next"))
    assert [c["number"] for c in calls] == [f"{prefixes[first_code]}001", f"{prefixes[second_code]}001"]

    client = display(server)
    try:
        state = receive(client, "state")
        recent = [(c["ticket"]["id"], c["counter"]) for c in state["recent_calls"]]
        assert recent == [(calls[1]["id"], ref(second_desk)), (calls[0]["id"], ref(first_desk))]
        current = {c["number"]: (c["current"] or {}).get("id") for c in state["counters"]}
        assert current == {**dict.fromkeys(current), first_desk["number"]: calls[0]["id"],
                           second_desk["number"]: calls[1]["id"]}
        assert state["waiting"] == {**dict.fromkeys(prefixes, 0), other_code: 1}
    finally:
        client.disconnect()


def test_display_reconnects_by_itself_after_kill9(sqlite_db, live_server):
    """The server dies; calls go on through a second server process on the same database; when
    the first comes back, the display reconnects on its own and is brought up to date."""
    server = live_server(sqlite_db)
    other = live_server(sqlite_db, seed=False)
    (desk, code), *_ = desks(server)
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
        post(other, KIOSK, "/tickets", {"service": code}, 201)
        post(other, agent_token(desk["number"]), f"/counters/{desk['id']}/open")
        called = post(other, agent_token(desk["number"]), f"/counters/{desk['id']}/call-next")
        server.start()
        state = wait_states(2)
        assert [(c["ticket"]["id"], c["counter"]) for c in state["recent_calls"]] == \
            [(called["id"], ref(desk))]
        assert state["recent_calls"][0]["ticket"]["status"] == "called"
    finally:
        client.disconnect()


def test_a_state_never_hides_a_call_made_while_the_display_connects(sqlite_db, live_server):
    """Calls go on at a counter while displays connect one after another: whatever call a
    display hears before its state, that state already holds (its `event_id` covers it), and
    every call it hears after the state is either newer or marked as already held."""
    server = live_server(sqlite_db)
    (counter, code), *_ = desks(server)
    agent = agent_token(counter["number"])
    post(server, agent, f"/counters/{counter['id']}/open")
    for _ in range(60):
        post(server, KIOSK, "/tickets", {"service": code}, 201)
    stop = threading.Event()

    def calls() -> None:
        with server.session(agent) as s:
            while not stop.is_set():
                if s.post(server.api(f"/counters/{counter['id']}/call-next"), timeout=10).status_code != 200:
                    return

    caller = threading.Thread(target=calls)
    caller.start()
    checked = 0
    try:
        for _ in range(12):
            client = display(server)
            try:
                before, state, after = [], None, []
                deadline = time.monotonic() + 0.6
                while time.monotonic() < deadline:
                    try:
                        name, *args = client.receive(timeout=0.05)
                    except socketio.exceptions.TimeoutError:
                        continue
                    if name == "state":
                        state = args[0]
                    elif name == "ticket.called":
                        (after if state else before).append(args[0])
                assert state is not None
                held = {c["ticket"]["id"] for c in state["recent_calls"]}
                for message in before:
                    assert message["event_id"] <= state["event_id"], (message, state["event_id"])
                for message in after:
                    assert message["event_id"] <= state["event_id"] or \
                        message["ticket"]["id"] not in held, (message, state["event_id"])
                checked += len(before) + len(after)
            finally:
                client.disconnect()
    finally:
        stop.set()
        caller.join(30)
    assert checked > 0, "no call happened while the displays connected"


def established_per_process(server: LiveServer) -> dict[int, int]:
    """Open TCP connections to the server's port, per worker process (read from /proc)."""
    workers = server.worker_pids()
    inodes: dict[str, int] = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == server.port and fields[3] == "01":
            inodes[fields[9]] = 0
    out = {}
    for pid in workers:
        links = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                links.append(os.readlink(fd))
        out[pid] = sum(1 for link in links if link[8:-1] in inodes and link.startswith("socket:["))
    return out


def test_displays_on_both_server_processes_hear_every_call(sqlite_db, live_server):
    """`motcua serve --workers 2` without Redis: a display connected to either process hears
    every call, whichever process handled it (the local bus)."""
    server = live_server(sqlite_db, workers=2)
    (counter, code), *_ = desks(server)
    agent = agent_token(counter["number"])
    post(server, agent, f"/counters/{counter['id']}/open")
    clients = []
    try:
        for _ in range(30):  # the kernel gives each connection to one of the processes
            client = display(server)
            receive(client, "state", skip=("queue.changed",))
            clients.append(client)
            per_process = established_per_process(server)
            if len(clients) >= 4 and len(per_process) == 2 and all(per_process.values()):
                break
        assert len(per_process) == 2 and all(per_process.values()), per_process
        assert len(list((server.data_dir / "run" / "bus").glob("*.sock"))) == 2
        for _ in range(6):  # each request on a new connection: either process may answer
            post(server, KIOSK, "/tickets", {"service": code}, 201)
            called = post(server, agent, f"/counters/{counter['id']}/call-next")
            for client in clients:
                message = receive(client, "ticket.called",
                                  skip=("queue.changed", "ticket.issued", "ticket.finished"))
                assert message["ticket"]["id"] == called["id"]
    finally:
        for client in clients:
            client.disconnect()
