"""The keypad's rating window is the centre's setting, not the agent file's: a real server process,
a real keypad on a socat pty, and an agent whose clock the test moves to time the presses."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from hardware.agent import Agent
from hardware.agent_config import from_dict
from hardware.serial import build_key_frame

KIOSK = "demo-kiosk"
AGENT = "demo-agent-3"  # counter 3; its tests issue CT tickets only

pytestmark = [pytest.mark.serial, pytest.mark.slow]


def set_centre_settings(server, **values) -> dict:
    """Change the demo centre's settings in the server's database (as the admin's save does);
    returns what they were. The server sees it within its 2-second centre cache."""
    path = server.database_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, timeout=10)) as db, db:
        (centre_id, raw), = db.execute("SELECT id, settings FROM centres").fetchall()
        settings = json.loads(raw or "{}")
        before = {k: settings.get(k) for k in values}
        settings.update(values)
        settings = {k: v for k, v in settings.items() if v is not None}
        db.execute("UPDATE centres SET settings = ? WHERE id = ?", (json.dumps(settings), centre_id))
    return before


@pytest.fixture
def centre_window(server):
    """centre_window(60) → the centre's rating window is 60 s until the test ends."""
    saved: list[dict] = []

    def change(seconds: int) -> None:
        before = set_centre_settings(server, rating_window_seconds=seconds)
        if not saved:
            saved.append(before)

    yield change
    if saved:
        set_centre_settings(server, **saved[0])


class Clock:
    """The agent's wall clock, moved forward by the test (the server keeps the real one)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


def test_a_press_45_s_after_finish_counts_when_the_centre_allows_60_s(
        server, agent, pty, device_port, call, events, wait_until, centre_window):
    centre_window(60)
    pad = pty("pad3")
    keys = device_port(pad.device)
    clock = Clock()
    c3 = server.counter_ids()[3]
    # The file says 30 s (the default); the server's 60 s must win. The centre cache of the server
    # may hold the old value for 2 s: the health answers bring the new one then.
    a = agent(AGENT, keypads=[{"id": "quay-3-pad", "port": pad.host, "address": 3, "levels": 3}],
              clock=clock)
    assert a.config.rating_window == 30
    assert wait_until(lambda: a.rating_window == 60), a.rating_window

    ticket = call(KIOSK, "POST", "/tickets", {"service": "CT"}, status=201)
    call(AGENT, "POST", f"/counters/{c3}/open")
    assert call(AGENT, "POST", f"/counters/{c3}/call-next")["id"] == ticket["id"]
    finished = call(AGENT, "POST", f"/tickets/{ticket['id']}/finish")
    assert wait_until(lambda: a.last_finished and a.last_finished[0] == ticket["id"])

    clock.offset = dt.timedelta(seconds=45)  # the citizen presses 45 s after finish
    keys.write(build_key_frame(3, 2))
    rated = wait_until(lambda: events("ticket.rated", ticket_id=ticket["id"]))
    assert [(e["level"], e["actor"]) for e in rated] == [(2, "device:agent-quay-3")]
    late = (dt.datetime.fromisoformat(rated[0]["pressed_at"])
            - dt.datetime.fromisoformat(finished["finished_at"])).total_seconds()
    assert 45 <= late < 50, late
    assert a.ignored_presses == 0

    # The centre shortens its window while the agent stays connected: the next health answer
    # brings it, and a press 25 s after finish is no longer a rating.
    centre_window(20)
    assert wait_until(lambda: a.rating_window == 20), a.rating_window
    clock.offset = dt.timedelta(seconds=25)
    keys.write(build_key_frame(3, 1))
    assert wait_until(lambda: a.ignored_presses == 1)
    assert a.outbox.pending() == 0
    assert len(events("ticket.rated", ticket_id=ticket["id"])) == 1
    call(AGENT, "POST", f"/counters/{c3}/close")


def test_the_files_window_is_only_the_fallback_before_the_first_connect(tmp_path: Path):
    config = from_dict({"server": {"url": "http://127.0.0.1:9", "token": "t"},
                        "agent": {"data_dir": str(tmp_path), "rating_window": 40}})
    a = Agent(config)
    try:
        assert a.rating_window == 40  # never connected: the file's value
        a._on_state({"client": {"name": "quay-3", "role": "agent", "counter": 3,
                                "rating_window_seconds": 60},
                     "centre": {"name": "Trung tâm"}, "counters": []})
        assert a.rating_window == 60
        a._on_state({"client": {"name": "quay-3", "role": "agent", "counter": 3},
                     "centre": {"name": "Trung tâm"}, "counters": []})
        assert a.rating_window == 60  # an older server that does not send it: keep the last
    finally:
        a.outbox.close()
        a.http.close()
