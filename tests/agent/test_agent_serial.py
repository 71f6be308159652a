"""The agent against a real server process and real socat pty pairs: LED frames byte for byte
after a call, keypad presses turned into stored ratings, an unplugged display reopened, and
ratings pressed while the server is down delivered exactly once when it is back."""

from __future__ import annotations

import time

import pytest
import requests

from hardware.outbox import Item
from hardware.serial import build_key_frame
from hardware.serial.protocols.ascii_stx import build_frame

# The demo centre's own tokens (queue_server.demo), which the agents use like a real centre.
KIOSK, MANAGER = "demo-kiosk", "demo-manager"

pytestmark = [pytest.mark.serial, pytest.mark.slow]


def read_until(port, wanted: bytes, timeout: float = 10.0) -> bytes:
    data = bytearray()
    deadline = time.monotonic() + timeout
    while wanted not in data and time.monotonic() < deadline:
        data += port.read(256)
    return bytes(data)


def counter_id(server, number: int) -> int:
    return server.counter_ids()[number]


def device_row(server, name: str) -> dict:
    r = requests.get(server.api("/devices"), headers={"Authorization": f"Bearer {MANAGER}"}, timeout=10)
    return next(d for d in r.json() if d["name"] == name)


def sub_status(server, name: str, device: str) -> str | None:
    return next((d["status"] for d in device_row(server, name)["devices"] if d["id"] == device), None)


def test_call_drives_the_led_and_a_keypad_press_becomes_a_rating(
        server, agent, pty, device_port, call, events, wait_until):
    led, pad = pty("led2"), pty("pad2")
    board = device_port(led.device)
    keys = device_port(pad.device)
    a = agent("demo-agent-2",
              displays=[{"id": "quay-2-led", "protocol": "ascii-stx", "port": led.host, "address": 2}],
              keypads=[{"id": "quay-2-pad", "port": pad.host, "address": 2, "levels": 3}])
    assert a.counter == 2 and a.client["role"] == "agent"
    c2 = counter_id(server, 2)
    ticket = call(KIOSK, "POST", "/tickets", {"service": "HT"}, status=201)
    call("demo-agent-2", "POST", f"/counters/{c2}/open")
    called = call("demo-agent-2", "POST", f"/counters/{c2}/call-next")
    assert called["id"] == ticket["id"]

    frame = build_frame(2, "D", ticket["number"])
    data = read_until(board, frame)
    assert data == frame, data  # exactly one frame, byte for byte

    call("demo-agent-2", "POST", f"/tickets/{ticket['id']}/recall")
    assert read_until(board, frame) == frame  # a recall shows the number again

    call("demo-agent-2", "POST", f"/tickets/{ticket['id']}/finish")
    assert wait_until(lambda: a.last_finished and a.last_finished[0] == ticket["id"])
    keys.write(b"\x00\xffR2:Z\r\nnoise\nR77:3\r\n")  # line noise and another pad's frame: ignored
    keys.write(build_key_frame(2, 3))
    rated = wait_until(lambda: events("ticket.rated", ticket_id=ticket["id"]))
    assert [(e["level"], e["actor"]) for e in rated] == [(3, "device:agent-quay-2")]
    assert rated[0]["pressed_at"] and rated[0]["replaced"] is False

    # a malformed Socket.IO message is logged and ignored
    handler = a.sio.handlers["/"]["ticket.called"]
    handler({"counter": "not a dict"})
    handler({"counter": {"number": 2}})  # no ticket
    assert wait_until(lambda: sub_status(server, "agent-quay-2", "quay-2-pad") == "ok")
    assert sub_status(server, "agent-quay-2", "quay-2-led") == "ok"
    assert device_row(server, "agent-quay-2")["status"] == "ok"


def test_an_unplugged_display_is_reopened_and_catches_up(
        server, agent, pty, device_port, call, wait_until):
    led = pty("led5")
    board = device_port(led.device)
    agent("demo-agent-5", display_refresh=0.5,
          displays=[{"id": "quay-5-led", "protocol": "ascii-stx", "port": led.host, "address": 5,
                     "format": "{ticket}>{counter}"}])
    c5 = counter_id(server, 5)
    first = call(KIOSK, "POST", "/tickets", {"service": "KD"}, status=201)
    second = call(KIOSK, "POST", "/tickets", {"service": "KD"}, status=201)
    call("demo-agent-5", "POST", f"/counters/{c5}/open")
    call("demo-agent-5", "POST", f"/counters/{c5}/call-next")
    frame1 = build_frame(5, "D", f"{first['number']}>5")
    assert read_until(board, frame1).startswith(frame1)

    board.close()
    led.stop()  # unplug: the ptys vanish
    call("demo-agent-5", "POST", f"/counters/{c5}/call-next")
    assert wait_until(lambda: sub_status(server, "agent-quay-5", "quay-5-led") == "offline")
    row = device_row(server, "agent-quay-5")
    assert row["status"] == "offline" and "mất kết nối" in next(
        d["message"] for d in row["devices"] if d["id"] == "quay-5-led")

    led.start()  # plugged back in, same device names
    board = device_port(led.device)
    frame2 = build_frame(5, "D", f"{second['number']}>5")
    data = read_until(board, frame2)
    assert frame2 in data and frame1 not in data, data
    assert data[data.index(frame2):][:len(frame2)] == frame2
    assert wait_until(lambda: sub_status(server, "agent-quay-5", "quay-5-led") == "ok")


def test_ratings_pressed_while_the_server_is_down_arrive_exactly_once(
        server, agent, pty, call, device_port, events, wait_until):
    pad = pty("pad6")
    keys = device_port(pad.device)
    a = agent("demo-agent-6", keypads=[{"id": "quay-6-pad", "port": pad.host, "address": 6,
                                        "levels": 3}])
    c6 = counter_id(server, 6)
    ticket = call(KIOSK, "POST", "/tickets", {"service": "XH"}, status=201)
    call("demo-agent-6", "POST", f"/counters/{c6}/open")
    call("demo-agent-6", "POST", f"/counters/{c6}/call-next")
    call("demo-agent-6", "POST", f"/tickets/{ticket['id']}/finish")
    assert wait_until(lambda: a.last_finished and a.last_finished[0] == ticket["id"])

    server.kill9()  # the server dies (power cut, OOM killer) …
    try:
        assert wait_until(lambda: not a.connected.is_set())
        for key in (3, 1, 2):  # different keys: no debounce between them
            keys.write(build_key_frame(6, key))
            time.sleep(0.05)
        assert wait_until(lambda: a.outbox.pending() == 3), a.outbox.pending()
        time.sleep(1.0)  # the sender keeps failing meanwhile
        assert a.outbox.pending() == 3 and a.sender.last_error
    finally:
        server.start()  # … and comes back on the same database

    assert wait_until(lambda: a.outbox.pending() == 0, timeout=20)
    assert wait_until(lambda: a.connected.is_set())
    rated = events("ticket.rated", ticket_id=ticket["id"])
    assert [(e["level"], e["replaced"]) for e in rated] == [(3, False), (1, True), (2, True)]
    assert a.outbox.failed() == []

    # The answer of a delivered press was lost: the agent sends it again with the same key.
    key = "replayed-" + str(ticket["id"])
    body = {"level": 2, "pressed_at": rated[-1]["pressed_at"], "source": "keypad"}
    item = Item(0, f"/tickets/{ticket['id']}/rating", body, key, 0)
    answers = []
    a.sender.on_answer = lambda _item, status, answer: answers.append((status, answer))
    assert a.sender.send(item) and a.sender.send(item)
    assert answers[0] == answers[1] and answers[0][0] == 200
    assert len(events("ticket.rated", ticket_id=ticket["id"])) == 4  # one more, not two
