"""Against a real `motcua serve` process: a revoked device token stops working at once, its open
Socket.IO connection included; a change saved by the admin reaches an open display at once."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest
import requests
import socketio
from livesupport import LiveServer, seed_live_centre
from support import free_port

WAIT = 10.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("admin-live")
    url = f"sqlite:///{data_dir / 'motcua.db'}"
    seed_live_centre(url, data_dir)
    live = LiveServer(url, data_dir, free_port(), threads=16, secret_key="admin-live")
    live.start()
    yield live
    live.stop()


def admin_session(server: LiveServer) -> tuple[requests.Session, str]:
    s = requests.Session()
    page = s.get(f"{server.url}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = s.post(f"{server.url}/login", data={"csrf_token": token, "username": "admin",
                                             "password": "motcua-admin"}, allow_redirects=False,
               timeout=10)
    assert r.status_code == 302
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', s.get(f"{server.url}/admin",
                                                                        timeout=10).text).group(1)
    return s, csrf


def new_display_token(server: LiveServer, s: requests.Session, csrf: str, name: str) -> tuple[str, int]:
    r = s.post(f"{server.url}/admin/devices", data={"csrf_token": csrf, "name": name,
                                                    "role": "display"}, timeout=10)
    assert r.status_code == 200, r.text[:500]
    token = re.search(r'<code id="token-value" class="token">([^<]+)</code>', r.text).group(1)
    listing = s.get(f"{server.url}/admin/devices", timeout=10).text
    row = listing.split(f'data-name="{name}"', 1)[1]
    token_id = int(re.search(r"/admin/devices/(\d+)/revoke", row).group(1))
    return token, token_id


def receive(client: socketio.SimpleClient, event: str) -> dict:
    deadline = time.monotonic() + WAIT
    while True:
        name, *args = client.receive(timeout=max(0.05, deadline - time.monotonic()))
        if name == event:
            return args[0]


def wait_closed(client: socketio.SimpleClient, deadline: float) -> None:
    """Read (and drop) messages until the server closes the connection or `deadline` passes."""
    while client.connected and time.monotonic() < deadline:
        try:
            client.receive(timeout=0.2)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.DisconnectedError):
            pass


def test_revoked_token_is_dropped_at_once(server):
    s, csrf = admin_session(server)
    token, token_id = new_display_token(server, s, csrf, "tv-thu-hoi")
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    assert api.get(server.api("/state"), timeout=10).status_code == 200
    client = socketio.SimpleClient()
    client.connect(server.url, auth={"token": token}, transports=["websocket"], wait_timeout=WAIT)
    assert receive(client, "state")["client"]["name"] == "tv-thu-hoi"
    started = time.monotonic()
    r = s.post(f"{server.url}/admin/devices/{token_id}/revoke", data={"csrf_token": csrf},
               allow_redirects=False, timeout=10)
    assert r.status_code == 302
    assert api.get(server.api("/state"), timeout=10).status_code == 401  # no 5-second grace
    wait_closed(client, started + 5)
    assert not client.connected, "the open connection of a revoked token must be closed"
    assert time.monotonic() - started < 5
    again = socketio.SimpleClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        again.connect(server.url, auth={"token": token}, transports=["websocket"], wait_timeout=5)


def test_open_display_gets_new_service_at_once(server):
    s, csrf = admin_session(server)
    token, _ = new_display_token(server, s, csrf, "tv-song")
    client = socketio.SimpleClient()
    client.connect(server.url, auth={"token": token}, transports=["websocket"], wait_timeout=WAIT)
    try:
        receive(client, "state")
        r = s.post(f"{server.url}/admin/services", data={"csrf_token": csrf, "code": "SONG",
                                                         "name": "Dịch vụ trực tiếp", "prefix": "S"},
                   allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.text[:300]
        receive(client, "refresh")  # the set-up changed: ask for the state again
        client.emit("sync")
        state = receive(client, "state")
        assert "SONG" in [x["code"] for x in state["services"]]
        assert state["client"]["role"] == "display"
    finally:
        client.disconnect()


def test_a_token_revoked_elsewhere_loses_its_open_connection(server):
    """Revoked by another server process (here: straight in the database, so this process's
    admin page never hears of it), the token's open socket is closed by the periodic recheck."""
    s, csrf = admin_session(server)
    token, token_id = new_display_token(server, s, csrf, "tv-noi-khac")
    client = socketio.SimpleClient()
    client.connect(server.url, auth={"token": token}, transports=["websocket"], wait_timeout=WAIT)
    receive(client, "state")
    with sqlite3.connect(server.data_dir / "motcua.db") as db:
        db.execute("UPDATE device_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE id = ?",
                   (token_id,))
    wait_closed(client, time.monotonic() + 12)
    assert not client.connected, "a recheck (every 5 s) must close the revoked token's socket"
