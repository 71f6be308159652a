"""`make run` mode: `motcua serve` with MOTCUA_SIMULATED_HARDWARE=1 starts simulated devices and a
real agent per demo counter and one for the kiosk. Through the technician pages, as a person
would: a kiosk ticket is printed by the simulated ESC/POS printer (bytes + preview), the simulated
LED shows the call, a simulated keypad press records a rating, and the device list sees it all."""

from __future__ import annotations

import re

import pytest
import requests
from livesupport import LiveServer, seed_live_centre
from support import eventually, free_port

from hardware.printer import decode_receipts

# The demo centre's own tokens (queue_server.demo), which the agents use like a real centre.
KIOSK, MANAGER = "demo-kiosk", "demo-manager"

pytestmark = pytest.mark.slow


class SimulatedServer(LiveServer):
    def env(self) -> dict[str, str]:
        return {**super().env(), "MOTCUA_SIMULATED_HARDWARE": "1", "MOTCUA_PORT": str(self.port)}


def login(server: LiveServer, username: str, password: str) -> requests.Session:
    s = requests.Session()
    page = s.get(server.url + "/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = s.post(server.url + "/login", data={"csrf_token": token, "username": username,
                                            "password": password}, allow_redirects=False, timeout=10)
    assert r.status_code == 302
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', s.get(server.url + "/", timeout=10).text)
    s.headers["X-CSRFToken"] = meta.group(1)
    return s


@pytest.fixture(scope="module")
def sim_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("sim-server")
    url = f"sqlite:///{data_dir / 'motcua.db'}"
    seed_live_centre(url, data_dir)
    server = SimulatedServer(url, data_dir, free_port(), secret_key="sim-test-secret").start()
    yield server
    server.stop()


def api(server, token, method, path, json=None):
    r = requests.request(method, server.api(path), json=json, timeout=10,
                         headers={"Authorization": f"Bearer {token}"})
    assert r.status_code < 300, (path, r.status_code, r.text[:300])
    return r.json() if r.content else {}


def test_make_run_centre_prints_calls_and_rates_through_simulated_devices(sim_server):
    server = sim_server
    staff = login(server, "admin", "motcua-admin")
    page = staff.get(server.url + "/technician/simulator", timeout=10)
    assert page.status_code == 200 and "Thiết bị mô phỏng" in page.text

    def state():
        return staff.get(server.url + "/technician/simulator/state.json", timeout=10).json()

    assert eventually(lambda: all(c["connected"] for c in state()["counters"]))
    assert [c["number"] for c in state()["counters"]] == [1, 2, 3, 4, 5, 6]

    ticket = api(server, KIOSK, "POST", "/tickets", {"service": "HT"})
    printed = eventually(lambda: [p for p in state()["printer"]["printed"] if p["ticket_id"] == ticket["id"]])
    assert printed[0]["ok"] is True
    png = staff.get(server.url + "/technician/simulator/ticket.png", timeout=10)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    raw = (server.data_dir / "simulated" / "kiosk-printer.bin").read_bytes()
    assert len(decode_receipts(raw)) >= 1

    c2 = server.counter_ids()[2]
    api(server, "demo-agent-2", "POST", f"/counters/{c2}/open")
    called = api(server, "demo-agent-2", "POST", f"/counters/{c2}/call-next")
    assert called["id"] == ticket["id"]
    assert eventually(lambda: state()["counters"][1]["led"] == f"{ticket['number']}>2"), state()

    api(server, "demo-agent-2", "POST", f"/tickets/{ticket['id']}/finish")
    assert eventually(lambda: state()["counters"][1]["rating_for"] == ticket["number"])
    r = staff.post(server.url + "/technician/simulator/press", json={"counter": 2, "key": 3}, timeout=10)
    assert r.status_code == 200

    def rated():
        items = api(server, MANAGER, "GET", "/events?limit=10000")["items"]
        return [e for e in items if e["type"] == "ticket.rated" and e["ticket_id"] == ticket["id"]]

    assert [e["level"] for e in eventually(rated)] == [3]

    # paper out from the simulator page → the next kiosk ticket fails to print, and says so
    assert staff.post(server.url + "/technician/simulator/paper", json={"paper_out": True}).ok
    second = api(server, KIOSK, "POST", "/tickets", {"service": "DD"})
    failed = eventually(lambda: [p for p in state()["printer"]["printed"] if p["ticket_id"] == second["id"]])
    assert failed[0]["ok"] is False and "hết giấy" in failed[0]["message"]

    data = staff.get(server.url + "/technician/data.json", timeout=10).json()
    row = next(d for d in data["devices"] if d["name"] == "agent-quay-2")
    assert {d["id"] for d in row["devices"]} == {"agent", "quay-2-led", "quay-2-pad"}
    types = {e["type"] for e in data["events"]}
    assert {"ticket.printed", "ticket.print_failed", "ticket.rated", "device.health"} <= types
    page = staff.get(server.url + "/technician", timeout=10)
    assert page.status_code == 200 and "Sự kiện trong một giờ qua" in page.text


def test_technician_pages_need_a_person(sim_server):
    server = sim_server
    r = requests.get(server.url + "/technician", allow_redirects=False, timeout=10)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    r = requests.get(server.url + "/technician/data.json", headers={"Accept": "application/json"}, timeout=10)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    r = requests.get(server.url + "/technician/data.json", timeout=10,
                     headers={"Authorization": f"Bearer {KIOSK}", "Accept": "application/json"})
    assert r.status_code == 403
    staff = login(server, "canbo1", "motcua")
    assert staff.get(server.url + "/technician/data.json", timeout=10).status_code == 200
    r = staff.post(server.url + "/technician/simulator/press", json={"counter": 9, "key": 3}, timeout=10,
                   headers={"Accept": "application/json"})
    assert r.status_code == 422
    del staff.headers["X-CSRFToken"]
    r = staff.post(server.url + "/technician/simulator/press", json={"counter": 2, "key": 3}, timeout=10,
                   headers={"Accept": "application/json"})
    assert r.status_code == 400  # no CSRF token
